"""Every enumerated IDB value the pipeline interprets, in one place.

IDB.md tags values [doc] (public Genesys documentation) or [contract] (this project fixes them where
the public model is silent). A site whose IDB differs adapts this module, never the transforms.
"""

from __future__ import annotations

import re
from enum import IntEnum, unique


@unique
class Status(IntEnum):
    """Configuration object status (GC_*, GCX_*) [doc]."""

    ACTIVE = 1
    DELETED = 2


@unique
class DsType(IntEnum):
    """G_DSS_*_PROVIDER.DS_TYPE: the kind of data source [doc]."""

    TSERVER = 1
    INTERACTION_SERVER = 2
    OCS = 3


@unique
class DsConnType(IntEnum):
    """G_DSS_*_PROVIDER.DSCONN_TYPE: why the session started [doc]."""

    FIRST_CONNECTION = 1
    RECONNECT = 2
    SERVER_RESTART = 3
    SWITCH_RECONNECT = 4
    SWITCHOVER = 5


@unique
class DnType(IntEnum):
    """Genesys DN type: GC_ENDPOINT.TYPE, G_PARTY.ENDPOINTTYPE [doc]."""

    EXTENSION = 1
    ACD_POSITION = 2
    ACD_QUEUE = 3
    ROUTING_POINT = 4
    VIRTUAL_QUEUE = 5
    VIRTUAL_ROUTING_POINT = 6
    IVR_PORT = 9


@unique
class CfgType(IntEnum):
    """Configuration object type numbers, RESOURCE_.RESOURCE_CFG_TYPE_ID [doc]."""

    ON_THE_FLY = 0  # SIP Cluster DN or unconfigured IVR application, created while transforming
    SWITCH = 1
    DN = 2
    PERSON = 3
    PLACE = 4
    AGENT_GROUP = 5
    PLACE_GROUP = 6
    TENANT = 7
    APPLICATION = 9
    SCRIPT = 12
    SKILL = 13
    AGENT_LOGIN = 15
    DN_GROUP = 17


@unique
class GroupType(IntEnum):
    """GC_GROUP.GROUPTYPE [contract]."""

    AGENT = 1
    PLACE = 2
    DN = 3


@unique
class IrState(IntEnum):
    """G_IR.STATE [doc]."""

    UNKNOWN = 0
    ACTIVE = 1
    TERMINATED = 2


@unique
class CallType(IntEnum):
    """G_CALL.CALLTYPE [contract]."""

    INTERNAL = 1
    INBOUND = 2
    OUTBOUND = 3
    CONSULT = 4


@unique
class MediaType(IntEnum):
    """G_CALL.MEDIATYPE, G_IR.MEDIATYPE, G_LOGIN_SESSION.MEDIATYPE [contract]: 0 voice, others multimedia."""

    VOICE = 0
    EMAIL = 1
    CHAT = 2


@unique
class CallState(IntEnum):
    """G_CALL.STATE [contract]."""

    ACTIVE = 1
    TERMINATED = 2


@unique
class PartyType(IntEnum):
    """G_PARTY.TYPE [doc] (ICON Table-G_PARTY): 1 internal DN, 2 external; multimedia: 3 the agent's place,
    4 an interaction queue, 5 an interaction workbin, 6 a routing strategy (Interaction Server's scripts)."""

    INTERNAL_DN = 1
    EXTERNAL = 2
    PLACE = 3
    INTERACTION_QUEUE = 4
    WORKBIN = 5
    ROUTING_STRATEGY = 6


@unique
class PartyRole(IntEnum):
    """G_PARTY.PROLE [contract]."""

    ORIGINATOR = 1
    DESTINATION = 2
    CONFERENCE_MEMBER = 3
    OBSERVER = 4


@unique
class PartyState(IntEnum):
    """G_PARTY.STATE and G_PARTY_HISTORY.STATE [contract]."""

    IDLE = 0
    DIALING = 1
    RINGING = 2
    CONNECTED = 3
    HELD = 4
    QUEUED = 5
    ROUTING = 6
    TREATMENT = 7
    AFTER_CALL_WORK = 8
    RELEASED = 9


@unique
class PartyChangeType(IntEnum):
    """G_PARTY_HISTORY.CHANGETYPE [contract]."""

    CREATED = 1
    STATE_CHANGED = 2
    TERMINATED = 3


@unique
class RouteTargetType(IntEnum):
    """G_ROUTE_RESULT.RTARGETTYPESELECTED [contract]: the kind of target the routing strategy selected
    (RTARGETOBJECTSELECTED names it: an agent group's name, a skill expression...)."""

    AGENT = 1
    PLACE = 2
    AGENT_GROUP = 3
    PLACE_GROUP = 4
    QUEUE = 5
    SKILL_EXPRESSION = 6


@unique
class RouteResult(IntEnum):
    """G_ROUTE_RESULT.RESULT [contract]."""

    ROUTED = 1
    ABANDONED = 2
    DEFAULT_ROUTE = 3


@unique
class VqResult(IntEnum):
    """G_VIRTUAL_QUEUE.RESULT [contract]."""

    DISTRIBUTED = 1
    ABANDONED = 2
    CLEARED = 3
    REDIRECTED = 4


@unique
class LinkDirection(IntEnum):
    """G_IS_LINK.DIRECTION [contract]."""

    OUT = 1
    IN = 2


@unique
class UserDataChangeType(IntEnum):
    """G_USERDATA_HISTORY.CHANGETYPE [contract]."""

    ADDED = 1
    UPDATED = 2
    DELETED = 3


@unique
class LoginSessionState(IntEnum):
    """G_LOGIN_SESSION.STATE [contract]."""

    ENDED = 0
    ACTIVE = 1


@unique
class AgentStateType(IntEnum):
    """G_AGENT_STATE_HISTORY.TYPE: 5 state, 6 pending state [doc]; 7 work mode [contract]."""

    STATE = 5
    PENDING_STATE = 6
    WORK_MODE = 7


@unique
class AgentState(IntEnum):
    """Agent state [doc]; DO_NOT_DISTURB [contract]."""

    LOGGED_OFF = 0
    LOGGED_IN = 1
    NOT_READY = 2
    READY = 3
    AFTER_CALL_WORK = 4
    BUSY = 5
    DO_NOT_DISTURB = 6


@unique
class CampaignState(IntEnum):
    """GO_CAMPAIGN.STATE [doc]."""

    TERMINATED = 0
    LOADED = 1
    STARTED = 2
    UNLOADING = 3


@unique
class ChainState(IntEnum):
    """GO_CHAINREC_HIST.STATE [doc]."""

    NULL = 0
    SCHEDULED = 1
    PROCESSING = 2
    PROCESSED = 3


@unique
class MetricObjectType(IntEnum):
    """GO_METRICS.OBJECTTYPE [contract]."""

    CALLING_LIST = 1
    CAMPAIGN_GROUP = 2


@unique
class DialMode(IntEnum):
    """GO_CAMPAIGN.DIALMODE [contract]: Configuration Server's dialing modes (CfgDialMode)."""

    PREDICTIVE = 1
    PROGRESSIVE = 2
    PREVIEW = 3
    PROGRESSIVE_WITH_SEIZING = 4
    PREDICTIVE_WITH_SEIZING = 5
    POWER_GVP = 6
    PROGRESSIVE_GVP = 7
    PUSH_PREVIEW = 8


@unique
class CallResult(IntEnum):
    """GO_CHAINREC_HIST.CALLRESULT [contract]: Genesys call results (CfgCallResult), the common ones.
    Other codes load too, as 'CALL_RESULT_<n>' of type OTHER."""

    OK = 0
    GENERAL_ERROR = 3
    SYSTEM_ERROR = 4
    BUSY = 6
    NO_ANSWER = 7
    SIT_DETECTED = 8
    ANSWERING_MACHINE = 9
    ALL_TRUNKS_BUSY = 10
    SIT_INVALID_NUMBER = 11
    SIT_VACANT = 12
    SIT_OPERATOR_INTERCEPT = 13
    SIT_UNKNOWN_CALL_STATE = 14
    SIT_NO_CIRCUIT = 15
    SIT_REORDER = 16
    FAX = 17
    ABANDONED = 21
    DROPPED = 26
    DROPPED_ON_NO_ANSWER = 27
    UNKNOWN = 28
    ANSWER = 33
    SILENCE = 35
    NO_DIAL_TONE = 37
    WRONG_PARTY = 41
    CANCEL_RECORD = 47
    DO_NOT_CALL = 51


# How each call result counts in the campaign aggregates: the customer was reached (CONNECT), the
# line answered without the customer (MACHINE), nobody answered or the line was busy (NO_CONTACT),
# the number is wrong or dead (BAD_NUMBER), the dialer or network failed (ERROR), or the record was
# closed without a dial (CANCELLED).
CALL_RESULT_TYPES = {
    CallResult.ANSWER: "CONNECT", CallResult.OK: "CONNECT", CallResult.WRONG_PARTY: "CONNECT",
    CallResult.ANSWERING_MACHINE: "MACHINE", CallResult.FAX: "MACHINE", CallResult.SILENCE: "MACHINE",
    CallResult.BUSY: "NO_CONTACT", CallResult.NO_ANSWER: "NO_CONTACT", CallResult.ABANDONED: "NO_CONTACT",
    CallResult.DROPPED: "NO_CONTACT", CallResult.DROPPED_ON_NO_ANSWER: "NO_CONTACT",
    CallResult.SIT_DETECTED: "BAD_NUMBER", CallResult.SIT_INVALID_NUMBER: "BAD_NUMBER",
    CallResult.SIT_VACANT: "BAD_NUMBER", CallResult.SIT_OPERATOR_INTERCEPT: "BAD_NUMBER",
    CallResult.SIT_UNKNOWN_CALL_STATE: "BAD_NUMBER", CallResult.SIT_NO_CIRCUIT: "BAD_NUMBER",
    CallResult.SIT_REORDER: "BAD_NUMBER",
    CallResult.GENERAL_ERROR: "ERROR", CallResult.SYSTEM_ERROR: "ERROR", CallResult.ALL_TRUNKS_BUSY: "ERROR",
    CallResult.NO_DIAL_TONE: "ERROR", CallResult.UNKNOWN: "ERROR",
    CallResult.CANCEL_RECORD: "CANCELLED", CallResult.DO_NOT_CALL: "CANCELLED",
}  # fmt: skip


@unique
class OcsMetric(IntEnum):
    """GO_METRICS.METRICID [contract]: OCS's precalculated metrics (ICON outbound integration guide)."""

    RECORDS_NOT_PROCESSED = 1
    TOTAL_RECORDS = 2
    TOTAL_CHAINS = 3
    CHAINS_NOT_PROCESSED = 4
    BUSY_DIALER_PORTS = 5
    ENGAGED_PORTS = 6
    OVERDIALED = 7
    DIALING_TIME_MS = 8
    TRANSFER_TIME_MS = 9
    CPD_TIME_MS = 10


# -- codes in SQL ------------------------------------------------------------------------------------
# SQL names a code as `<Enum>.<MEMBER>` of this module (`STATE = PartyState.CONNECTED`), never as a bare
# integer; `named_codes` writes the value in as the file is read (a constant: nothing is looked up
# while the query runs). An unknown name is an error at once, so renaming a member here breaks the
# SQL that uses it instead of changing what it means.
_ENUMS = {
    name: cls for name, cls in list(globals().items())
    if isinstance(cls, type) and issubclass(cls, IntEnum) and cls is not IntEnum
}  # fmt: skip
_CODE = re.compile(r"\b(" + "|".join(sorted(_ENUMS, key=len, reverse=True)) + r")\.([A-Z][A-Z0-9_]*)\b")


def named_codes(sql: str) -> str:
    """`sql` with each `<Enum>.<MEMBER>` of this module replaced by its integer code."""

    def value(m: re.Match) -> str:
        members = _ENUMS[m.group(1)].__members__
        if m.group(2) not in members:
            raise KeyError(f"{m.group(1)}.{m.group(2)} is no member of idbmart/idb/enums.py's {m.group(1)}")
        return str(int(members[m.group(2)]))

    return _CODE.sub(value, sql)
