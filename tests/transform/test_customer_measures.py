"""CUSTOMER_* measures count only the time a customer is on the call (GIMPopIRF,
https://docs.genesys.com/Documentation/GIM/latest/User/GIMPopIRF): a consultation leg is not customer
handling, and an internal call's customer is the agent who made it (GCXI's internal interactions).

Ann and Bob work on cluster node 1.
- Call 1, internal, at 09:00:00: Ann dials Bob, who rings for 5 s and talks with her until 09:02:00.
- Call 2, inbound, at 10:00:00: the customer rings Ann from 10:00:05, she answers at 10:00:10, holds
  the customer at 10:01:00 and consults Bob on call 3 (Bob rings 10:01:00-10:01:05, they talk until
  10:02:00), retrieves the customer at 10:02:00 and talks until 10:03:00.
"""

from __future__ import annotations

import duckdb

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.scenarios.builder import Scenario
from idbmart.idb.enums import CallType, PartyRole

# The consultation's measures are in their own families (disjoint from RING_, TALK_...: DBCompatibility
# VOICE_IXN_FACT_EXT), the customer's in CUSTOMER_*.
COLUMNS = (
    "RING_DURATION, TALK_DURATION, HOLD_DURATION, CONS_RCV_RING_DURATION, CONS_RCV_TALK_DURATION, "
    "CONS_INIT_TALK_DURATION, CUSTOMER_RING_DURATION, CUSTOMER_TALK_DURATION, CUSTOMER_HOLD_DURATION, "
    "CUSTOMER_HANDLE_COUNT"
)


def consult_and_internal() -> Scenario:
    s = Scenario("consult_and_internal", __doc__, seed=110)
    s.agent("Ann", dn="70001", node=1)
    s.agent("Bob", dn="70002", node=1)
    s.login("Ann", "08:00:00", "16:00:00", [("READY", "08:00:05")])
    s.login("Bob", "08:00:00", "16:00:00", [("READY", "08:00:05")])
    s.call(1, node=1, created="09:00:00", ended="09:02:00", outcome="answered", ctype=CallType.INTERNAL)
    s.party(1, 11, None, "09:00:00", "09:02:00", [("DIALING", "09:00:00"), ("CONNECTED", "09:00:05")],
            role=PartyRole.ORIGINATOR, agent="Ann")  # fmt: skip
    s.party(1, 12, None, "09:00:00", "09:02:00", [("RINGING", "09:00:00"), ("CONNECTED", "09:00:05")], agent="Bob")
    s.call(2, node=1, created="10:00:00", ended="10:03:00", outcome="answered")
    s.party(2, 21, None, "10:00:00", "10:03:00", [("DIALING", "10:00:00"), ("CONNECTED", "10:00:10")],
            role=PartyRole.ORIGINATOR)  # fmt: skip
    s.party(2, 22, None, "10:00:05", "10:03:00",
            [("RINGING", "10:00:05"), ("CONNECTED", "10:00:10"), ("HELD", "10:01:00"), ("CONNECTED", "10:02:00")],
            agent="Ann")  # fmt: skip
    s.call(3, node=1, created="10:01:00", ended="10:02:00", outcome="answered", ctype=CallType.CONSULT, parent=2)
    s.party(3, 31, None, "10:01:00", "10:02:00", [("DIALING", "10:01:00"), ("CONNECTED", "10:01:05")],
            role=PartyRole.ORIGINATOR, agent="Ann")  # fmt: skip
    s.party(3, 32, None, "10:01:00", "10:02:00", [("RINGING", "10:01:00"), ("CONNECTED", "10:01:05")], agent="Bob")
    for call, t0 in ((1, "09:00:00"), (2, "10:00:00")):
        s.user_data(call, t0)
    return s


def test_consultation_legs_are_not_customer_time_and_an_internal_calls_customer_is_its_caller(tmp_path):
    s = consult_and_internal()
    deployment = config.load(s.write(tmp_path))
    run_cycle(deployment)
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:

        def irf(agent: str, role: str) -> list[tuple]:
            return con.execute(
                f"""SELECT {COLUMNS} FROM INTERACTION_RESOURCE_FACT i JOIN RESOURCE_ r USING (RESOURCE_KEY)
                    JOIN TECHNICAL_DESCRIPTOR td USING (TECHNICAL_DESCRIPTOR_KEY)
                    WHERE r.RESOURCE_NAME = ? AND td.RESOURCE_ROLE_CODE = ? ORDER BY i.START_TS""",
                [agent, role],
            ).fetchall()

        # Bob on Ann's internal call: her call is the "customer"'s, so all of it counts.
        assert irf("agent1001", "RECEIVED") == [(5, 115, 0, 0, 0, 0, 5, 115, 0, 1)]
        # Bob on the consultation: 5 s ringing and 55 s talking, none of it with the customer.
        assert irf("agent1001", "RECEIVEDCONSULT") == [(0, 0, 0, 5, 55, 0, 0, 0, 0, 0)]
        # Ann on the customer's call: 50 + 60 s of talk and 60 s of hold, all with the customer there.
        assert irf("agent1000", "RECEIVED") == [(5, 110, 60, 0, 0, 0, 5, 110, 60, 1)]
        assert irf("agent1000", "INITIATEDCONSULT") == [(0, 0, 0, 0, 0, 55, 0, 0, 0, 0)]
        # View-AG2_AGENT_HOUR: Bob's consultation began and ended in consult, a simple one, not warm.
        assert con.execute(
            """SELECT sum(CONSULT_RECEIVED_ACCEPTED), sum(CONSULT_RECEIVED_ENGAGE_TIME),
                      sum(CONSULT_RECEIVED_WARM_ACCEPTED), sum(CONSULT_RECEIVED_WARM_ENGAGE_TIME)
               FROM AG2_AGENT_SUBHR JOIN RESOURCE_ USING (RESOURCE_KEY) WHERE RESOURCE_NAME = 'agent1001'"""
        ).fetchall() == [(1, 55, 0, 0)]
