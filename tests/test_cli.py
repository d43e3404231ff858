"""The `idbmart` command as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

from idbmart import config
from idbmart.config import Source
from idbmart.demo import DEMO
from idbmart.fixtures import tiny
from idbmart.fixtures.simulator.profile import DAY, DAY0

# Slow (the installed command in subprocesses: demo, bench, simulate): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

IDBMART = str(Path(sys.executable).parent / "idbmart")
INTERFACE_VERBS = ["simulate", "run", "backfill", "check", "demo"]


def idbmart(*args: str) -> subprocess.CompletedProcess:
    """Run the command from a scratch folder, so a relative path can never write into the checkout."""
    with tempfile.TemporaryDirectory() as cwd:
        return subprocess.run([IDBMART, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_help_lists_every_verb_of_the_interface():
    out = idbmart("--help")
    assert out.returncode == 0
    for verb in INTERFACE_VERBS + ["sources", "bench"]:
        assert f"    {verb} " in out.stdout, verb


def test_bench_runs_a_small_day_through_both_schedules_and_prints_every_stage(tmp_path):
    """The benchmark at a small scale: it works, nothing more is timed. Its intraday marts and its
    nightly mart come from the same world, so they hold the same interactions that ended before the
    last intraday cycle (00:00 next day; the nightly reads one hour later)."""
    args = ["bench", "--calls", "1500", "--cycles", "3", "--out", str(tmp_path), "--report", str(tmp_path / "r.md"),
            "--sites", "3"]  # fmt: skip
    out = subprocess.run([IDBMART, *args], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "r.md").read_text().strip() == out.stdout.strip()
    for heading in ("(a) nightly", "(b) intraday: 3 cycles", "floor: DuckDB read", "pipeline / floor",
                    "(c) sites: 150 calls over the SIP Cluster and 3 classic sites, 19 IDBs"):  # fmt: skip
        assert heading in out.stdout, heading
    # the sites day: its nightly read one source at a time and four at a time, the same rows either way
    nightly = re.findall(r"^nightly, (\d) source\(s\) at a time +[0-9.]+ +([0-9,]+)", out.stdout, re.M)
    assert [n for n, _ in nightly] == ["1", "4"] and nightly[0][1] == nightly[1][1] != "0", nightly
    for stage in ("extract", "stage", "ha", "transform", "aggregate", "quality", "commit", "publish"):
        assert len(re.findall(rf"^{stage} +[0-9]", out.stdout, re.M)) == 2, stage  # a row in each table
    day_end = DAY0 + DAY
    counts = []
    for mart in ("intraday.duckdb", "nightly.duckdb"):
        con = duckdb.connect(str(tmp_path / mart), read_only=True)
        counts.append(con.execute(f"SELECT count(*) FROM INTERACTION_FACT WHERE END_TS < {day_end}").fetchone()[0])
        con.close()
    assert counts[0] == counts[1] > 1000
    # Run again in the same folder: the marts start empty again, so the nightly cycle reads the whole day.
    # With --history-days 1 the same cycle then runs on a mart that holds the day before it.
    again = subprocess.run([IDBMART, *args[:4], "1", *args[5:7], "--sites", "0", "--history-days", "1"],
                           capture_output=True, text=True, timeout=900)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert _nightly_rows_read(again.stdout) == _nightly_rows_read(out.stdout) > 0
    assert "(d) the intraday cycles on a fresh mart and on one holding 1 day before the day" in again.stdout
    assert re.search(r"^aged / fresh cycle \(median\) +[0-9.]+ x", again.stdout, re.M), again.stdout
    con = duckdb.connect(str(tmp_path / "aged.duckdb"), read_only=True)
    days = con.execute("SELECT count(DISTINCT START_TS // 86400) FROM INTERACTION_FACT").fetchone()[0]
    con.close()
    assert days >= 2  # the day held and the day measured


def test_bench_whose_worker_dies_says_where_and_exits_non_zero(tmp_path):
    """The mart's memory limit reaches the bench's worker: at 2 MB DuckDB cannot even stage the first
    extract, the worker stops, and the bench reports where instead of losing what it measured."""
    args = ["bench", "--calls", "300", "--cycles", "1", "--out", str(tmp_path), "--memory-limit", "2MB"]
    out = subprocess.run([IDBMART, *args], capture_output=True, text=True, timeout=600)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "STOPPED EARLY: intraday: the bench worker stopped with exit code 1 during stage extract" in out.stdout
    assert "nightly day end to end  not measured" in out.stdout


def test_bench_refuses_a_world_the_simulator_cannot_hold_before_running_anything(tmp_path):
    """The simulator holds every day in memory (about 1 GB per 100,000 calls and day): 400 days of a
    million calls (some 4 TB) is refused at once, with the figures, not killed by the kernel later."""
    args = ["bench", "--calls", "1000000", "--history-days", "399", "--out", str(tmp_path)]
    out = subprocess.run([IDBMART, *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "simulating 400 day(s) of 1,000,000 calls needs about 4000 GB of memory" in out.stderr
    assert list(tmp_path.iterdir()) == []


def _nightly_rows_read(report: str) -> int:
    """Rows in of the nightly table's extract row (the first table of the report)."""
    return int(re.search(r"^extract +[0-9.]+ +([0-9,]+)", report, re.M).group(1).replace(",", ""))


def test_demo_simulates_a_deployment_checks_every_source_and_runs_a_cycle():
    out = idbmart("demo")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    truth_at = lines.index("What really happened (ground truth):")
    cycle_at = lines.index("One ETL cycle (idbmart run):")
    # 3 node pairs, the VQ pair, 2 cfg, OCS 1's pair and OCS 2's ICON, the classic pair: 15 IDBs, all readable.
    rows = [line.split() for line in lines[:truth_at] if line.startswith(("dc1_", "dc2_"))]
    assert len(rows) == 15 and all(r[7] == "ok" for r in rows)
    # The truth table accounts for exactly the demo's 1000 interactions.
    counts = []
    for line in lines[truth_at + 3 :]:
        if not line:
            break
        counts.append(int(line.split()[-1]))
    assert sum(counts) == DEMO.calls
    # The cycle read all 15 sources and put every true call in GIDB once.
    extracted = [line.split() for line in lines[cycle_at:] if line.startswith(("dc1_", "dc2_")) and " ok " in line]
    assert len({r[0] for r in extracted if r[1] == "ok"}) == 15
    summary = next(line for line in lines if "true calls; GIDB holds" in line).split()
    assert summary[0] == summary[5] == summary[9], summary
    # It ends by writing the dashboard, kept where the temporary folder is not (tests/test_dashboard.py)
    page = Path(next(line for line in lines if line.startswith("The dashboard (idbmart dashboard): ")).split(": ")[1])
    assert page.is_file() and page.read_text().startswith("<!doctype html>")


def test_sources_reports_a_broken_source_and_still_checks_the_others(tmp_path, tiny_duckdb):
    good = Source(name="site1_a", uri=f"duckdb://{tiny_duckdb}", ha_set="site1", primary=True, roles=tiny.ROLES)
    bad = Source(
        name="site1_b", uri="postgresql://icon@127.0.0.1:1/idb", ha_set="site1", primary=False, roles=tiny.ROLES
    )
    path = tmp_path / "deployment.toml"
    path.write_text(config.render("mart.duckdb", [good, bad]))
    out = idbmart("sources", "--config", str(path))
    assert out.returncode == 1
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.startswith("site1_")}
    assert rows["site1_a"][7] == "ok"
    assert rows["site1_b"][7] == "FAILED"
    assert "error: source 'site1_b': cannot connect to postgresql://icon@127.0.0.1:1/idb" in out.stdout


def test_a_wrong_command_line_has_its_own_exit_code_not_the_partial_runs(tmp_path):
    out = idbmart("run")  # --config missing
    assert out.returncode == 64
    assert out.stderr.splitlines()[-1] == "idbmart run: error: the following arguments are required: --config"


def test_a_bad_deployment_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text(
        '[mart]\npath = "m.duckdb"\n[[source]]\nname = "a"\nuri = "duckdb://nope.duckdb"\nroles = ["voice"]\n'
    )
    out = idbmart("sources", "--config", str(path))
    assert out.returncode == 1
    assert out.stderr == (
        f"idbmart sources: {path}: source 'a': unknown role 'voice' (known: cfg, gcc, gud, gls, gos)\n"
    )


def test_a_missing_snapshot_is_an_unreachable_source_not_a_bad_file(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text(
        '[mart]\npath = "m.duckdb"\n[[source]]\nname = "a"\nuri = "duckdb://nope.duckdb"\nroles = ["gcc"]\n'
    )
    out = idbmart("sources", "--config", str(path))
    assert out.returncode == 1
    assert f"source 'a': DuckDB snapshot {tmp_path}/nope.duckdb does not exist" in out.stdout


def test_a_mart_held_by_another_process_is_a_one_line_error(tmp_path, tiny_duckdb):
    """Issue: the error a real site hits most (a BI tool or an overlapping job holding the mart file)
    was a traceback. It is one line naming the mart and the holder, exit 1."""
    path = tmp_path / "d.toml"
    path.write_text(config.render(str(tmp_path / "m.duckdb"), [Source("a", f"duckdb://{tiny_duckdb}", "a", True,
                                                                      tuple(tiny.ROLES))]))  # fmt: skip
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(tmp_path / 'm.duckdb')!r}); "
         "print('holding', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        out = idbmart("run", "--config", str(path))
    finally:
        holder.communicate("\n", timeout=30)
    assert out.returncode == 1
    assert re.fullmatch(
        rf"idbmart run: the mart {re.escape(str(tmp_path / 'm.duckdb'))} is open in another process \(PID "
        rf"{holder.pid}\): DuckDB allows one writer and no reader beside it; wait for that job, or point readers "
        r"at \[mart\] reader_path\n",
        out.stderr,
    ), out.stderr


def test_simulate_is_deterministic_and_its_deployment_checks_clean(tmp_path):
    runs = []
    for name in ("one", "two"):
        out = idbmart(
            "simulate",
            "--out",
            str(tmp_path / name),
            "--calls",
            "300",
            "--seed",
            "5",
            "--faults",
            "default",
            "--format",
            "parquet",
        )
        assert out.returncode == 0, out.stderr
        runs.append(tmp_path / name)
    files = sorted(p.relative_to(runs[0]) for p in runs[0].rglob("*") if p.is_file())
    assert any(f.name == "G_PARTY.parquet" for f in files) and any(f.parts[0] == "truth" for f in files)
    for f in files:
        assert (runs[0] / f).read_bytes() == (runs[1] / f).read_bytes(), f
    check = idbmart("sources", "--config", str(runs[0] / "deployment.toml"))
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(" ok ") == 13  # 3 node pairs (6), the VQ pair (2), 2 cfg, OCS 1's pair, OCS 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--media", "voice,fax"], "--media 'voice,fax': voice, and chat and/or email"),
        (["--sites", "0"], "--calls and --days must be at least 1, --sites 1 to 99"),
        (["--sites", "3", "--faults", "skew:site4:2"], "fault 'skew:site4:2': there are classic sites 1 to 3"),
    ],
)
def test_simulate_rejects_a_wrong_site_or_media_option_in_one_line(tmp_path, args, message):
    out = idbmart("simulate", "--out", str(tmp_path), "--calls", "200", *args)
    assert out.returncode == 1 and out.stderr.strip().splitlines() == [f"idbmart simulate: {message}"], out.stderr


def test_simulate_rejects_an_unknown_fault_in_one_line(tmp_path):
    out = idbmart("simulate", "--out", str(tmp_path), "--faults", "gap:nowhere:10:00-11:00")
    assert out.returncode == 1
    assert out.stderr.startswith("idbmart simulate: fault 'gap:nowhere:10:00-11:00': no IDB named 'nowhere'")
    assert out.stderr.count("\n") == 1


def test_a_run_where_no_source_can_be_read_commits_nothing_and_fails(tmp_path):
    """Issue: a run where no source was reachable committed an empty run (and said all was well)."""
    path = tmp_path / "d.toml"
    path.write_text(
        '[mart]\npath = "m.duckdb"\n[[source]]\nname = "a"\nuri = "duckdb://gone.duckdb"\nroles = ["gcc"]\n'
    )
    out = idbmart("run", "--config", str(path))
    assert out.returncode == 1
    assert out.stderr.splitlines()[-1] == (
        "idbmart run: no source could be read, nothing was committed: source 'a': DuckDB snapshot "
        f"{tmp_path}/gone.duckdb does not exist"
    )
    with duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM CTL_AUDIT_LOG").fetchone() == (0,)
