"""Run-level values: what the mart's SQL reads as `$name` (idbmart.sqlfile.with_values), gathered here.

Options of the deployment's [etl] and constants of the IDB contract; a step adds its own (the audit
key, the slice) when it runs a model. No SQL reads a session variable.
"""

from __future__ import annotations

from idbmart.config import AGENT_STATES, WEEK_DAYS, EtlOptions
from idbmart.extract.entities import BOUND_SLACK_S, PLAUSIBLE_FROM_TS, PLAUSIBLE_SPAN_S
from idbmart.idb.enums import AgentState, CallType, PartyRole, PartyType
from idbmart.load.mart import SENTINEL_TS

# The user data key in which the telephony server carries OCS's call attempt GUID: the only link of
# preview, push-preview and power-GVP calls to their attempt.
ATTEMPT_GUID_KEY = "GSW_CALL_ATTEMPT_GUID"

# etl.state_priority names (RESOURCE_STATE codes) → the IDB's agent STATE values
STATE_CODES = {
    "LOGGEDIN": AgentState.LOGGED_IN, "NOTREADY": AgentState.NOT_READY, "READY": AgentState.READY,
    "AFTERCALLWORK": AgentState.AFTER_CALL_WORK, "BUSY": AgentState.BUSY, "DND": AgentState.DO_NOT_DISTURB,
}  # fmt: skip


def option_values(o: EtlOptions) -> dict[str, object]:
    """The values every model may read: options, and the codes the IDB contract knows for the columns
    the transform reads (a row with another code is listed in STG_TRANSFORM_DISCARDS: discards.sql)."""
    return {
        "tol": int(o.agent_match_tolerance_s),
        "sentinel": SENTINEL_TS,
        "max_call_s": int(o.max_call_duration_s),
        "max_state_s": int(o.max_state_duration_s),
        "short_abandon_s": int(o.short_abandon_threshold_s),
        "introduced_transfer_s": int(o.introduced_transfer_threshold_s),
        "stuck_s": int(o.stuck_threshold_s),
        "bound_slack_s": BOUND_SLACK_S,
        "plausible_from": PLAUSIBLE_FROM_TS,
        "plausible_span": PLAUSIBLE_SPAN_S,
        "dnd_voice": bool(o.factor_dnd_voice),
        "dnd_multimedia": bool(o.factor_dnd_multimedia),
        "slice_size": int(o.transform_slice_interactions),
        "codes_calltype": sorted(int(c) for c in CallType),
        "codes_party_type": sorted(int(c) for c in PartyType),
        "codes_prole": sorted(int(c) for c in PartyRole),
        "attempt_guid_key": ATTEMPT_GUID_KEY,
        "msf_user_data": bool(o.msf_user_data),
        # the calendar (sql/transform/calendar.sql)
        "tz": o.time_zone,
        "week_start": WEEK_DAYS.index(o.week_start) + 1,
        "simple_weeks": o.week_numbering == "simple",
        # the aggregates
        "buckets": [int(b) for b in o.queue_time_buckets_s],
        "service_level_s": int(o.service_level_threshold_s),
        "short_engage_s": int(o.short_engage_threshold_s),
    }


def state_priority(o: EtlOptions) -> list[tuple[int, int]]:
    """(agent STATE, rank) by etl.state_priority, the states it does not name after it."""
    ranked = list(o.state_priority) + [s for s in AGENT_STATES if s not in o.state_priority]
    return [(int(STATE_CODES[s]), i) for i, s in enumerate(ranked)]
