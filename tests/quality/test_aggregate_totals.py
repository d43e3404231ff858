"""The aggregate totals (sql/quality/aggregate_totals.sql): a cycle's gate compares them over the days
the cycle touched (and the weeks, months... holding them), so its cost does not grow with the mart;
`idbmart check`, the nightly full check, compares the whole mart. Two simulated days, cycles on the
second: an aggregate row broken on the first day is the full check's to find, one broken on the second
day fails the next cycle's gate."""

from __future__ import annotations

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, SnapshotSeries
from idbmart.fixtures.simulator.profile import DAY0
from idbmart.quality.gate import QualityGateFailed, check
from tests.conftest import mart_with_truth

# Slow (simulated days and full checks): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

DAY = 86_400
HOUR = 3_600
P = Params(calls=300, seed=7, nodes=1, days=2)
NOON_2 = DAY0 + DAY + 12 * HOUR  # the deployment's days are UTC days


@pytest.fixture
def day_two(tmp_path):
    """Both IDBs' first day and the second day's morning loaded by one cycle."""
    series = SnapshotSeries(tmp_path / "world", P)
    series.write(NOON_2)
    deployment = config.load(series.path)
    assert run_cycle(deployment).quality.ok
    return series, deployment


def break_queue_interval(deployment, day_start: int) -> int:
    """One more queue entry than the facts hold, in every row of one 15-minute interval of AG2_QUEUE's
    15-minute level (the first of that day's with entries after 01:00): returns the rows changed."""
    con = duckdb.connect(str(deployment.mart_path))
    try:
        return con.execute(
            """UPDATE AG2_QUEUE_SUBHR SET ENTERED = ENTERED + 1
            WHERE DATE_TIME_KEY = (SELECT min(DATE_TIME_KEY) FROM AG2_QUEUE_SUBHR
                                   WHERE ENTERED > 0 AND DATE_TIME_KEY BETWEEN ? AND ?)""",
            [day_start + HOUR, day_start + DAY - 1],
        ).fetchall()[0][0]
    finally:
        con.close()


def totals_failed(failures) -> set[tuple[str, str]]:
    return {(o.suite, o.column) for o in failures if o.suite == "aggregate_totals"}


def test_a_cycle_compares_the_days_it_touched_and_the_full_check_every_day(day_two):
    series, deployment = day_two
    # The afternoon's cycle reads calls and login sessions that end then; none began on the first day.
    truth = mart_with_truth(deployment.mart_path, series.out / "truth")
    first_day = truth.execute(
        """SELECT (SELECT count(*) FROM TRUTH_CALL WHERE TERMINATED_TS > $after AND CREATED_TS < $day_two)
                + (SELECT count(*) FROM TRUTH_LOGIN_SESSION WHERE LOGOUT_TS > $after AND LOGIN_TS < $day_two)""",
        {"after": NOON_2 - HOUR, "day_two": DAY0 + DAY},
    ).fetchall()[0][0]
    truth.close()
    assert first_day == 0

    assert break_queue_interval(deployment, DAY0) > 0
    series.write(NOON_2 + 3 * HOUR)
    afternoon = run_cycle(deployment)
    assert afternoon.quality.ok, afternoon.quality.summary()
    assert afternoon.quality.rows["aggregate_totals"] > 0

    full, _ = check(deployment)
    assert not full.ok
    # The 15-minute level against the facts, the hour level against the 15-minute level.
    assert totals_failed(full.failures) == {("aggregate_totals", "AG2_TOTAL,FACT_TOTAL"),
                                            ("aggregate_totals", "AG2_TOTAL,ROLLUP_TOTAL")}  # fmt: skip


def test_a_broken_total_in_a_day_the_cycle_touched_fails_its_gate(day_two):
    series, deployment = day_two
    assert break_queue_interval(deployment, DAY0 + DAY) > 0  # 01:00 on: no later cycle recomputes it
    series.write(NOON_2 + 3 * HOUR)
    with pytest.raises(QualityGateFailed) as failed:
        run_cycle(deployment)
    assert totals_failed(failed.value.quality.failures) == {("aggregate_totals", "AG2_TOTAL,FACT_TOTAL"),
                                                            ("aggregate_totals", "AG2_TOTAL,ROLLUP_TOTAL")}  # fmt: skip
    assert "aggregate_totals" in str(failed.value)
