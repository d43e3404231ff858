"""The `idbmart` command (shared/domain/INTERFACE.md): verbs, options, one-line errors, exit codes."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import duckdb

from idbmart import __version__
from idbmart.errors import IdbmartError

EXIT_ERROR = 1
# the cycle committed, but some sources were skipped or a readers' store not published (they catch up next time)
EXIT_PARTIAL = 2
EXIT_WARNING = 3  # `check`: no invariant is broken, but a rate is below its floor (a warning expectation)
EXIT_USAGE = 64  # the command line itself is wrong (sysexits' EX_USAGE): not 2, which means a partial run


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on their own exit code (argparse's 2 is our partial run)."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="idbmart",
        description="Genesys Info Mart-style ETL: ICON Interaction Databases (IDBs) into one DuckDB reporting mart.",
    )
    p.add_argument("--version", action="version", version=f"idbmart {__version__}")
    p.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="stderr log lines: text, or JSON for log shippers",
    )
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    s = verbs.add_parser("simulate", help="write a simulated deployment: IDB snapshots, deployment file, ground truth")
    s.add_argument("--out", required=True, type=Path, help="folder to write into")
    s.add_argument("--calls", type=int, default=2_000, help="calls per day (default 2000)")
    s.add_argument("--days", type=int, default=1, help="days to simulate (default 1)")
    s.add_argument("--seed", type=int, default=1, help="random seed: same seed, same output (default 1)")
    s.add_argument(
        "--faults",
        nargs="*",
        default=[],
        metavar="SPEC",
        help="faults to inject: 'default', or specs such as gap:dc1_node1_a:10:00-11:00, "
        "down:IDB:HH:MM-HH:MM, late:IDB:0.02:900, dup:IDB, stuck:1, skew:3:3 (see docs/simulator.md)",
    )
    s.add_argument("--format", choices=("duckdb", "parquet"), default="duckdb", help="IDB snapshot format")
    s.add_argument("--classic", action="store_true", help="add a classic T-Server site (a mixed deployment)")
    s.add_argument(
        "--sites",
        type=int,
        metavar="N",
        help="add N classic T-Server sites, each with its own HA pair, data center and clock (implies --classic)",
    )
    s.add_argument(
        "--media",
        default="voice",
        help="media, comma-separated: voice, and chat / email for blended agents' chats and e-mails with their "
        "sessions, interaction queues and workbin (an Interaction Server's ICON pair); default voice",
    )
    s.add_argument("--at", help="snapshot time, UTC, YYYY-MM-DDTHH:MM (default: 1 h after the last day)")

    r = verbs.add_parser("run", help="one ETL cycle: extract what is new and terminated, HA choice, transform, load")
    r.add_argument("--config", required=True, type=Path, help="deployment file (TOML)")

    b = verbs.add_parser("backfill", help="rebuild a window of the mart and re-aggregate it")
    b.add_argument("--config", required=True, type=Path)
    b.add_argument("--from", dest="from_date", required=True, help="first day (YYYY-MM-DD)")
    b.add_argument("--to", dest="to_date", required=True, help="last day (YYYY-MM-DD)")

    c = verbs.add_parser("check", help="run the data-quality suites on the mart; non-zero exit on failure")
    c.add_argument("--config", required=True, type=Path)

    g = verbs.add_parser(
        "gdpr", help="apply a GDPR request (forget or export a customer or an employee) to the mart and its readers"
    )
    g.add_argument("--config", required=True, type=Path)
    g.add_argument("--request", required=True, type=Path, help="the request file (TOML: docs/gdpr.md)")
    g.add_argument("--out", type=Path, help="export: the JSON file to write (default: beside the request)")

    q = verbs.add_parser(
        "sql", help="run Info Mart report SQL (T-SQL, Oracle or PostgreSQL) on the mart: transpiled to DuckDB, CSV out"
    )
    q.add_argument("--config", required=True, type=Path)
    q.add_argument(
        "--dialect", default="tsql", help="the query's dialect: tsql, oracle, postgres or duckdb (default tsql)"
    )
    q.add_argument("--file", type=Path, help="read the query from this file")
    q.add_argument("query", nargs="?", help="the query (or --file)")
    q.add_argument("--show", action="store_true", help="print the DuckDB SQL instead of running it")

    dash = verbs.add_parser(
        "dashboard", help="write one self-contained HTML page of the mart's latest day (charts; no network needed)"
    )
    dash.add_argument("--config", required=True, type=Path)
    dash.add_argument("--out", type=Path, help="the page's path (default: dashboard.html beside the mart)")

    d = verbs.add_parser(
        "demo", help="build a small deployment in a temporary folder and show what idbmart reads from it"
    )
    d.add_argument("--out", type=Path, help="keep the demo deployment in this folder instead of a temporary one")

    src = verbs.add_parser("sources", help="validate a deployment file and check every source IDB (read-only)")
    src.add_argument("--config", required=True, type=Path)
    src.add_argument("--counts", action="store_true", help="also count the rows of every table (slow on large IDBs)")

    from idbmart.bench import MEMORY_LIMIT  # light: the bench's heavy imports are inside its functions

    b = verbs.add_parser("bench", help="benchmark the pipeline on a large simulated deployment")
    b.add_argument("--calls", type=int, default=1_000_000, help="calls in the simulated day (default 1,000,000)")
    b.add_argument("--cycles", type=int, default=96, help="intraday cycles the day is cut into (default 96: 15 min)")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--out", type=Path, help="work folder, kept (default: a temporary folder, removed)")
    b.add_argument(
        "--memory-limit",
        default=MEMORY_LIMIT,
        help=f'the mart\'s DuckDB memory_limit (default "{MEMORY_LIMIT}"; "" for none)',
    )
    b.add_argument("--report", type=Path, help="also write the results, as Markdown, to this file")
    b.add_argument(
        "--history-days",
        type=int,
        default=0,
        metavar="N",
        help="then the same day's cycles on a mart already holding N days of the same volume, side by side (default 0)",
    )
    b.add_argument(
        "--readers-postgresql",
        default="",
        metavar="URI",
        help="also publish each cycle to a PostgreSQL readers' mart there (a schema per mart: bench_intraday, ...)",
    )
    b.add_argument(
        "--sites",
        type=int,
        default=30,
        help="then a day of a tenth of the calls over the cluster and this many classic sites (default 30; 0: none)",
    )
    return p


def _sources(args) -> int:
    from idbmart import config
    from idbmart.extract.inventory import inventory
    from idbmart.report import print_inventory

    deployment = config.load(args.config)
    statuses = inventory(deployment, counts=args.counts)
    print_inventory(deployment, statuses)
    return 0 if all(s.ok for s in statuses) else EXIT_ERROR


def _simulate(args) -> int:
    import time
    from datetime import UTC, datetime

    from idbmart.fixtures.simulator import Params, simulate

    if args.calls < 1 or args.days < 1 or (args.sites is not None and not 1 <= args.sites <= 99):
        raise IdbmartError("--calls and --days must be at least 1, --sites 1 to 99")
    at = None
    if args.at:
        try:
            at = int(datetime.strptime(args.at, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC).timestamp())
        except ValueError:
            raise IdbmartError(f"--at {args.at!r} is not YYYY-MM-DDTHH:MM") from None
    started = time.perf_counter()
    media = tuple(m.strip() for m in args.media.split(","))
    if set(media) - {"voice", "chat", "email"} or "voice" not in media:
        raise IdbmartError(f"--media {args.media!r}: voice, and chat and/or email")
    sites = {} if args.sites is None else {"classic": True, "sites": args.sites}
    params = Params(
        calls=args.calls, days=args.days, seed=args.seed, media=media, **({"classic": args.classic} | sites)
    )
    path = simulate(args.out, params, args.faults, args.format, at, progress=lambda m: print(f"  {m}", flush=True))
    print(
        f"simulated {args.calls} calls/day x {args.days} day(s), seed {args.seed}, "
        f"in {time.perf_counter() - started:.1f} s"
    )
    print(f"deployment file  {path}")
    print(f"ground truth     {path.parent / 'truth'}/")
    return 0


def _run(args) -> int:
    from idbmart import config
    from idbmart.cycle import run_cycle

    deployment = config.load(args.config)
    result = run_cycle(deployment)  # its progress: the idbmart loggers' lines on stderr (idbmart.logs)
    return _committed(deployment, result, "run")


def _committed(deployment, result, verb: str) -> int:
    """After a committed cycle or backfill: publish the readers' stores, print what it did, the exit code."""
    from idbmart.load.publish import publish
    from idbmart.load.publish_postgresql import ReadersError, publish_postgresql
    from idbmart.report import print_cycle

    def how(done) -> str:
        return f"the changes, {done.rows} rows" if done.mode == "changes" else f"the whole mart: {done.why}"

    done = publish(deployment)
    if done:
        print(f"published the readers' copy {deployment.reader_path} ({how(done)}) in {done.seconds:.2f} s",
              file=sys.stderr)  # fmt: skip
    unpublished = ""
    try:
        pg = publish_postgresql(deployment)
    except ReadersError as e:  # the mart and the readers' copy are committed: the next run catches it up
        pg, unpublished = None, str(e)
    if pg:
        print(f"published the PostgreSQL readers' mart, schema {pg.schema} ({how(pg)}) in {pg.seconds:.2f} s",
              file=sys.stderr)  # fmt: skip
    print_cycle(result)
    for o in result.quality.warnings if result.quality else ():
        print(f"idbmart {verb}: warning: {o.label} ({o.why}); report {result.report}", file=sys.stderr)
    if unpublished:
        print(f"idbmart {verb}: committed, but not published: {unpublished}", file=sys.stderr)
    if result.skipped:
        names = ", ".join(s.source.name for s in result.skipped)
        print(f"idbmart {verb}: committed, but {len(result.skipped)} source(s) skipped: {names}", file=sys.stderr)
    return EXIT_PARTIAL if unpublished or result.skipped else 0


def _backfill(args) -> int:
    from datetime import date

    from idbmart import config
    from idbmart.jobs import backfill

    try:
        first, last = date.fromisoformat(args.from_date), date.fromisoformat(args.to_date)
    except ValueError as e:
        raise IdbmartError(f"--from/--to must be YYYY-MM-DD: {e}") from None
    deployment = config.load(args.config)
    result = backfill(deployment, first, last)  # its progress: the idbmart loggers' lines on stderr
    return _committed(deployment, result, "backfill")


def _check(args) -> int:
    from idbmart import config
    from idbmart.quality.gate import check

    quality, report = check(config.load(args.config))
    for o in quality.failures:
        print(f"FAILED {o.suite}: {o.expectation}({o.column}) {o.unexpected or ''} {o.examples}".rstrip())
    for o in quality.warnings:
        print(f"WARNING {o.label}: {o.why}")
    print(quality.summary())
    print(f"report {report}")
    return EXIT_ERROR if not quality.ok else EXIT_WARNING if quality.warnings else 0


def _gdpr(args) -> int:
    from idbmart import config
    from idbmart.load import gdpr, mart
    from idbmart.load.publish import publish
    from idbmart.load.publish_postgresql import publish_postgresql

    deployment = config.load(args.config)
    request = gdpr.load_request(args.request)
    con = mart.connect(deployment.mart_path, deployment.memory_limit)
    try:
        if request.action == "export":
            out = args.out or args.request.with_suffix(".export.json")
            found = gdpr.export(con, request, out)
            print(f"exported {sum(found.values())} rows of {len(found)} tables to {out}")
            return 0
        changed = gdpr.forget(con, request)
    finally:
        con.close()
    for (table, column), n in sorted(changed.items()):
        print(f"{table}.{column}: {n} rows redacted")
    publish(deployment)  # the readers' copy loses them too (a whole copy), and its other buffer goes
    publish_postgresql(deployment)  # so does the PostgreSQL readers' mart (a whole copy); an error exits non-zero
    print(f"forgotten: {sum(changed.values())} values in {len(changed)} fields; the readers' stores published")
    return 0


def _sql(args) -> int:
    import csv

    from idbmart import config
    from idbmart.report_sql import run_report, to_duckdb

    if (args.file is None) == (args.query is None):
        raise IdbmartError("sql: give the query, or --file")
    sql = args.file.read_text() if args.file else args.query
    if args.show:
        print(to_duckdb(sql, args.dialect))
        return 0
    names, rows = run_report(config.load(args.config), sql, args.dialect)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(names)
    out.writerows(rows)
    return 0


def _dashboard(args) -> int:
    from idbmart import config
    from idbmart.dashboard import write_dashboard

    print(f"dashboard {write_dashboard(config.load(args.config), args.out)}")
    return 0


def _bench(args) -> int:
    import shutil

    from idbmart.bench import bench, render

    if (
        args.calls < 100
        or not 1 <= args.cycles <= 96 * 4
        or not 0 <= args.sites <= 99
        or not 0 <= args.history_days <= 400
    ):
        raise IdbmartError("--calls must be at least 100, --cycles between 1 and 384, --sites between 0 and 99, "
                           "--history-days between 0 and 400")  # fmt: skip
    work = args.out or Path(tempfile.mkdtemp(prefix="idbmart-bench-"))
    try:
        result = bench(
            work,
            args.calls,
            args.cycles,
            args.seed,
            args.memory_limit,
            lambda m: print(m, file=sys.stderr, flush=True),
            args.sites,
            args.readers_postgresql,
            args.history_days,
        )
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)
    text = render(result)
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return EXIT_ERROR if result.failure else 0


def _demo(args) -> int:
    from idbmart.demo import run_demo

    return run_demo(args.out)


def main(argv: list[str] | None = None) -> int:
    from idbmart import logs

    args = _parser().parse_args(argv)
    logs.setup(args.log_format)
    try:
        verbs = {"sources": _sources, "demo": _demo, "simulate": _simulate, "run": _run, "backfill": _backfill,
                 "check": _check, "bench": _bench, "dashboard": _dashboard,
                 "gdpr": _gdpr, "sql": _sql}  # fmt: skip
        return verbs[args.verb](args)
    except IdbmartError as e:
        print(f"idbmart {args.verb}: {e}", file=sys.stderr)
        return EXIT_ERROR
    except duckdb.OutOfMemoryException as e:
        why = str(e).splitlines()[0]
        print(f"idbmart {args.verb}: DuckDB ran out of memory ({why}); raise [mart] memory_limit or give the "
              "machine more; the mart is as it was before the cycle", file=sys.stderr)  # fmt: skip
        return EXIT_ERROR
    except duckdb.Error as e:  # anything else DuckDB refused: one line, the transaction rolled back
        print(f"idbmart {args.verb}: DuckDB: {str(e).splitlines()[0]}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
