"""`idbmart bench`: a day of a large contact center through the whole pipeline, stage by stage.

The simulator builds the day once (default 1,000,000 calls: a SIP Cluster of three HA nodes, the VQ
pair, two cfg IDBs and an OCS IDB). Then:

(b) intraday: the IDBs grow in place interval by interval, as ICON fills them (SnapshotSeries.advance),
    and a cycle runs after each, on its own mart: 96 cycles of 15 minutes by default;
(a) nightly: the whole day's IDBs read by one cycle into a fresh mart;
floor: DuckDB reading every column of every IDB row once, what no pipeline reading them can beat;
(c) sites: a tenth of the day's volume spread over the cluster and `sites` autonomous classic sites
    (each its own HA pair): the same intraday cycles, and the nightly cycle reading one source at a
    time beside `SITE_THREADS` at a time, which is what extraction concurrency buys.

Cycles run in a separate worker process (`python -m idbmart.bench worker`), so its figures are the
pipeline's alone: per stage wall seconds, rows in and out, and peak resident memory (Linux VmHWM,
reset per stage). The simulator's time is printed apart and is not part of any figure.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from idbmart.errors import IdbmartError
from idbmart.measure import Stages, watch

SITE_THREADS = 4  # the sites day's [extract] threads (its nightly also runs with 1, to compare)
# The mart's [mart] memory_limit in the bench: DuckDB's share of the 4 GB target. The process holds
# about 1.2 GB besides at 1M calls (Python, the libraries, the extracts' Arrow batches, the gate's
# frames and Great Expectations' work on them: the gate peaked 0.4 GB above the transform): with 3 GB
# (2.86 GiB) the nightly peaked at 4.12 GiB, with 2.8 GB at 3.93 GiB, as fast against its floor.
MEMORY_LIMIT = "2.8GB"
TARGETS = {"day_s": 120.0, "peak_gb": 4.0, "cycle_s": 5.0, "floor_ratio": 10.0, "aged_ratio": 1.2}
STAGES = ("extract", "stage", "ha", "transform", "aggregate", "quality", "commit", "publish", "publish_postgresql")
WHAT = {
    "extract": "rows read from the IDBs",
    "stage": "rows written: the chosen members' versions to GIDB_* (the others' recorded, not written)",
    "ha": "GIDB rows of the chosen members",
    "transform": "dimension and fact rows written",
    "aggregate": "AG2_* rows written",
    "quality": "rows validated / expectations",
    "commit": "the cycle's transaction committed",
    "publish": "the readers' copy",
    "publish_postgresql": "the PostgreSQL readers' mart (--readers-postgresql)",
}


@dataclass
class Figures:
    """One run of the pipeline (a cycle) or of the floor: per stage seconds, peak MB, rows in and out."""

    seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    rows: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


# -- the worker: runs cycles and the floor in its own process ------------------------------------------


def cycle_figures(result) -> Figures:
    """Seconds, peak MB, rows in and out per stage of a committed cycle (idbmart.cycle.CycleResult)."""
    stages = result.stages
    read = sum(sum(s.rows.values()) for s in result.sources)
    st, tr, ag, q = result.staged, result.transformed, result.aggregated, result.quality
    fact_rows = tr.inserted + tr.changed + tr.deleted
    gidb_in = result.gidb_rows[0]
    rows = {
        "extract": (read, read),
        "stage": (read, st.inserted),
        "ha": (st.inserted, gidb_in),
        "transform": (gidb_in, tr.inserted + tr.changed),
        "aggregate": (fact_rows, ag.inserted + ag.changed),
        "quality": (sum(q.rows.values()), len(q.outcomes)) if q else (0, 0),
        "commit": (0, 0),
        "publish": (0, 0),
        "publish_postgresql": (0, 0),
    }
    return Figures(dict(stages.seconds), dict(stages.peak_mb), {k: v for k, v in rows.items() if k in stages.seconds})


def floor(deployment) -> Figures:
    """DuckDB reading every column of every row of every IDB table once (streamed, nothing kept)."""
    import duckdb

    from idbmart.idb.schema import tables_for_roles

    stages, rows = Stages(), 0
    with stages.measure("read"):
        con = duckdb.connect()
        for s in deployment.sources:
            con.execute(f"ATTACH '{s.path}' AS src (READ_ONLY)")
            for t in tables_for_roles(s.roles):
                reader = con.sql(f"SELECT * FROM src.{t.name}").fetch_arrow_reader(1 << 17)
                rows += sum(batch.num_rows for batch in reader)
            con.execute("DETACH src")
        con.close()
    return Figures(dict(stages.seconds), dict(stages.peak_mb), {"read": (rows, rows)})


def worker(config_path: str, mart_path: str, memory_limit: str, threads: str = "", readers: str = "") -> int:
    """Serve the bench: one JSON command per stdin line ({"do": "cycle"} or {"do": "floor"}), one JSON
    reply per line on the original stdout (whatever else is printed goes to stderr). `threads`: the
    cycle's [extract] threads, if given; `readers`: a PostgreSQL readers' mart's URI (its schema named
    after the mart), if given."""
    from idbmart import config
    from idbmart.cycle import run_cycle
    from idbmart.load.publish import publish
    from idbmart.load.publish_postgresql import publish_postgresql

    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    mart = Path(mart_path)
    watch(Worker.stage_file(mart).write_text)  # the parent reads where a worker that died was
    deployment = replace(
        config.load(config_path),
        mart_path=mart,
        reader_path=mart.with_name(f"{mart.stem}_read.duckdb"),
        memory_limit=memory_limit or None,  # the mart's DuckDB ceiling (it ran unlimited before this was passed)
    )
    if threads:
        deployment = replace(deployment, extract=replace(deployment.extract, threads=int(threads)))
    if readers:
        schema = f"bench_{mart.stem}"
        deployment = replace(deployment, readers=config.ReadersOptions(postgresql=readers, postgresql_schema=schema))
    clock = time.perf_counter()
    if deployment.quality.gate:
        from idbmart.quality.suites import warm_up

        warm_up()
    replies.write(json.dumps({"startup_s": time.perf_counter() - clock}) + "\n")
    replies.flush()
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "cycle":
            result = run_cycle(deployment)
            with result.stages.measure("publish"):
                publish(deployment)
            if readers:
                with result.stages.measure("publish_postgresql"):
                    publish_postgresql(deployment)
            figures = cycle_figures(result)
        elif command["do"] == "floor":
            figures = floor(deployment)
        else:
            break
        replies.write(json.dumps(figures.__dict__) + "\n")
        replies.flush()
    return 0


class WorkerDied(RuntimeError):
    """A worker process ended before it replied (the OOM killer, most often: exit code -9)."""


class Worker:
    """The parent's handle on a worker process."""

    @staticmethod
    def stage_file(mart_path: Path) -> Path:
        return mart_path.with_suffix(".stage")

    def __init__(self, config_path: Path, mart_path: Path, memory_limit: str, threads: int | None = None,
                 readers: str = ""):  # fmt: skip
        self.stage = self.stage_file(mart_path)
        self.stage.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "idbmart.bench",
                "worker",
                str(config_path),
                str(mart_path),
                memory_limit,
                str(threads or ""),
                readers,
            ],  # fmt: skip
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.startup_s = self._reply()["startup_s"]

    def _reply(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            why = " (killed: out of memory?)" if code == -9 else ""
            where = f" during stage {self.stage.read_text()}" if self.stage.exists() else ""
            raise WorkerDied(f"the bench worker stopped with exit code {code}{why}{where}; any error is above")
        return json.loads(line)

    def ask(self, do: str) -> Figures:
        self.proc.stdin.write(json.dumps({"do": do}) + "\n")
        self.proc.stdin.flush()
        reply = self._reply()
        return Figures(reply["seconds"], reply["peak_mb"], {k: tuple(v) for k, v in reply["rows"].items()})

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


# -- the bench ------------------------------------------------------------------------------------------


@dataclass
class SitesResult:
    """The sites day: `sites` classic sites beside the cluster, read by `sources` IDBs."""

    sites: int
    calls: int
    sources: int
    simulate_s: float
    intraday: list[Figures] = field(default_factory=list)
    nightly: dict[int, Figures] = field(default_factory=dict)  # [extract] threads → the nightly cycle


@dataclass
class AgedResult:
    """The intraday cycles of a day run on a mart that already holds `days` days of the same volume."""

    days: int
    build_s: float  # simulating those days and loading them, a cycle per day (not the measured day's time)
    intraday: list[Figures] = field(default_factory=list)


@dataclass
class BenchResult:
    calls: int
    memory_limit: str
    simulate_s: float
    nightly: Figures | None  # None: not measured (see failure)
    floor: Figures | None
    intraday: list[Figures]
    advance_s: list[float]
    startup_s: float
    failure: str | None = None  # why the bench stopped early; what it measured before is kept
    sites: SitesResult | None = None  # None: not run
    aged: AgedResult | None = None  # None: not run (--history-days 0)


def bench(
    out: Path,
    calls: int = 1_000_000,
    cycles: int = 96,
    seed: int = 1,
    memory_limit: str = MEMORY_LIMIT,
    progress: Callable[[str], None] = lambda _: None,
    sites: int = 30,
    readers: str = "",
    history_days: int = 0,
) -> BenchResult:
    """Simulate the day, run it as `cycles` intraday cycles and as one nightly cycle, and the floor;
    then the sites day (none if `sites` is 0). `readers`: also publish to a PostgreSQL readers' mart
    there (a schema per mart: bench_intraday, bench_nightly, bench_aged). `history_days`: then the same
    day's volume in the same intraday cycles on a mart that holds that many days before it."""
    from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time
    from idbmart.fixtures.simulator.profile import DAY, DAY0

    _check_room_to_simulate(calls, history_days + 1)
    work = Path(out)
    # a mart left by an earlier bench would have read the day already
    for stale in ("intraday", "nightly", "sites_", "aged"):
        for f in work.glob(f"{stale}*.duckdb*"):
            f.unlink()
    p = Params(calls=calls, days=1, seed=seed)
    clock = time.perf_counter()
    progress(f"simulating a day of {calls:,} calls into {work} ...")
    series = SnapshotSeries(work / "world", p)
    simulate_s = time.perf_counter() - clock
    progress(f"  built in {simulate_s:.1f} s")

    result = BenchResult(calls, memory_limit, simulate_s, None, None, [], [], 0.0)
    try:
        progress(f"intraday: {cycles} cycles ...")
        worker_ = Worker(series.path, work / "intraday.duckdb", memory_limit, readers=readers)
        result.startup_s = worker_.startup_s
        for k in range(1, cycles + 1):
            clock = time.perf_counter()
            series.advance(DAY0 + k * DAY // cycles)
            result.advance_s.append(time.perf_counter() - clock)
            result.intraday.append(worker_.ask("cycle"))
            if k % 8 == 0 or k == cycles:
                progress(f"  cycle {k}/{cycles}: {result.intraday[-1].total:.2f} s "
                         f"(IDBs advanced in {result.advance_s[-1]:.2f} s)")  # fmt: skip
        worker_.close()

        progress("nightly: the whole day in one cycle ...")
        clock = time.perf_counter()
        series.advance(default_snapshot_time(p))
        result.advance_s.append(time.perf_counter() - clock)
        worker_ = Worker(series.path, work / "nightly.duckdb", memory_limit, readers=readers)
        result.nightly = worker_.ask("cycle")
        progress("floor: DuckDB reading every IDB row once ...")
        result.floor = worker_.ask("floor")
        worker_.close()
    except WorkerDied as died:  # report what was measured, and where it stopped
        result.failure = f"{'nightly' if len(result.intraday) == cycles else 'intraday'}: {died}"
        progress(f"  {result.failure}")
        return result
    if history_days:
        try:
            result.aged = _aged_day(work, calls, cycles, seed, memory_limit, history_days, progress, readers)
        except WorkerDied as died:
            result.failure = f"aged mart: {died}"
            progress(f"  {result.failure}")
            return result
    if sites:
        try:
            result.sites = _sites_day(work, max(100, calls // 10), sites, cycles, seed, memory_limit, progress)
        except WorkerDied as died:
            result.failure = f"sites day: {died}"
            progress(f"  {result.failure}")
    return result


def _aged_day(work: Path, calls: int, cycles: int, seed: int, memory_limit: str, days: int, progress,
              readers: str) -> AgedResult:  # fmt: skip
    """`days` days of `calls` each loaded a day per cycle (as a nightly job would), then day `days + 1` in
    `cycles` intraday cycles: the same volume and shape of traffic as the fresh mart's day, other calls."""
    from idbmart.fixtures.simulator import Params, SnapshotSeries
    from idbmart.fixtures.simulator.profile import DAY, DAY0

    clock = time.perf_counter()
    progress(f"aged mart: simulating {days + 1} days of {calls:,} calls, loading {days} of them a day per cycle ...")
    series = SnapshotSeries(work / "aged_world", Params(calls=calls, days=days + 1, seed=seed))
    worker_ = Worker(series.path, work / "aged.duckdb", memory_limit, readers=readers)
    for d in range(1, days + 1):
        series.advance(DAY0 + d * DAY)
        done = worker_.ask("cycle")
        progress(f"  day {d}/{days}: {done.total:.1f} s")
    result = AgedResult(days, time.perf_counter() - clock)
    progress(f"  built in {result.build_s:.0f} s; day {days + 1}: {cycles} cycles ...")
    for k in range(1, cycles + 1):
        series.advance(DAY0 + days * DAY + k * DAY // cycles)
        result.intraday.append(worker_.ask("cycle"))
    worker_.close()
    return result


def _sites_day(work: Path, calls: int, sites: int, cycles: int, seed: int, memory_limit: str, progress) -> SitesResult:
    from idbmart.fixtures.simulator import Params, SnapshotSeries, default_snapshot_time
    from idbmart.fixtures.simulator.profile import DAY, DAY0

    p = Params(calls=calls, days=1, seed=seed, classic=True, sites=sites)
    clock = time.perf_counter()
    progress(f"sites day: {calls:,} calls over the cluster and {sites} classic sites ...")
    series = SnapshotSeries(work / "sites_world", p)
    result = SitesResult(sites, calls, len(series.idbs), time.perf_counter() - clock)
    worker_ = Worker(series.path, work / "sites_intraday.duckdb", memory_limit, SITE_THREADS)
    for k in range(1, cycles + 1):
        series.advance(DAY0 + k * DAY // cycles)
        result.intraday.append(worker_.ask("cycle"))
        if k % 8 == 0 or k == cycles:
            progress(f"  cycle {k}/{cycles}: {result.intraday[-1].total:.2f} s")
    worker_.close()
    series.advance(default_snapshot_time(p))
    for threads in (1, SITE_THREADS):
        progress(f"  nightly, {threads} source(s) at a time ...")
        worker_ = Worker(series.path, work / f"sites_nightly_{threads}.duckdb", memory_limit, threads)
        result.nightly[threads] = worker_.ask("cycle")
        worker_.close()
    return result


# -- the report -----------------------------------------------------------------------------------------


# The simulator holds every simulated day's rows in memory until it writes the IDBs (measured: 1.54 GB
# for 6 days of 20,000 calls, 0.93 GB for 3): about 1 GB per 100,000 calls and day, the pipeline's
# worker apart. A world larger than the machine was killed by the kernel minutes into the run.
SIMULATOR_GB_PER_CALL_DAY = 1.0 / 100_000


def _meminfo_gb(field: str) -> float | None:
    """A /proc/meminfo figure (MemTotal, MemAvailable) in GB; None where there is none (not Linux)."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        return int(fields[field].split()[0]) / 1024 / 1024
    except (OSError, KeyError, ValueError):
        return None


def _check_room_to_simulate(calls: int, days: int) -> None:
    """Refuse, before anything runs, a world the simulator cannot hold in this machine's memory."""
    available_gb = _meminfo_gb("MemAvailable")
    if available_gb is None:
        return  # nothing to go by
    needed_gb = calls * days * SIMULATOR_GB_PER_CALL_DAY
    if needed_gb > 0.8 * available_gb:
        raise IdbmartError(
            f"simulating {days} day(s) of {calls:,} calls needs about {needed_gb:.0f} GB of memory, and "
            f"{available_gb:.0f} GB are available: lower --calls or --history-days (the simulator holds every "
            "day until it writes the IDBs)"
        )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = _meminfo_gb("MemTotal") or 0.0
    import duckdb
    import polars

    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, polars {polars.__version__}"
    )


def render(r: BenchResult) -> str:
    """The bench's tables and targets, as Markdown (readable as plain text too)."""
    from idbmart.report import table

    lines = [f"machine: {machine()}", f"mart memory_limit: {r.memory_limit or 'DuckDB default'}", ""]
    if r.failure:
        lines += [f"STOPPED EARLY: {r.failure}", ""]
    idb_rows = f" ({r.floor.rows['read'][0]:,} IDB rows in all)" if r.floor else ""
    lines.append(
        f"simulated {r.calls:,} calls{idb_rows} in {r.simulate_s:.1f} s; "
        f"advancing the IDBs between cycles {sum(r.advance_s):.1f} s (neither is pipeline time)"
    )
    lines += ["", "(a) nightly: the whole day in one cycle", ""]
    lines.append(_table(table, [r.nightly]) if r.nightly else "not measured")
    lines += ["", f"(b) intraday: {len(r.intraday)} cycles, figures summed over the day (max per cycle)", ""]
    lines.append(_table(table, r.intraday) if r.intraday else "not measured")
    runs = [f for f in (r.nightly, *r.intraday) if f]
    peak_gb = max((m for f in runs for m in f.peak_mb.values()), default=0.0) / 1024
    targets = [
        _target("nightly day end to end", r.nightly.total if r.nightly else None, TARGETS["day_s"], "s"),
        _target("peak memory", peak_gb if runs else None, TARGETS["peak_gb"], "GB"),
    ]
    totals = sorted(f.total for f in r.intraday)
    targets.append(_target("slowest intraday cycle", totals[-1] if totals else None, TARGETS["cycle_s"], "s"))
    ratio = None
    if r.floor:
        read_s, read_rows = r.floor.seconds["read"], r.floor.rows["read"][0]
        ratio = r.nightly.total / read_s if read_s else float("inf")
        lines += ["", f"floor: DuckDB read {read_rows:,} rows in {read_s:.2f} s ({read_rows / read_s:,.0f} rows/s)"]
    targets.append(_target("pipeline / floor", ratio, TARGETS["floor_ratio"], "x"))
    lines += ["", table(["target", "measured", "limit", "verdict"], targets)]
    if totals:
        p95 = totals[min(len(totals) - 1, int(0.95 * len(totals)))]
        lines += [
            "",
            f"intraday cycle: median {statistics.median(totals):.2f} s, p95 {p95:.2f} s, max {totals[-1]:.2f} s; "
            f"a worker process's start-up (imports, GX context) {r.startup_s:.1f} s once",
        ]
    if r.sites:
        lines += ["", *_sites_lines(table, r.sites)]
    if r.aged and r.aged.intraday and r.intraday:
        lines += ["", *_aged_lines(table, r.intraday, r.aged)]
    return "\n".join(lines)


def _aged_lines(table, fresh: list[Figures], aged: AgedResult) -> list[str]:
    """The same intraday cycles on the fresh mart and on the aged one, stage by stage, side by side."""
    held = f"{aged.days} day{'s' if aged.days != 1 else ''}"
    lines = [f"(d) the intraday cycles on a fresh mart and on one holding {held} before the day "
             f"(built in {aged.build_s:.0f} s: simulated, a cycle per day)", ""]  # fmt: skip

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}x" if a else "-"

    rows = []
    for stage in STAGES:
        a = sum(f.seconds.get(stage, 0.0) for f in fresh)
        b = sum(f.seconds.get(stage, 0.0) for f in aged.intraday)
        if a or b:
            rows.append([stage, f"{a:.2f}", f"{b:.2f}", ratio(a, b)])
    picked = {}
    for name, pick in (("cycle median", statistics.median), ("cycle max", max)):
        a, b = picked[name] = pick([f.total for f in fresh]), pick([f.total for f in aged.intraday])
        rows.append([name, f"{a:.2f}", f"{b:.2f}", ratio(a, b)])
    lines.append(table(["stage (seconds over the day)", "fresh", f"{held} held", "aged / fresh"], rows))
    a, b = picked["cycle median"]
    verdict = _target("aged / fresh cycle (median)", b / a if a else None, TARGETS["aged_ratio"], "x")
    return [*lines, "", table(["target", "measured", "limit", "verdict"], [verdict])]


def _sites_lines(table, s: SitesResult) -> list[str]:
    lines = [
        f"(c) sites: {s.calls:,} calls over the SIP Cluster and {s.sites} classic sites, {s.sources} IDBs "
        f"(simulated in {s.simulate_s:.1f} s)",
        "",
    ]
    rows = [
        [f"nightly, {t} source(s) at a time", f"{f.seconds['extract']:.2f}", f"{f.rows['extract'][0]:,}",
         f"{f.total:.2f}"]
        for t, f in sorted(s.nightly.items())
    ]  # fmt: skip
    if s.intraday:
        totals = sorted(f.total for f in s.intraday)
        extract = sorted(f.seconds["extract"] for f in s.intraday)
        rows.append([f"intraday, {len(totals)} cycles, {SITE_THREADS} at a time: median (max)",
                     f"{statistics.median(extract):.2f} ({extract[-1]:.2f})",
                     f"{sum(f.rows['extract'][0] for f in s.intraday):,}",
                     f"{statistics.median(totals):.2f} ({totals[-1]:.2f})"])  # fmt: skip
    return [*lines, table(["cycle", "extract s", "rows read", "cycle s"], rows)]


def _table(table, runs: list[Figures]) -> str:
    rows = []
    for stage in STAGES:
        secs = [f.seconds[stage] for f in runs if stage in f.seconds]
        if not secs:
            continue
        rows_in = sum(f.rows.get(stage, (0, 0))[0] for f in runs)
        rows_out = sum(f.rows.get(stage, (0, 0))[1] for f in runs)
        total = sum(secs)
        rows.append(
            [
                stage,
                f"{total:.2f}",
                f"{max(secs):.2f}" if len(runs) > 1 else "",
                f"{rows_in:,}",
                f"{rows_out:,}",
                f"{rows_in / total:,.0f}" if rows_in and total else "",
                f"{max(f.peak_mb.get(stage, 0) for f in runs):,.0f}",
                WHAT[stage],
            ]
        )
    total = sum(f.total for f in runs)
    rows.append(["total", f"{total:.2f}", f"{max(f.total for f in runs):.2f}" if len(runs) > 1 else "",
                 "", "", "", f"{max(max(f.peak_mb.values()) for f in runs):,.0f}", ""])  # fmt: skip
    return table(["stage", "seconds", "max/cycle", "rows in", "rows out", "rows/s", "peak MB", "what"], rows)


def _target(name: str, value: float | None, limit: float, unit: str) -> list[str]:
    if value is None:
        return [name, "not measured", f"<= {limit:g} {unit}", "unknown"]
    verdict = "met" if value <= limit else f"{value / limit:.1f}x over"
    return [name, f"{value:,.2f} {unit}", f"<= {limit:g} {unit}", verdict]


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(worker(*sys.argv[2:7]))
    sys.exit(
        "usage: python -m idbmart.bench worker CONFIG MART MEMORY_LIMIT [THREADS [READERS_URI]] "
        "(the bench is `idbmart bench`), "
        f"not {sys.argv[1:]}"
    )
