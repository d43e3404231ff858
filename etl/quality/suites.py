"""The data-quality suites (`expectations/*.json`, Great Expectations 1.x suites) run on the mart.

Each suite file is a plain GX `ExpectationSuite`; its `meta.idbmart` says which batch it checks:
`table` (a fact or dimension), `aggregate` (an AG2 family: every level, with a LEVEL column) or
`sql` (a query of `sql/quality/`). Two expectation metas make the batch carry what a single-table
expectation cannot see: `foreign_key` ("TABLE.COLUMN": the batch gets `<column>` true where the
row's key is found in that dimension) and `expression` (a SQL expression computed per row).

The batch is read by DuckDB into pandas and validated there: GX's SQL datasource returns nothing
through duckdb-engine, and reading the batch with the cycle's own connection lets the gate see the
cycle's uncommitted rows. `qa_from_audit_key` scopes every batch that has UPDATE_AUDIT_KEY to the
rows written since that key: the cycle's gate checks what the cycle changed, `check` checks all.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from etl.aggregate.build import FAMILIES, LEVELS
from etl.config import QualityOptions
from etl.load.mart import run
from etl.paths import SQL_DIR, asset_dir

EXPECTATIONS_DIR = asset_dir("expectations")
EXAMPLES = 5  # failing rows quoted per expectation


@dataclass
class Outcome:
    """One expectation's result on one batch."""

    suite: str
    expectation: str
    column: str
    success: bool
    rows: int
    unexpected: int | None
    observed: str
    examples: str
    why: str


@dataclass
class QualityRun:
    scope: str  # "cycle" (the rows a cycle changed) or "full"
    from_audit_key: int
    outcomes: list[Outcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # suite → rows in its batch
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def summary(self) -> str:
        fails = self.failures
        head = f"{len(self.outcomes) - len(fails)} of {len(self.outcomes)} expectations met in {len(self.rows)} suites"
        if not fails:
            return head
        first = fails[0]
        return (
            f"{head}; failed: "
            + ", ".join(f"{o.suite}: {o.expectation}({o.column})" for o in fails[:3])
            + (f" and {len(fails) - 3} more" if len(fails) > 3 else "")
            + (f"; e.g. {first.examples}" if first.examples else "")
        )


@cache
def suite_files() -> tuple[Path, ...]:
    return tuple(sorted(EXPECTATIONS_DIR.glob("*.json")))


@cache
def load_suite(path: Path) -> dict:
    return json.loads(path.read_text())


def batch_sql(con: duckdb.DuckDBPyConnection, suite: dict) -> str:
    """The query of the suite's batch, with the foreign-key and expression columns its expectations use."""
    spec = suite["meta"]["idbmart"]
    extra = []
    for e in suite["expectations"]:
        meta, column = e.get("meta", {}), e["kwargs"].get("column")
        if "foreign_key" in meta:  # "COLUMN -> TABLE.KEY"; aggregates say -1 for an unknown dimension
            col, target = (x.strip() for x in meta["foreign_key"].split("->"))
            table, key = target.split(".")
            unknown = f" OR t.{col} = -1" if "aggregate" in spec else ""
            extra.append(f"(t.{col} IS NULL{unknown} OR t.{col} IN (SELECT {key} FROM {table})) AS {column}")
        elif "expression" in meta:
            extra.append(f"({meta['expression']}) AS {column}")
    if "aggregate_totals" in spec:
        _sum_levels(con, spec["aggregate_totals"])
    if "sql" in spec:
        return (SQL_DIR / "quality" / f"{spec['sql']}.sql").read_text()
    used = _columns_used(suite)
    if "aggregate" in spec:
        family = next(f for f in FAMILIES if f.name == spec["aggregate"])
        parts = [_select(con, family.table(level), used, extra, f"'{level}' AS LEVEL") for level in LEVELS]
        return "\nUNION ALL BY NAME\n".join(parts)
    return _select(con, spec["table"], used, extra)


def _columns_used(suite: dict) -> set[str]:
    """The columns the suite's expectations and examples name: the batch reads only these."""
    used = set(suite["meta"]["idbmart"].get("key", []))
    for e in suite["expectations"]:
        kwargs = e["kwargs"]
        used |= {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
        used |= set(kwargs.get("column_list", []))
    return used


def _sum_levels(con, measures: dict[str, list[str]]) -> None:
    """_QA_AG2_TOTALS(FAMILY, LEVEL, MEASURE, AG2_TOTAL): each named measure summed over each level's table."""
    parts = []
    for family in FAMILIES:
        sums = ", ".join(f"coalesce(sum({m}), 0)::HUGEINT AS {m}" for m in measures.get(family.name, []))
        parts += [
            f"SELECT '{family.name}' AS FAMILY, '{level}' AS LEVEL, MEASURE, AG2_TOTAL FROM (UNPIVOT "
            f"(SELECT {sums} FROM {family.table(level)}) ON COLUMNS(*) INTO NAME MEASURE VALUE AG2_TOTAL)"
            for level in LEVELS
            if sums
        ]
    run(con, "CREATE OR REPLACE TEMP TABLE _QA_AG2_TOTALS AS " + "\nUNION ALL\n".join(parts))


def _select(con, table: str, used: set[str], extra: list[str], *more: str) -> str:
    columns = [r[0] for r in run(con, f"DESCRIBE {table}")]
    scope = " WHERE t.UPDATE_AUDIT_KEY >= getvariable('qa_from_audit_key')" if "UPDATE_AUDIT_KEY" in columns else ""
    read = [f't."{c}"' for c in columns if c in used]
    return f"SELECT {', '.join([*read, *more, *extra]) or '1 AS ROW_'} FROM {table} AS t{scope}"


@cache
def _gx():
    """One ephemeral GX context and a pandas batch definition that takes any dataframe."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("idbmart").add_dataframe_asset("batch")
    return gx, asset.add_batch_definition_whole_dataframe("whole")


def warm_up() -> None:
    """Import GX and build its context now (seconds, once per process), not in the first gate."""
    _gx()


def validate(
    con: duckdb.DuckDBPyConnection,
    options: QualityOptions,
    from_audit_key: int = 0,
    names: tuple[str, ...] | None = None,
) -> QualityRun:
    """Run the suites (all, or those named) on the mart as this connection sees it."""
    gx, batches = _gx()
    clock = time.perf_counter()
    result = QualityRun("cycle" if from_audit_key else "full", from_audit_key)
    run(con, "SET VARIABLE qa_from_audit_key = ?", [from_audit_key])
    parameters = {"agent_recovery_floor": options.agent_recovery_floor}
    for path in suite_files():
        if names is not None and path.stem not in names:
            continue
        spec = load_suite(path)
        frame = con.execute(batch_sql(con, spec)).df()
        result.rows[spec["name"]] = len(frame)
        if from_audit_key and frame.empty and "sql" not in spec["meta"]["idbmart"]:
            continue  # the cycle wrote nothing here: nothing to check (GX costs ~30 ms per expectation)
        suite = gx.ExpectationSuite(**{k: v for k, v in spec.items() if k != "meta"})
        batch = batches.get_batch(batch_parameters={"dataframe": frame})
        # Verdicts first (GX computes no examples); a suite that fails is run again for its examples.
        checked = batch.validate(suite, expectation_parameters=parameters, result_format="BOOLEAN_ONLY")
        if not checked.success:
            key = spec["meta"]["idbmart"].get("key", [])
            checked = batch.validate(
                suite,
                expectation_parameters=parameters,
                result_format={"result_format": "SUMMARY", "unexpected_index_column_names": key},
            )
        for config, r in _in_suite_order(spec["expectations"], checked.results):
            result.outcomes.append(_outcome(spec["name"], config, r, len(frame)))
    result.seconds = time.perf_counter() - clock
    return result


def _in_suite_order(configs: list[dict], results) -> list[tuple[dict, object]]:
    """Each expectation of the suite file with its GX result. GX does not return results in the
    suite's order (it runs column-pair expectations first, say): match them by type and the columns
    they check (GX normalises the other arguments), in order among equals."""
    columns = ("column", "column_A", "column_B", "column_list")

    def same(config: dict, r) -> bool:
        given = r.expectation_config
        return given.type == config["type"] and all(
            given.kwargs.get(k) == config["kwargs"].get(k) for k in columns if k in config["kwargs"]
        )

    left = list(results)
    pairs = []
    for config in configs:
        r = next(r for r in left if same(config, r))
        left.remove(r)
        pairs.append((config, r))
    return pairs


def _outcome(suite: str, config: dict, r, rows: int) -> Outcome:
    kwargs = config["kwargs"]
    column = kwargs.get("column") or ",".join(
        str(kwargs[k]) for k in ("column_A", "column_B", "column_list") if k in kwargs
    )
    res = r.result or {}
    examples = res.get("partial_unexpected_index_list") or res.get("partial_unexpected_list") or []
    if r.exception_info and r.exception_info.get("raised_exception"):
        examples = [r.exception_info.get("exception_message")]
    return Outcome(
        suite=suite,
        expectation=config["type"],
        column=column,
        success=bool(r.success),
        rows=rows,
        unexpected=res.get("unexpected_count"),
        observed="" if res.get("observed_value") is None else str(res["observed_value"]),
        examples="; ".join(str(_plain(x)) for x in examples[:EXAMPLES]),
        why=config.get("meta", {}).get("why", ""),
    )


def _plain(value):
    """numpy scalars and nested rows as plain Python values, for the report and the control table."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value
