"""The data-quality suites (`expectations/*.json`, Great Expectations 1.x suites) run on the mart.

Each suite file is a plain GX `ExpectationSuite`; its `meta.idbmart` says which batch it checks:
`table` (a fact or dimension), `aggregate` (an AG2 family: every level, with a LEVEL column) or
`sql` (a query of `sql/quality/`), and its `source` a SQL expression naming the IDB rows behind a
row (source, table, key), quoted with a failing expectation's examples. Two expectation metas make
the batch carry what a single-table expectation cannot see: `foreign_key` ("TABLE.COLUMN": the batch
gets `<column>` true where the row's key is found in that dimension) and `expression` (a SQL
expression computed per row).

The batch is read by DuckDB into pandas and validated there: GX's SQL datasource returns nothing
through duckdb-engine, and reading the batch with the cycle's own connection lets the gate see the
cycle's uncommitted rows. `$qa_from_audit_key` scopes every batch that has UPDATE_AUDIT_KEY to the
rows written since that key: the cycle's gate checks what the cycle changed, `check` checks all.
The aggregate totals, which no audit key scopes (a total is over all rows), are compared in a cycle
over the periods it touched (_checked_periods), in `check` over the whole mart; and in a cycle a
foreign key into a fact is looked up among the batch's own keys (batch_sql).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from idbmart import sqlfile
from idbmart.aggregate.build import FAMILIES, LEVELS, ROLLUP_FROM, model
from idbmart.config import QualityOptions
from idbmart.load import db
from idbmart.load.db import run
from idbmart.logs import progress
from idbmart.paths import asset_dir
from idbmart.sqlfile import with_values

EXPECTATIONS_DIR = asset_dir("expectations")
EXAMPLES = 5  # failing rows quoted per expectation
IN_BATCH = "UPDATE_AUDIT_KEY >= $qa_from_audit_key"  # a batch's rows, of a table with audit keys
SOURCE_ROWS = "SOURCE_ROWS"  # the batch column naming the IDB rows behind a mart row (a suite's "source")


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
    severity: str = "block"  # "block": a failure rolls the cycle back; "warn": it is recorded and reported

    @property
    def label(self) -> str:
        seen = self.observed or self.examples
        return f"{self.suite}: {self.expectation}({self.column})" + (f" observed {seen}" if seen else "")


@dataclass
class QualityRun:
    scope: str  # "cycle" (the rows a cycle changed) or "full"
    from_audit_key: int
    outcomes: list[Outcome] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # suite → rows in its batch
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No invariant is broken (a rate below its floor only warns: MART.md, "A rate below a floor warns")."""
        return not self.failures

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "block"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "warn"]

    def summary(self) -> str:
        fails, warns = self.failures, self.warnings
        met = len(self.outcomes) - len(fails) - len(warns)
        head = f"{met} of {len(self.outcomes)} expectations met in {len(self.rows)} suites"
        if warns:
            head += f"; {len(warns)} warning{'s' if len(warns) > 1 else ''}: " + ", ".join(o.label for o in warns[:3])
        if not fails:
            return head
        first = next((o for o in fails if SOURCE_ROWS in o.examples), fails[0])  # the IDB rows, where named
        return (
            f"{head}; failed: "
            + ", ".join(f"{o.suite}: {o.expectation}({o.column})" for o in fails[:3])
            + (f" and {len(fails) - 3} more" if len(fails) > 3 else "")
            + (f"; e.g. {first.suite} {first.examples}" if first.examples else "")
        )


@cache
def suite_files() -> tuple[Path, ...]:
    return tuple(sorted(EXPECTATIONS_DIR.glob("*.json")))


@cache
def load_suite(path: Path) -> dict:
    return json.loads(path.read_text())


def batch_sql(con: duckdb.DuckDBPyConnection, suite: dict, scoped: bool = False, sourced: bool = False) -> str:
    """The query of the suite's batch, with the foreign-key and expression columns its expectations use;
    `scoped` (a cycle's gate): the aggregate totals of the periods the cycle touched only, and a
    foreign key into a fact looked up among the batch's own keys (facts grow for ever: hashing every
    key of one for a batch of a cycle's rows cost 3 to 5 times more, and more every day). `sourced`:
    with SOURCE_ROWS, the suite's `source` expression naming the IDB rows behind each mart row (read
    for a failing suite's examples only: it looks up facts)."""
    spec = suite["meta"]["idbmart"]
    extra = [f"({spec['source']}) AS {SOURCE_ROWS}"] if sourced and "source" in spec else []
    for e in suite["expectations"]:
        meta, column = e.get("meta", {}), e["kwargs"].get("column")
        if "foreign_key" in meta:  # "COLUMN -> TABLE.KEY"; aggregates say -1 for an unknown dimension
            col, target = (x.strip() for x in meta["foreign_key"].split("->"))
            table, key = target.split(".")
            unknown = f" OR t.{col} = -1" if "aggregate" in spec else ""
            among = ""
            if scoped and "table" in spec and table.endswith("_FACT"):
                among = f" WHERE {key} IN (SELECT {col} FROM {spec['table']} WHERE {IN_BATCH})"
            extra.append(f"(t.{col} IS NULL{unknown} OR t.{col} IN (SELECT {key} FROM {table}{among})) AS {column}")
        elif "expression" in meta:
            extra.append(f"({meta['expression']}) AS {column}")
    if "aggregate_totals" in spec:
        _sum_levels(con, spec["aggregate_totals"], _checked_periods(con) if scoped else None)
    if "sql" in spec:
        return sqlfile.text(f"quality/{spec['sql']}.sql")
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


# The levels whose totals a cycle compares over the local days it touched (the facts too); each
# coarser level is compared over its own periods that hold those days.
DAY_SCOPED = ("SUBHR", "HOUR", "DAY")
# A queue stay's target is created as the stay ends (sql/transform/intermediate/mediation_segment.sql): never this
# long before the stay began, so a cycle looks for the targets of its days' stays from then on.
TARGET_BEFORE_STAY_S = 86_400


def _checked_periods(con) -> dict[str, list[tuple[int, int]]] | None:
    """The periods a cycle's aggregate totals are compared over, as [from, to) ranges of UTC seconds by
    scope: DAY, every local day holding a fact row the cycle's transform changed (its old or new
    version, _T_TOUCHED) or an interval its aggregate step recomputed (_AG_PERIOD); WEEK, MONTH, QRTR
    and YEAR, those holding such a day (the periods as sql/aggregate/periods.sql makes them). The
    facts and aggregates of other days were compared when a cycle last changed them, and the nightly
    full check compares everything. None (compare everything) where the connection holds no record
    of a cycle's changes."""
    temporary = {t for (t,) in run(con, "SELECT table_name FROM duckdb_tables() WHERE temporary")}
    if not {"_T_TOUCHED", "_AG_PERIOD"} <= temporary:
        return None
    rows = run(
        con,
        f"""WITH _AG_TOUCHED AS (  -- what periods.sql reads: here, one 15-minute key of each checked day
          SELECT DISTINCT 'checked' AS SOURCE, K AS DATE_TIME_KEY, NULL::BIGINT AS RESOURCE_KEY
          FROM (SELECT interval_key(START_TS) AS K FROM _T_TOUCHED WHERE START_TS IS NOT NULL
                UNION ALL SELECT PERIOD_START FROM _AG_PERIOD WHERE LEVEL = 'DAY')
        )
        SELECT DISTINCT LEVEL, PERIOD_START, PERIOD_END FROM (\n{model("periods")}\n)
        WHERE LEVEL NOT IN ('SUBHR', 'HOUR') ORDER BY ALL""",
    )
    ranges: dict[str, list[tuple[int, int]]] = {}
    for level, start, end in rows:  # adjacent periods as one range
        held = ranges.setdefault(level, [])
        if held and held[-1][1] == start:
            held[-1] = (held[-1][0], end)
        else:
            held.append((start, end))
    return ranges


def _sum_levels(con, measures: dict[str, list[str]], periods: dict[str, list[tuple[int, int]]] | None) -> None:
    """_QA_AG2_TOTALS(FAMILY, LEVEL, MEASURE, AG2_TOTAL, ROLLUP_TOTAL, WITH_FACTS): each named measure
    summed over each level's table, and over the level it rolls up from, both within the periods the
    level is compared over (`periods`, by scope; None: everything). WITH_FACTS: those periods are
    the facts' (the checked days; everything), so the level's total is also the facts'. The _QA_*
    views are the facts of those days, for sql/quality/aggregate_totals.sql."""

    def scope_of(level: str) -> str:
        return "ALL" if periods is None else "DAY" if level in DAY_SCOPED else level

    def within(column: str, scopes: set[str]) -> str:
        """Rows in the scopes' periods; constant ranges, so DuckDB skips the row groups of other days."""
        if periods is None:
            return "TRUE"
        held = [r for scope in scopes for r in periods.get(scope, [])]
        return " OR ".join(f"({column} >= {lo} AND {column} < {hi})" for lo, hi in held) or "FALSE"

    levels, parts = [], []
    for family in FAMILIES:
        listed = measures.get(family.name, [])
        if not listed:
            continue
        scopes: dict[str, set[str]] = {}  # each level's table: the scopes it is summed over
        for level in LEVELS:
            scope, below = scope_of(level), ROLLUP_FROM.get(level)
            rollup = f"'{below}'" if below else "NULL"
            levels.append(f"('{family.name}', '{level}', {rollup}, '{scope}')")
            for read in filter(None, (level, below)):
                scopes.setdefault(read, set()).add(scope)
        for read, held in scopes.items():  # one scan of each table, its sums unnested into rows
            summed = [(m, scope) for m in listed for scope in sorted(held)]
            names = ", ".join(f"'{m}'" for m, _ in summed)
            in_scope = ", ".join(f"'{scope}'" for _, scope in summed)
            totals = ", ".join(
                f"coalesce(sum({m}) FILTER ({within('DATE_TIME_KEY', {scope})}), 0)::HUGEINT" for m, scope in summed
            )
            parts.append(  # (lists, not UNPIVOT: DuckDB plans 63 UNPIVOTs in about 0.1 s more)
                f"SELECT '{family.name}' AS FAMILY, '{read}' AS LEVEL, unnest([{names}]) AS MEASURE, "
                f"unnest([{in_scope}]) AS SCOPE, unnest([{totals}]) AS TOTAL "
                f"FROM {family.table(read)} WHERE {within('DATE_TIME_KEY', held)}"
            )
    run(con, "CREATE OR REPLACE TEMP TABLE _QA_AG2_SUMS AS " + "\nUNION ALL\n".join(parts))
    facts = scope_of("SUBHR")
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE _QA_AG2_TOTALS AS
        SELECT a.FAMILY, l.LEVEL, a.MEASURE, a.TOTAL AS AG2_TOTAL, r.TOTAL AS ROLLUP_TOTAL,
               l.SCOPE = '{facts}' AS WITH_FACTS
        FROM (VALUES {", ".join(levels)}) AS l(FAMILY, LEVEL, ROLLUP_FROM, SCOPE)
        JOIN _QA_AG2_SUMS AS a ON a.FAMILY = l.FAMILY AND a.LEVEL = l.LEVEL AND a.SCOPE = l.SCOPE
        LEFT JOIN _QA_AG2_SUMS AS r
          ON r.FAMILY = l.FAMILY AND r.LEVEL = l.ROLLUP_FROM AND r.SCOPE = l.SCOPE AND r.MEASURE = a.MEASURE""",
    )
    days = within("START_DATE_TIME_KEY", {facts})
    for view, table in (("_QA_IRF", "INTERACTION_RESOURCE_FACT"), ("_QA_MSF", "MEDIATION_SEGMENT_FACT"),
                        ("_QA_ATTEMPT", "CONTACT_ATTEMPT_FACT")):  # fmt: skip
        run(con, f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {table} WHERE {days}")
    run(  # the IRFs of the interactions that entered in those days (AG2_ID's customer measures)
        con,
        f"""CREATE OR REPLACE TEMP VIEW _QA_IRF_ENTERED AS SELECT * FROM INTERACTION_RESOURCE_FACT
        WHERE INTERACTION_ID IN (SELECT INTERACTION_ID FROM INTERACTION_FACT WHERE {days})""",
    )
    first_day = min((lo for lo, _ in periods.get("DAY", [])), default=None) if periods is not None else None
    since = days if first_day is None else f"START_DATE_TIME_KEY >= {first_day - TARGET_BEFORE_STAY_S}"
    run(con, f"CREATE OR REPLACE TEMP VIEW _QA_TARGET AS SELECT * FROM INTERACTION_RESOURCE_FACT WHERE {since}")


def _select(con, table: str, used: set[str], extra: list[str], *more: str) -> str:
    columns = [r[0] for r in run(con, f"DESCRIBE {table}")]
    scope = f" WHERE t.{IN_BATCH}" if "UPDATE_AUDIT_KEY" in columns else ""
    read = [f't."{c}"' for c in columns if c in used]
    return f"SELECT {', '.join([*read, *more, *extra]) or '1 AS ROW_'} FROM {table} AS t{scope}"


@cache
def _gx():
    """One ephemeral GX context and a pandas batch definition that takes any dataframe."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from idbmart.logs import quiet_libraries

    quiet_libraries()  # after GX's imports, which set some of its loggers to INFO
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
    parameters = {"agent_recovery_floor": options.agent_recovery_floor}
    for path in progress(suite_files(), "quality: suites"):
        if names is not None and path.stem not in names:
            continue
        spec = load_suite(path)
        scope = {"qa_from_audit_key": from_audit_key}
        frame = db.frame(con, with_values(batch_sql(con, spec, scoped=bool(from_audit_key)), scope, path.name))
        result.rows[spec["name"]] = len(frame)
        if from_audit_key and frame.empty and "sql" not in spec["meta"]["idbmart"]:
            continue  # the cycle wrote nothing here: nothing to check (GX costs ~6 ms per expectation)
        suite = gx.ExpectationSuite(**{k: v for k, v in spec.items() if k != "meta"})
        batch = batches.get_batch(batch_parameters={"dataframe": frame})
        # Verdicts first (GX computes no examples); a suite that fails is run again for its examples.
        checked = batch.validate(suite, expectation_parameters=parameters, result_format="BOOLEAN_ONLY")
        if not checked.success:  # examples by key, and by the IDB rows behind them where the suite says
            key = spec["meta"]["idbmart"].get("key", [])
            if "source" in spec["meta"]["idbmart"]:
                sourced = batch_sql(con, spec, scoped=bool(from_audit_key), sourced=True)
                frame = db.frame(con, with_values(sourced, scope, path.name))
                batch = batches.get_batch(batch_parameters={"dataframe": frame})
                key = [*key, SOURCE_ROWS]
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
        severity="warn" if config.get("meta", {}).get("severity") == "warning" else "block",
    )


def _plain(value):
    """numpy scalars and nested rows as plain Python values, for the report and the control table."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value
