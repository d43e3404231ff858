"""`idbmart dashboard`: the page opens in a real headless Chromium with no network, and every chart is
drawn with the mart's numbers (read here from the readers' copy by queries of the test's own)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.dashboard import write_dashboard
from idbmart.fixtures.simulator import Params, simulate
from idbmart.load.publish import publish

pytestmark = pytest.mark.slow
CHARTS = ("queues", "agents", "states", "outbound", "ha")


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "no chromium: install Debian's chromium (README, Tests) to run the dashboard test"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """A simulated day loaded and published, its dashboard, and the DOM Chromium made of it."""
    browser = _chromium()
    folder = tmp_path_factory.mktemp("dashboard")
    deployment = config.load(simulate(folder, Params(calls=400, seed=11, nodes=1, classic=True), []))
    assert run_cycle(deployment).quality.ok
    assert publish(deployment)
    path = write_dashboard(deployment)
    assert path == deployment.mart_path.parent / "dashboard.html"
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000",
         f"--user-data-dir={folder / 'chromium'}", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip
    return deployment, dom


def chart(dom: str, name: str) -> str:
    """The part of the DOM from chart `name`'s div to the next chart's."""
    start = dom.index(f'id="{name}"')
    ends = [
        dom.index(f'id="{other}"') for other in CHARTS if f'id="{other}"' in dom and dom.index(f'id="{other}"') > start
    ]
    return dom[start : min(ends, default=len(dom))]


def texts(part: str) -> set[str]:
    """The text Plotly drew in SVG <text> elements."""
    return {html.strip() for html in re.findall(r"<text[^>]*>([^<]*)</text>", part)}


def test_every_chart_is_drawn_by_plotly_in_chromium(page):
    _, dom = page
    for name in CHARTS:
        part = chart(dom, name)
        assert 'class="main-svg"' in part, name  # plotly.js ran and drew it (no network needed)
        assert 'class="trace bars"' in part, name  # its bars drawn


def test_the_charts_show_the_mart_s_numbers(page):
    deployment, dom = page
    with duckdb.connect(str(deployment.reader_path), read_only=True) as con:
        # the busiest local hour's calls entering any queue
        entered = con.execute(
            "SELECT sum(ENTERED)::BIGINT FROM AG2_QUEUE_HOUR GROUP BY PERIOD_START_LOCAL ORDER BY 1 DESC LIMIT 1"
        ).fetchone()[0]
        # the agent who accepted most: calls, and seconds of talk, hold and wrap-up per call
        accepted, handle = con.execute("""
            SELECT sum(ACCEPTED), round(sum(ENGAGE_TIME + HOLD_TIME + WRAP_TIME) / sum(ACCEPTED), 1)
            FROM AG2_AGENT_DAY GROUP BY RESOURCE_KEY ORDER BY 1 DESC, 2 LIMIT 1""").fetchone()
        answered = con.execute("""
            SELECT count(*) FROM CONTACT_ATTEMPT_FACT JOIN CALL_RESULT USING (CALL_RESULT_KEY)
            WHERE CALL_RESULT_CODE = 'ANSWER'""").fetchone()[0]
        # the interactions the HA choice took from each member that served some
        taken = con.execute(
            "SELECT count(*) FROM CTL_HA_DECISION GROUP BY SOURCE_NAME, REASON ORDER BY 1 DESC LIMIT 1"
        ).fetchone()[0]
        sources = [s for (s,) in con.execute("SELECT DISTINCT SOURCE_NAME FROM CTL_EXTRACT_HISTORY").fetchall()]
    assert entered > 0 and answered > 0 and handle > 0
    assert str(entered) in texts(chart(dom, "queues"))
    assert f"{handle:.1f}" in texts(chart(dom, "agents"))
    assert str(answered) in texts(chart(dom, "outbound"))
    assert str(taken) in texts(chart(dom, "ha"))
    freshness = dom[dom.index("LAST_STATUS") :]
    assert all(f'<td class="">{s}</td>' in freshness for s in sources)


def test_the_command_writes_the_page_and_says_where_or_why_not_in_one_line(page, tmp_path):
    import sys
    from pathlib import Path

    deployment, _ = page
    idbmart = str(Path(sys.executable).parent / "idbmart")
    out = tmp_path / "today.html"
    done = subprocess.run([idbmart, "dashboard", "--config", str(deployment.path), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == f"dashboard {out}", done.stderr
    assert out.read_text().startswith("<!doctype html>")
    empty = tmp_path / "empty" / "deployment.toml"
    empty.parent.mkdir()
    empty.write_text(deployment.path.read_text().replace('path = "mart.duckdb"', 'path = "none.duckdb"'))
    refused = subprocess.run(
        [idbmart, "dashboard", "--config", str(empty)], capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
    assert "no mart at" in refused.stderr and "run a cycle" in refused.stderr
