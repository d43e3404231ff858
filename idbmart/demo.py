"""`idbmart demo`: simulate a small deployment and run what idbmart can do with it so far.

Today that is: a simulated contact center day (SIP Cluster of three HA nodes, a virtual-queue pair,
configuration per data center, an OCS, a classic site; the default faults), its deployment file,
an inventory of every source through the real readers, one ETL cycle (extraction, HA choice into the
mart's GIDB layer, the star schema, the aggregates), the ground truth beside what the mart holds, and
a few figures an analyst would ask of the facts and of the aggregates. Later stages extend it.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import duckdb

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.dashboard import write_dashboard
from idbmart.extract.inventory import inventory
from idbmart.fixtures.simulator import Params, simulate
from idbmart.load.publish import publish
from idbmart.report import print_cycle, print_inventory, table

DEMO = Params(calls=1_000, days=1, seed=1, classic=True)


def run_demo(out: Path | None = None) -> int:
    with tempfile.TemporaryDirectory(prefix="idbmart-demo-") as tmp:
        folder = Path(out) if out else Path(tmp)
        started = time.perf_counter()
        path = simulate(folder, DEMO, ["default"])
        print(
            f"Simulated {DEMO.calls} calls on 2026-11-02 into {folder} in {time.perf_counter() - started:.1f} s"
            f"{'' if out else ' (temporary; use --out DIR to keep it)'}\n"
        )
        deployment = config.load(path)
        statuses = inventory(deployment)
        print_inventory(deployment, statuses)
        print()
        print_truth(folder / "truth")
        print("\nOne ETL cycle (idbmart run):")
        result = run_cycle(deployment)
        publish(deployment)
        print_cycle(result)
        print_gidb(deployment.mart_path, folder / "truth")
        print_star(deployment.mart_path)
        print_aggregates(deployment.mart_path)
        # kept when the temporary folder goes: beside the deployment with --out, else in the system's temp
        page = write_dashboard(
            deployment,
            folder / "dashboard.html" if out else Path(tempfile.gettempdir()) / "idbmart-demo-dashboard.html",
        )
        print(f"\nThe dashboard (idbmart dashboard): {page}")
        print("\nNext: `idbmart check --config <deployment>` runs every quality suite; the README shows the")
        print("Airflow DAGs (intraday, nightly, backfill) on this deployment; readers open the published copy.")
        return 0 if all(s.ok for s in statuses) and not result.skipped else 1


def print_truth(folder: Path) -> None:
    con = duckdb.connect()
    for f in sorted(folder.glob("*.parquet")):
        con.execute(f"CREATE VIEW {f.stem} AS SELECT * FROM read_parquet('{f}')")
    outcomes = con.execute("""SELECT OUTCOME, count(*) FROM TRUTH_CALL WHERE OUTCOME NOT IN ('consult', 'site_leg')
                              GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    print("What really happened (ground truth):")
    print(table(["outcome", "interactions"], [list(r) for r in outcomes]))
    agents = con.execute("""SELECT count(DISTINCT AGENTID), round(avg(TALK_S) FILTER (TALK_S > 0)),
                                   count(*) FILTER (CLUSTER AND AGENTID IS NOT NULL)
                            FROM TRUTH_PARTY WHERE AGENTID IS NOT NULL""").fetchone()
    print(
        f"\n{agents[0]} agents; mean talk time {agents[1]:.0f} s; {agents[2]} SIP Cluster agent parties whose "
        "agent the IDBs do not name (G_PARTY.AGENTID = 0): agent recovery must find them"
    )
    faults = con.execute("SELECT KIND, coalesce(IDB, ''), DETAIL, START_TS, END_TS FROM TRUTH_FAULT").fetchall()
    print("\nFaults injected:")
    for kind, idb, detail, start, end in faults:
        window = (
            f"{time.strftime('%H:%M', time.gmtime(start))}-{time.strftime('%H:%M', time.gmtime(end))}"
            if start is not None
            else ""
        )
        print(f"  {kind:<6} {idb:<14} {window:<12} {detail}")


def print_gidb(mart: Path, truth: Path) -> None:
    """The mart's GIDB layer beside the truth: every call once, and where the HA choice took it from."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{mart}' AS m (READ_ONLY)").fetchall()
    calls, in_gidb, once = con.execute(f"""
        SELECT (SELECT count(*) FROM read_parquet('{truth / "TRUTH_CALL.parquet"}')),
               (SELECT count(DISTINCT CALLID) FROM m.GIDB_G_CALL),
               (SELECT count(*) FROM m.GIDB_G_CALL)""").fetchall()[0]
    print(f"\n{calls} true calls; GIDB holds {in_gidb} distinct calls in {once} rows (each exactly once)")
    rows = con.execute("""SELECT HA_SET, SOURCE_NAME, REASON, count(*) FROM m.CTL_HA_DECISION
                          WHERE ENTITY_KIND = 'interaction' GROUP BY ALL ORDER BY ALL""").fetchall()
    print("Where each interaction was taken from (CTL_HA_DECISION):")
    print(table(["HA set", "member", "reason", "interactions"], [list(r) for r in rows]))


def print_star(mart: Path) -> None:
    """What an analyst would ask first of the facts: volumes, abandons, agents, SIP Cluster recovery."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{mart}' AS m (READ_ONLY); USE m").fetchall()
    by_type = con.execute("""
        SELECT t.INTERACTION_TYPE_CODE, count(*) FROM INTERACTION_FACT f
        JOIN INTERACTION_TYPE t USING (INTERACTION_TYPE_KEY) GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    inbound, abandoned, short = con.execute("""
        SELECT count(*),
               count(*) FILTER (EXISTS (SELECT 1 FROM INTERACTION_RESOURCE_FACT i JOIN TECHNICAL_DESCRIPTOR td
                                        USING (TECHNICAL_DESCRIPTOR_KEY) WHERE i.INTERACTION_ID = f.INTERACTION_ID
                                        AND td.TECHNICAL_RESULT_CODE = 'ABANDONED')),
               count(*) FILTER (EXISTS (SELECT 1 FROM MEDIATION_SEGMENT_FACT s WHERE s.INTERACTION_ID = f.INTERACTION_ID
                                        AND s.SHORT_ABANDONED_FLAG))
        FROM INTERACTION_FACT f WHERE INTERACTION_TYPE_KEY = 2""").fetchall()[0]
    agents = con.execute("""
        SELECT r.RESOURCE_NAME, count(*) FILTER (i.CUSTOMER_HANDLE_COUNT > 0) AS handled,
               round(avg(i.CUSTOMER_TALK_DURATION) FILTER (i.CUSTOMER_HANDLE_COUNT > 0)) AS talk,
               sum(i.AFTER_CALL_WORK_DURATION) AS acw, count(*) FILTER (i.AGENT_RECOVERED_FLAG) AS recovered
        FROM INTERACTION_RESOURCE_FACT i JOIN RESOURCE_ r USING (RESOURCE_KEY)
        WHERE r.RESOURCE_TYPE_CODE = 'AGENT' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5""").fetchall()
    n_agents, recovery = con.execute("""
        SELECT count(DISTINCT RESOURCE_KEY) FILTER (r.RESOURCE_TYPE_CODE = 'AGENT'),
               count(*) FILTER (AGENT_RECOVERED_FLAG) || ' of ' ||
               count(*) FILTER (AGENT_MATCH IN ('recovered', 'ambiguous', 'no_session'))
        FROM INTERACTION_RESOURCE_FACT JOIN RESOURCE_ r USING (RESOURCE_KEY)""").fetchall()[0]
    print("\nThe star schema (INTERACTION_FACT, INTERACTION_RESOURCE_FACT, MEDIATION_SEGMENT_FACT, RESOURCE_):")
    print(table(["interaction type", "interactions"], [list(r) for r in by_type]))
    print(f"inbound abandoned: {abandoned} of {inbound} ({100 * abandoned / max(inbound, 1):.1f} %), "
          f"{short} of them short abandons")  # fmt: skip
    print(f"{n_agents} agents handled calls; SIP Cluster parties whose agent was recovered from login sessions: "
          f"{recovery}")  # fmt: skip
    print("Busiest agents:")
    print(table(["agent", "handled", "mean talk s", "ACW s", "parties recovered"], [list(r) for r in agents]))


def print_aggregates(mart: Path) -> None:
    """What a wallboard or a daily report reads: queue service per hour, agent time per day."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{mart}' AS m (READ_ONLY); USE m").fetchall()
    hours = con.execute("""
        SELECT strftime(a.PERIOD_START_LOCAL, '%H:%M'), sum(ENTERED), sum(ACCEPTED),
               round(100 * sum(ACCEPTED_THR) / nullif(sum(ACCEPTED), 0), 1),
               sum(ABANDONED), sum(ABANDONED_STI), round(sum(ACCEPTED_TIME) / nullif(sum(ACCEPTED), 0), 1)
        FROM AG2_QUEUE_HOUR a JOIN RESOURCE_ r USING (RESOURCE_KEY)
        WHERE r.RESOURCE_TYPE_CODE = 'VIRTUALQUEUE' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5""").fetchall()
    agents = con.execute("""
        SELECT r.RESOURCE_NAME, s.LOGIN_TIME, round(100 * s.READY_TIME / s.LOGIN_TIME, 1),
               round(100 * (s.BUSY_TIME + s.WRAP_TIME) / s.LOGIN_TIME, 1), a.ACCEPTED,
               round(a.ENGAGE_TIME / nullif(a.ACCEPTED, 0)), a.WRAP_TIME
        FROM (SELECT RESOURCE_KEY, sum(LOGIN_TIME) AS LOGIN_TIME, sum(READY_TIME) AS READY_TIME,
                     sum(BUSY_TIME) AS BUSY_TIME, sum(WRAP_TIME) AS WRAP_TIME
              FROM AG2_I_SESS_STATE_DAY GROUP BY 1) s
        JOIN (SELECT RESOURCE_KEY, sum(ACCEPTED) AS ACCEPTED, sum(ENGAGE_TIME) AS ENGAGE_TIME,
                     sum(WRAP_TIME) AS WRAP_TIME FROM AG2_AGENT_DAY GROUP BY 1) a USING (RESOURCE_KEY)
        JOIN RESOURCE_ r USING (RESOURCE_KEY) ORDER BY a.ACCEPTED DESC, r.RESOURCE_NAME LIMIT 5""").fetchall()
    tz = con.execute("SELECT TIME_ZONE FROM CTL_AGGREGATE_SETTINGS").fetchall()[0][0]
    print(f"\nThe aggregates (AG2_*, periods in {tz}):")
    print("Virtual queues, busiest hours (AG2_QUEUE_HOUR):")
    print(table(["hour", "entered", "accepted", "% within 20 s", "abandoned", "short", "mean wait s"],
                [list(r) for r in hours]))  # fmt: skip
    print("Agents, the day (AG2_I_SESS_STATE_DAY, AG2_AGENT_DAY):")
    print(table(["agent", "logged in s", "% ready", "% busy+ACW", "accepted", "mean talk s", "ACW s"],
                [list(r) for r in agents]))  # fmt: skip
    campaigns = con.execute("""
        SELECT c.CAMPAIGN_NAME, d.DIALING_MODE_CODE, sum(ATTEMPTS), sum(CONNECTS),
               round(100 * sum(CONNECTS) / nullif(sum(ATTEMPTS), 0), 1), sum(ERRORS),
               round(sum(DIAL_TIME) / nullif(sum(CALLS), 0), 1), round(sum(ENGAGE_TIME) / nullif(sum(ENGAGED), 0))
        FROM AG2_CAMPAIGN_DAY a JOIN CAMPAIGN c USING (CAMPAIGN_KEY) JOIN DIALING_MODE d USING (DIALING_MODE_KEY)
        GROUP BY ALL ORDER BY 1""").fetchall()
    links = dict(con.execute("SELECT coalesce(LINK_PATH, 'no call'), count(*) FROM CONTACT_ATTEMPT_FACT GROUP BY 1")
                 .fetchall())  # fmt: skip
    print("Outbound campaigns, the day (AG2_CAMPAIGN_DAY):")
    print(table(["campaign", "mode", "attempts", "connects", "% connect", "no line", "mean dial s", "mean talk s"],
                [list(r) for r in campaigns]))  # fmt: skip
    print(f"dial attempts linked to their call: {links.get('CHAIN_CALL', 0)} through GOX_CHAIN_CALL, "
          f"{links.get('USER_DATA', 0)} through the call attempt GUID in user data (preview); "
          f"{links.get('no call', 0)} made no call")  # fmt: skip
