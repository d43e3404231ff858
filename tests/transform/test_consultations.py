"""Consultations that end in a transfer or a conference: one IRF per resource per handling attempt
(GIMPopIRF, https://docs.genesys.com/Documentation/GIM/latest/User/GIMPopIRF), the receiver's
consultation and what follows it on the same row, in disjoint measure families (DBCompatibility
VOICE_IXN_FACT_EXT, https://docs.genesys.com/Documentation/GIM/latest/DBCompatibility/VOICE_IXN_FACT_EXT:
RING = RING + CONS_RCV_RING + POST_CONS_XFER_RING + CONF_JOIN_RING over a call's IRFs); a conference its
initiator leaves within introduced-transfer-threshold is a transfer ("Introduced transfer",
https://docs.genesys.com/Documentation/GIM/latest/User/GIMVoxIxnFlow-FWKIn; default 0: never).

Ann, Bob and Cid work on cluster node 1.
- Call 1 at 09:00:00, warm (two-step) transfer: the customer rings Ann from 09:00:05, she answers at
  09:00:10, holds the customer at 09:01:00 and consults Bob on call 2 (Bob rings 09:01:00-09:01:05,
  they talk until 09:02:00), then completes the transfer: Bob talks with the customer from 09:02:00 to
  09:04:00 and does 15 s of after-call work. ICON gives the consultation an IR of its own: it is still
  a part of call 1's interaction (one INTERACTION_FACT per root).
- Call 3 at 10:00:00, consultation then conference: as call 1 with Cid (consultation call 4,
  10:01:00-10:02:00, sharing call 3's IR), but Ann conferences Cid in at 10:02:00 and leaves at 10:03:00;
  Cid stays with the customer until 10:05:00.
"""

from __future__ import annotations

import dataclasses

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.scenarios.builder import Scenario, at
from idbmart.idb.enums import CallType, PartyRole

pytestmark = pytest.mark.slow

COLUMNS = (
    "RESOURCE_ROLE_CODE", "ROLE_REASON_CODE", "TECHNICAL_RESULT_CODE", "START_TS", "END_TS",
    "RING_DURATION", "TALK_DURATION", "HOLD_DURATION", "AFTER_CALL_WORK_DURATION",
    "CONS_INIT_DIAL_DURATION", "CONS_INIT_TALK_DURATION", "CONS_RCV_RING_DURATION", "CONS_RCV_TALK_DURATION",
    "POST_CONS_XFER_TALK_DURATION", "POST_CONS_XFER_ACW_DURATION", "CONF_INIT_TALK_DURATION",
    "CONF_JOIN_TALK_DURATION", "CUSTOMER_TALK_DURATION", "CUSTOMER_HANDLE_COUNT",
)  # fmt: skip


def consultations() -> Scenario:
    s = Scenario("consultations", __doc__, seed=111)
    states = {
        "Ann": [("BUSY", "09:00:05"), ("READY", "09:02:00"), ("BUSY", "10:00:05"), ("READY", "10:03:00")],
        "Bob": [("BUSY", "09:01:00"), ("AFTER_CALL_WORK", "09:04:00"), ("READY", "09:04:15")],
        "Cid": [("BUSY", "10:01:00"), ("AFTER_CALL_WORK", "10:05:00"), ("READY", "10:05:15")],
    }
    for name, dn in (("Ann", "70001"), ("Bob", "70002"), ("Cid", "70003")):
        s.agent(name, dn=dn, node=1)
        s.login(name, "08:00:00", "16:00:00", [("READY", "08:00:05"), *states[name]])
    for call, consult, other, minute, end, kind in ((1, 2, "Bob", 9, "09:04:00", 1), (3, 4, "Cid", 10, "10:05:00", 2)):
        t = f"{minute:02d}"
        s.call(call, node=1, created=f"{t}:00:00", ended=end, outcome="transferred" if kind == 1 else "conferenced")
        s.party(call, call * 10 + 1, None, f"{t}:00:00", end, [("DIALING", f"{t}:00:00"), ("CONNECTED", f"{t}:00:10")],
                role=PartyRole.ORIGINATOR)  # fmt: skip
        ann_states = [("RINGING", f"{t}:00:05"), ("CONNECTED", f"{t}:00:10"), ("HELD", f"{t}:01:00")]
        if kind == 2:  # back on the call, in the conference, until she leaves
            ann_states.append(("CONNECTED", f"{t}:02:00"))
        ann = s.party(call, call * 10 + 2, None, f"{t}:00:05", f"{t}:02:00" if kind == 1 else f"{t}:03:00",
                      ann_states, agent="Ann")  # fmt: skip
        s.call(consult, node=1, created=f"{t}:01:00", ended=f"{t}:02:00", outcome="consult", ctype=CallType.CONSULT,
               parent=call, merge_type=kind, own_ir=kind == 1)  # fmt: skip
        s.party(consult, consult * 10 + 1, None, f"{t}:01:00", f"{t}:02:00",
                [("DIALING", f"{t}:01:00"), ("CONNECTED", f"{t}:01:05")], role=PartyRole.ORIGINATOR,
                agent="Ann")  # fmt: skip
        s.party(consult, consult * 10 + 2, None, f"{t}:01:00", f"{t}:02:00",
                [("RINGING", f"{t}:01:00"), ("CONNECTED", f"{t}:01:05")], agent=other)  # fmt: skip
        s.party(call, call * 10 + 3, None, f"{t}:02:00", end, [("CONNECTED", f"{t}:02:00")],
                role=PartyRole.DESTINATION if kind == 1 else PartyRole.CONFERENCE_MEMBER, parent=ann, agent=other,
                acw=15)  # fmt: skip
        s.user_data(call, f"{t}:00:00")
    return s


def callid(call: int) -> str:
    return f"{consultations().seed:08d}{call:024d}"


def irfs(deployment, agent: str) -> list[tuple]:
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        return con.execute(
            f"""SELECT {", ".join(COLUMNS)} FROM INTERACTION_RESOURCE_FACT i
                JOIN TECHNICAL_DESCRIPTOR td USING (TECHNICAL_DESCRIPTOR_KEY)
                JOIN (SELECT RESOURCE_KEY, RESOURCE_NAME FROM RESOURCE_) r USING (RESOURCE_KEY)
                WHERE r.RESOURCE_NAME = ? ORDER BY i.START_TS""",
            [agent],
        ).fetchall()


def row(**values) -> tuple:
    """An IRF row of COLUMNS: the measures not given are 0."""
    return tuple(values.get(c.lower(), 0) for c in COLUMNS)


@pytest.fixture(scope="module")
def marts(tmp_path_factory):
    """The scenario's mart with Info Mart's default introduced-transfer-threshold (0) and with 90 s."""
    s = consultations()
    default = config.load(s.write(tmp_path_factory.mktemp("default")))
    folder = tmp_path_factory.mktemp("introduced")
    (folder / "deployment.toml").write_text(
        config.render(
            str(folder / "mart.duckdb"),
            list(default.sources),
            etl=dataclasses.replace(default.etl, introduced_transfer_threshold_s=90),
        )
    )
    introduced = config.load(folder / "deployment.toml")
    for d in (default, introduced):
        run_cycle(d)
    return default, introduced


def test_a_warm_transfer_gives_the_receiver_one_irf_with_its_consultation_and_the_customer(marts):
    default, _ = marts
    # Bob: one attempt from the consultation's ring to the customer's end, received as a consultation;
    # 5 s ringing and 55 s talking with Ann, then 120 s with the customer and 15 s of after-call work.
    assert irfs(default, "agent1001") == [
        row(resource_role_code="RECEIVEDCONSULT", role_reason_code="UNSPECIFIED", technical_result_code="COMPLETED",
            start_ts=at("09:01:00"), end_ts=at("09:04:00"), cons_rcv_ring_duration=5, cons_rcv_talk_duration=55,
            post_cons_xfer_talk_duration=120, post_cons_xfer_acw_duration=15, customer_talk_duration=120,
            customer_handle_count=1)
    ]  # fmt: skip
    # Ann: the customer's call (5 s ringing, 50 + 0 s talking, 60 s holding, transferred) and her
    # consultation (5 s dialing, 55 s talking), neither a customer's handling after 09:01:00.
    ann = irfs(default, "agent1000")
    assert ann[:2] == [
        row(resource_role_code="RECEIVED", role_reason_code="UNSPECIFIED", technical_result_code="TRANSFERRED",
            start_ts=at("09:00:05"), end_ts=at("09:02:00"), ring_duration=5, talk_duration=50, hold_duration=60,
            customer_talk_duration=50, customer_handle_count=1),
        row(resource_role_code="INITIATEDCONSULT", role_reason_code="UNSPECIFIED", technical_result_code="COMPLETED",
            start_ts=at("09:01:00"), end_ts=at("09:02:00"), cons_init_dial_duration=5, cons_init_talk_duration=55),
    ]  # fmt: skip


def test_a_consultation_conferenced_is_one_irf_of_the_member_and_the_initiator_a_role_reason(marts):
    default, _ = marts
    assert irfs(default, "agent1002") == [
        row(resource_role_code="RECEIVEDCONSULT", role_reason_code="CONFERENCEJOINED",
            technical_result_code="COMPLETED", start_ts=at("10:01:00"), end_ts=at("10:05:00"),
            cons_rcv_ring_duration=5, cons_rcv_talk_duration=55, conf_join_talk_duration=180,
            customer_talk_duration=180, customer_handle_count=1)
    ]  # fmt: skip
    # Ann talked 50 s, held 60 s, and was in the conference for the last 60 s of her 110 s of talk.
    assert irfs(default, "agent1000")[2] == row(
        resource_role_code="RECEIVED", role_reason_code="CONFERENCEINITIATOR", technical_result_code="CONFERENCED",
        start_ts=at("10:00:05"), end_ts=at("10:03:00"), ring_duration=5, talk_duration=110, hold_duration=60,
        conf_init_talk_duration=60, customer_talk_duration=110, customer_handle_count=1)  # fmt: skip


def test_a_conference_its_initiator_leaves_within_the_threshold_is_a_transfer(marts):
    _, introduced = marts
    # Ann's 60 s in the conference are under 90 s: she transferred, Cid received a transfer.
    assert irfs(introduced, "agent1002") == [
        row(resource_role_code="RECEIVEDCONSULT", role_reason_code="UNSPECIFIED", technical_result_code="COMPLETED",
            start_ts=at("10:01:00"), end_ts=at("10:05:00"), cons_rcv_ring_duration=5, cons_rcv_talk_duration=55,
            post_cons_xfer_talk_duration=180, post_cons_xfer_acw_duration=15, customer_talk_duration=180,
            customer_handle_count=1)
    ]  # fmt: skip
    ann = irfs(introduced, "agent1000")[2]
    assert ann[:3] == ("RECEIVED", "UNSPECIFIED", "TRANSFERRED") and ann[COLUMNS.index("CONF_INIT_TALK_DURATION")] == 0


def test_a_consultation_with_an_ir_of_its_own_is_a_part_of_its_main_calls_interaction(marts):
    """GIMPopIRF: one INTERACTION_FACT per root. The two calls with customers are the mart's two
    interactions; every IRF of call 2 (the own-IR consultation) is one of call 1's interaction."""
    default, _ = marts
    own_irs = 0  # the IDBs hold the consultation's own IR (each member of node 1's pair)
    for source in (s for s in default.sources if "gcc" in s.roles and s.scheme == "duckdb"):
        with duckdb.connect(str(source.path), read_only=True) as idb:
            own_irs += idb.execute("SELECT count(*) FROM G_IR WHERE ROOTCALLID = ?", [callid(2)]).fetchone()[0]
    assert own_irs == 2
    with duckdb.connect(str(default.mart_path), read_only=True) as con:
        interactions = con.execute("SELECT MEDIA_SERVER_IXN_GUID FROM INTERACTION_FACT ORDER BY 1").fetchall()
        consult_irfs = con.execute(
            """SELECT DISTINCT f.MEDIA_SERVER_IXN_GUID FROM INTERACTION_RESOURCE_FACT i JOIN INTERACTION_FACT f
               USING (INTERACTION_ID) WHERE i.MEDIA_SERVER_IXN_GUID = ?""",
            [callid(2)],
        ).fetchall()
    assert interactions == [(callid(1),), (callid(3),)]
    assert consult_irfs == [(callid(1),)]


def test_agent_aggregates_count_the_receiver_once_offered_and_once_consulted(marts):
    """View-AG2_AGENT_HOUR: the receiver was offered the interaction once (its one IRF, in the interval
    the consultation reached it), accepted it, engaged 120 s with the customer and 55 s in consultation;
    a warm consultation ("consultations that result in a transfer to or conference with the agent"),
    as Cid's conferenced one is."""
    default, _ = marts
    with duckdb.connect(str(default.mart_path), read_only=True) as con:
        got = con.execute(
            """SELECT r.RESOURCE_NAME, sum(OFFERED), sum(ACCEPTED), sum(ENGAGE_TIME), sum(CONSULT_RECEIVED_ACCEPTED),
                      sum(CONSULT_RECEIVED_ENGAGE_TIME), sum(CONSULT_RECEIVED_WARM_ACCEPTED),
                      sum(CONSULT_RECEIVED_WARM_ENGAGE_TIME)
               FROM AG2_AGENT_SUBHR a JOIN RESOURCE_ r USING (RESOURCE_KEY)
               WHERE r.RESOURCE_NAME IN ('agent1001', 'agent1002') GROUP BY 1 ORDER BY 1""",
        ).fetchall()
    assert got == [("agent1001", 1, 1, 120, 1, 55, 1, 55), ("agent1002", 1, 1, 180, 1, 55, 1, 55)]
