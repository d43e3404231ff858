"""The `idbmart` command (shared/domain/INTERFACE.md): verbs, options, one-line errors, exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from etl import __version__
from etl.errors import IdbmartError

# Verbs of the interface whose capability is not built yet: they say so and exit non-zero.
NOT_YET = {
    "simulate": "the IDB simulator",
    "run": "extraction, HA choice, transformation and loading",
    "backfill": "backfills",
    "check": "the data-quality suites",
    "bench": "the benchmark",
}
EXIT_ERROR = 1
EXIT_NOT_AVAILABLE = 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="idbmart",
        description="Genesys Info Mart-style ETL: ICON Interaction Databases (IDBs) into one DuckDB reporting mart.",
    )
    p.add_argument("--version", action="version", version=f"idbmart {__version__}")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    s = verbs.add_parser("simulate", help="write a simulated deployment: IDB snapshots, deployment file, ground truth")
    s.add_argument("--out", required=True, type=Path, help="folder to write into")
    s.add_argument("--calls", type=int, default=2_000, help="calls per day (default 2000)")
    s.add_argument("--days", type=int, default=1, help="days to simulate (default 1)")
    s.add_argument("--seed", type=int, default=1, help="random seed: same seed, same bytes (default 1)")
    s.add_argument("--faults", nargs="*", default=[], help="faults to inject per IDB")

    r = verbs.add_parser("run", help="one ETL cycle: extract what is new and terminated, HA choice, transform, load")
    r.add_argument("--config", required=True, type=Path, help="deployment file (TOML)")

    b = verbs.add_parser("backfill", help="rebuild a window of the mart and re-aggregate it")
    b.add_argument("--config", required=True, type=Path)
    b.add_argument("--from", dest="from_date", required=True, help="first day (YYYY-MM-DD)")
    b.add_argument("--to", dest="to_date", required=True, help="last day (YYYY-MM-DD)")

    c = verbs.add_parser("check", help="run the data-quality suites on the mart; non-zero exit on failure")
    c.add_argument("--config", required=True, type=Path)

    d = verbs.add_parser(
        "demo", help="build a small deployment in a temporary folder and show what idbmart reads from it"
    )
    d.add_argument("--out", type=Path, help="keep the demo deployment in this folder instead of a temporary one")

    src = verbs.add_parser("sources", help="validate a deployment file and check every source IDB (read-only)")
    src.add_argument("--config", required=True, type=Path)
    src.add_argument("--counts", action="store_true", help="also count the rows of every table (slow on large IDBs)")

    verbs.add_parser("bench", help="benchmark the pipeline on a large simulated deployment")
    return p


def _sources(args) -> int:
    from etl import config
    from etl.extract.inventory import inventory
    from etl.report import print_inventory

    deployment = config.load(args.config)
    statuses = inventory(deployment, counts=args.counts)
    print_inventory(deployment, statuses)
    return 0 if all(s.ok for s in statuses) else EXIT_ERROR


def _demo(args) -> int:
    from etl.demo import run_demo

    return run_demo(args.out)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.verb in NOT_YET:
        print(
            f"idbmart {args.verb}: not available yet in idbmart {__version__} ({NOT_YET[args.verb]} "
            "is still being built; see the README's roadmap)",
            file=sys.stderr,
        )
        return EXIT_NOT_AVAILABLE
    try:
        return {"sources": _sources, "demo": _demo}[args.verb](args)
    except IdbmartError as e:
        print(f"idbmart {args.verb}: {e}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
