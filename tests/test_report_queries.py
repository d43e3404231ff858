"""Report SQL in Info Mart's shape binds on the mart and loses no fact: queries written here the way Info
Mart reports slice (by agent group, by display names of the descriptor dimensions, by DATE_TIME labels),
each joining every dimension it shows with inner joins, so a fact whose key had no dimension row would
be missing from its total."""

from __future__ import annotations

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate

# Slow (a simulated day): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

P = Params(calls=400, days=1, seed=11, classic=True)


@pytest.fixture(scope="module")
def mart(tmp_path_factory):
    deployment = config.load(simulate(tmp_path_factory.mktemp("day"), P, []))
    run_cycle(deployment)
    con = duckdb.connect(str(deployment.mart_path), read_only=True)
    yield con
    con.close()


def one(con, sql: str):
    return con.execute(sql).fetchall()[0]


def test_agent_group_report_by_day(mart):
    """Agent group handling by local day: every group's accepted calls; the service groups and Outbound
    hold each agent once at any time (the simulator's configuration), so they add up to the agents'."""
    rows = mart.execute(
        """SELECT dt.LABEL_YYYY_MM_DD, g.GROUP_NAME, sum(a.OFFERED) AS OFFERED, sum(a.ACCEPTED) AS ACCEPTED,
                  round(sum(a.ENGAGE_TIME) / nullif(sum(a.ACCEPTED), 0)) AS AVG_ENGAGE
           FROM AG2_AGENT_GRP_DAY AS a
           JOIN GROUP_ AS g ON g.GROUP_KEY = a.GROUP_KEY
           JOIN DATE_TIME AS dt ON dt.DATE_TIME_KEY = a.DATE_TIME_KEY
           JOIN MEDIA_TYPE AS mt ON mt.MEDIA_TYPE_KEY = a.MEDIA_TYPE_KEY
           WHERE mt.MEDIA_NAME_CODE = 'VOICE'
           GROUP BY ALL ORDER BY 1, 2"""
    ).fetchall()
    by_group = {g: accepted for _, g, _, accepted, _ in rows}
    (agents,) = one(mart, "SELECT sum(ACCEPTED) FROM AG2_AGENT_DAY")
    assert by_group["Seniors"] > 0
    assert sum(n for g, n in by_group.items() if g != "Seniors") == agents


def test_handling_report_by_interaction_type_and_technical_result(mart):
    """Attempts by interaction type, subtype and technical result, with their display names."""
    (shown,) = one(
        mart,
        """SELECT sum(n) FROM (
             SELECT dt.LABEL_YYYY_MM_DD_HH24, it.INTERACTION_TYPE, it.INTERACTION_SUBTYPE, td.RESOURCE_ROLE,
                    td.ROLE_REASON, td.TECHNICAL_RESULT, td.RESULT_REASON, count(*) AS n
             FROM INTERACTION_RESOURCE_FACT AS irf
             JOIN DATE_TIME AS dt ON dt.DATE_TIME_KEY = irf.START_DATE_TIME_KEY
             JOIN INTERACTION_TYPE AS it ON it.INTERACTION_TYPE_KEY = irf.INTERACTION_TYPE_KEY
             JOIN TECHNICAL_DESCRIPTOR AS td ON td.TECHNICAL_DESCRIPTOR_KEY = irf.TECHNICAL_DESCRIPTOR_KEY
             JOIN RESOURCE_ AS r ON r.RESOURCE_KEY = irf.RESOURCE_KEY
             GROUP BY ALL)""",
    )
    (facts,) = one(mart, "SELECT count(*) FROM INTERACTION_RESOURCE_FACT")
    assert shown == facts and facts > 400


def test_outbound_report_by_call_result_and_dialing_mode(mart):
    """Dial attempts by campaign, dialing mode and call result, by their display names."""
    rows = mart.execute(
        """SELECT c.CAMPAIGN_NAME, dm.DIALING_MODE, cr.CALL_RESULT, cr.CALL_RESULT_TYPE, count(*) AS n
           FROM CONTACT_ATTEMPT_FACT AS f
           JOIN CAMPAIGN AS c ON c.CAMPAIGN_KEY = f.CAMPAIGN_KEY
           JOIN DIALING_MODE AS dm ON dm.DIALING_MODE_KEY = f.DIALING_MODE_KEY
           JOIN CALL_RESULT AS cr ON cr.CALL_RESULT_KEY = f.CALL_RESULT_KEY
           GROUP BY ALL"""
    ).fetchall()
    (attempts,) = one(mart, "SELECT count(*) FROM CONTACT_ATTEMPT_FACT WHERE CALL_RESULT_KEY IS NOT NULL")
    assert sum(r[-1] for r in rows) == attempts > 0
    assert all(r[1] and r[2] for r in rows), "every mode and result has its display name"


def test_agent_state_report_by_state_name_and_place(mart):
    """Seconds per summarised state by its name; the classic site's handling by place."""
    rows = mart.execute(
        """SELECT rs.STATE_NAME_CODE, rs.STATE_TYPE, sum(f.TOTAL_DURATION)
           FROM SM_RES_STATE_FACT AS f JOIN RESOURCE_STATE AS rs ON rs.RESOURCE_STATE_KEY = f.RESOURCE_STATE_KEY
           GROUP BY ALL"""
    ).fetchall()
    assert {"READY", "NOTREADY"} <= {r[0] for r in rows}
    (seated,) = one(
        mart,
        """SELECT count(*) FROM INTERACTION_RESOURCE_FACT AS irf JOIN PLACE AS p ON p.PLACE_KEY = irf.PLACE_KEY""",
    )
    (with_place,) = one(mart, "SELECT count(PLACE_KEY) FROM INTERACTION_RESOURCE_FACT")
    assert seated == with_place > 0
