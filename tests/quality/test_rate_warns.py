"""A rate below its floor warns; only a broken invariant blocks a load (MART.md, "A rate below a floor
warns; it does not stop a load"). The SIP Cluster agent recovery rate is such a rate: a small cycle
with one party on a DN nobody was logged into when it rang must commit, and say so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.scenarios.cluster_agent_other_node import cluster_agent_other_node

# Slow (a scenario's cycle and `idbmart check`): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

IDBMART = str(Path(sys.executable).parent / "idbmart")


def test_a_low_agent_recovery_rate_warns_and_the_cycle_commits(tmp_path):
    """The scenario's call 3 rings DN 70009 at 12:00:10; here Cy logs into 70009 only at 13:00, so the
    party is judged (a session on its DN ended after it began) and not recovered: 2 of 3 parties, a
    rate of 0.667 under the floor of 0.9. The cycle commits all three interactions; the gate's result
    is a warning in CTL_QUALITY_RESULT, the audit row and the report, and `idbmart check` exits 3."""
    s = cluster_agent_other_node()
    s.login("Cy", "13:00:00", "14:00:00", [("READY", "13:00:05")])
    deployment = config.load(s.write(tmp_path))
    result = run_cycle(deployment)

    assert result.quality.ok
    assert [o.suite for o in result.quality.warnings] == ["agent_recovery"]
    assert f"'RECOVERY_RATE': {round(2 / 3, 3)}" in result.quality.warnings[0].examples
    with duckdb.connect(str(deployment.mart_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM INTERACTION_FACT").fetchall() == [(3,)]
        assert con.execute("SELECT SUITE, SUCCESS, SEVERITY FROM CTL_QUALITY_RESULT WHERE NOT SUCCESS").fetchall() == [
            ("agent_recovery", False, "warn")
        ]
        assert con.execute("SELECT STATUS FROM CTL_AUDIT_LOG WHERE STEP = 'quality'").fetchall() == [("warned",)]
    assert "PASSED, WITH WARNINGS" in result.report.read_text()

    check = subprocess.run([IDBMART, "check", "--config", str(deployment.path)], capture_output=True, text=True)
    assert check.returncode == 3, check.stdout + check.stderr
    assert "WARNING agent_recovery" in check.stdout
