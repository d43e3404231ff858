"""Every enumerated IDB value the pipeline interprets, in one place.

IDB.md tags values [doc] (public Genesys documentation) or [contract] (this project fixes them where
the public model is silent). A site whose IDB differs adapts this module, never the transforms.
"""

from __future__ import annotations

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
    AGENT_LOGIN = 15


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
    """G_PARTY.TYPE [doc]: 1 internal DN, 2 external, 3-6 multimedia."""

    INTERNAL_DN = 1
    EXTERNAL = 2
    MULTIMEDIA_3 = 3
    MULTIMEDIA_4 = 4
    MULTIMEDIA_5 = 5
    MULTIMEDIA_6 = 6


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
