"""The transform's models, and the order they run in, read from the models themselves.

A model is one SQL file of `sql/transform/<layer>/` whose header says what it is:

    -- model: interaction_fact            the file's name
    -- layer: fact                        its folder: scope, intermediate, fact, dimension or control
    -- runs: slice                        cycle (once, the default), slice (once per slice of the
    --                                    cycle's interactions) or slice+all (then once for all of them)
    -- target: INTERACTION_FACT           a temporary table `_T_*` it creates, or the mart table whose
    --                                    rows in `scope` it replaces (idbmart.load.merge.replace); none: the
    --                                    file's statements are the model (INSERT, UPDATE, ...)
    -- key: INTERACTION_ID                a replaced table's key
    -- scope: INTERACTION_ID IN (...)     the rows of that table this cycle rebuilds (continued on
    --   ...                              lines indented under it)
    -- ranged: true                       read the scope's old rows by rowid ranges (merge.replace)
    -- depends_on: a, b                   models to run first that its SQL does not show
    -- reads_previous: CAMPAIGN           tables it reads as the previous cycle left them: it runs
    --                                    before the models that write them

The order comes from the SQL: sqlglot finds the tables each model reads and writes, and a model runs
after those that write what it reads. Two models that both modify one table are ordered by
`depends_on` (its creator always comes first). A model whose SQL depends on the deployment's
configuration (a column per mapped user-data key) is written in Python with `python_model`
(idbmart/transform/python_models.py), in the same graph. Run-level values are `$name` in the SQL, given
explicitly by the runner (idbmart.sqlfile.with_values), never session variables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from idbmart.errors import IdbmartError
from idbmart.idb.enums import named_codes
from idbmart.load.db import run
from idbmart.load.merge import replace
from idbmart.paths import SQL_DIR
from idbmart.sqlfile import with_values

MODELS_DIR = SQL_DIR / "transform"
LAYERS = ("scope", "intermediate", "fact", "dimension", "control")
RUNS = ("cycle", "slice", "slice+all")
_HEADER = re.compile(r"^--\s*([a-z_]+):\s*(.*?)\s*$")
_CONTINUED = re.compile(r"^--\s{2,}(\S.*?)\s*$")
MODEL_KEYS = ("model", "layer", "runs", "target", "key", "scope", "ranged", "depends_on", "reads_previous")


class ModelError(IdbmartError):
    """A model that cannot be read, or a graph that cannot be ordered."""


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    sql: str  # with IDB codes named (idbmart.idb.enums.named_codes) and `$name` values unbound
    runs: str = "cycle"
    target: str | None = None
    key: tuple[str, ...] = ()
    scope: str = ""
    ranged: bool = False
    depends_on: frozenset[str] = frozenset()
    reads_previous: frozenset[str] = frozenset()
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    creates: frozenset[str] = frozenset()
    execute: Callable[[duckdb.DuckDBPyConnection, Mapping], None] | None = None  # a Python model's own step
    path: str = ""

    @property
    def kind(self) -> str:
        """temp (creates `_T_*`), replace (rebuilds a mart table's scope) or statement."""
        if self.target is None:
            return "statement"
        return "temp" if self.target.startswith("_") else "replace"

    @property
    def per_slice(self) -> bool:
        return self.runs != "cycle"


def header(text: str, where: str, keys: Iterable[str] = MODEL_KEYS) -> dict[str, str]:
    """The `-- key: value` lines a file begins with (a value may go on on lines indented under it)."""
    keys = set(keys)
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if last and (m := _CONTINUED.match(line)):
            fields[last] += " " + m.group(1)
            continue
        m = _HEADER.match(line)
        if not m or m.group(1) not in keys:
            break
        last = m.group(1)
        fields[last] = m.group(2)
    return fields


def tables_of(sql: str, where: str) -> tuple[set[str], set[str], set[str]]:
    """(reads, writes, creates): the tables `sql` reads (CTEs aside), modifies, and creates."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as e:
        raise ModelError(f"{where}: sqlglot cannot read it, so its place in the graph is unknown: {e}") from None
    reads: set[str] = set()
    writes: set[str] = set()
    creates: set[str] = set()
    for s in statements:
        ctes = {c.alias_or_name.upper() for c in s.find_all(exp.CTE)}
        target = s.this if isinstance(s, exp.Create | exp.Insert | exp.Update | exp.Delete | exp.Comment) else None
        while isinstance(target, exp.Schema):
            target = target.this
        target_name = target.name.upper() if isinstance(target, exp.Table) else None
        if isinstance(s, exp.Create):
            if (s.args.get("kind") or "").upper() in ("TABLE", "VIEW"):
                creates.add(target_name)
            target = None  # a macro, or a table made here: not read
        elif target_name:
            writes.add(target_name)
        for t in s.find_all(exp.Table):
            if isinstance(t.this, exp.Identifier) and t is not target and t.name.upper() not in ctes:
                reads.add(t.name.upper())
        if target_name and not isinstance(s, exp.Create):
            reads.add(target_name)  # a modification needs the table as it is
    reads -= creates
    return reads, writes | creates, creates


def _names(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split(",") if v.strip())


def model_from(text: str, path: Path) -> Model:
    """One model from its file's text."""
    where = str(path.relative_to(SQL_DIR.parent)) if path.is_relative_to(SQL_DIR.parent) else str(path)
    h = header(text, where)
    if "model" not in h or "layer" not in h:
        raise ModelError(f"{where}: a model begins with a header naming it (-- model: ...) and its layer")
    if h["model"] != path.stem or h["layer"] != path.parent.name:
        raise ModelError(f"{where}: its header says model {h['model']} of layer {h['layer']}; the file says "
                         f"{path.stem} of {path.parent.name}")  # fmt: skip
    if h["layer"] not in LAYERS or h.get("runs", "cycle") not in RUNS:
        raise ModelError(f"{where}: layer is one of {', '.join(LAYERS)}; runs one of {', '.join(RUNS)}")
    return build_model(
        h["model"], h["layer"], named_codes(text), where, runs=h.get("runs", "cycle"), target=h.get("target"),
        key=tuple(k.strip() for k in h.get("key", "").split(",") if k.strip()),
        scope=named_codes(h.get("scope", "")), ranged=h.get("ranged", "false") == "true",
        depends_on=_names(h.get("depends_on", "")), reads_previous=_names(h.get("reads_previous", "").upper()),
    )  # fmt: skip


def build_model(name: str, layer: str, sql: str, where: str, **fields) -> Model:
    """A model with the tables its SQL reads and writes found; `reads`/`writes` given for a Python step."""
    target = fields.get("target")
    if fields.get("execute") is None:
        reads, writes, creates = tables_of(sql, where)
        if target:
            (creates if target.startswith("_") else reads).add(target.upper())
            writes.add(target.upper())
        if fields.get("scope"):
            reads |= tables_of(f"SELECT 1 WHERE {fields['scope']}", f"{where} (scope)")[0]
        fields |= {"reads": frozenset(reads), "writes": frozenset(writes), "creates": frozenset(creates)}
    if target and not target.startswith("_") and not fields.get("key"):
        raise ModelError(f"{where}: a model replacing mart table {target} names its key")
    return Model(name=name, layer=layer, sql=sql, path=where, **fields)


@cache
def mart_keys() -> dict[str, tuple[str, ...]]:
    """The mart tables the models replace (merge.replace), with their keys, from the files' headers and the
    Python models' fields alone: no SQL is parsed (publishing reads it in a process of its own)."""
    from idbmart.transform import python_models  # noqa: F401  (registers them)

    out = {}
    for layer in LAYERS:
        for p in sorted((MODELS_DIR / layer).glob("*.sql")):
            h = header(p.read_text(), str(p))
            if h.get("target") and not h["target"].startswith("_"):
                out[h["target"]] = tuple(k.strip() for k in h.get("key", "").split(",") if k.strip())
    for _f, _name, _layer, fields in _PYTHON_MODELS:
        if fields.get("target") and not fields["target"].startswith("_"):
            out[fields["target"]] = tuple(fields.get("key", ()))
    return out


@cache
def sql_models() -> tuple[Model, ...]:
    """Every model file of sql/transform/<layer>/."""
    return tuple(model_from(p.read_text(), p) for layer in LAYERS for p in sorted((MODELS_DIR / layer).glob("*.sql")))


@dataclass(frozen=True)
class Plan:
    """The models in the order they run: `before` the slices, each slice's, those run once more for all
    the cycle's interactions, and `after`."""

    before: tuple[Model, ...]
    per_slice: tuple[Model, ...]
    for_all: tuple[Model, ...]
    after: tuple[Model, ...]

    @property
    def models(self) -> tuple[Model, ...]:
        return self.before + self.per_slice + self.after


def dependencies(models: Iterable[Model]) -> dict[str, set[str]]:
    """Model → the models it runs after: the writers of what it reads (see the module's docstring)."""
    models = list(models)
    by_name = {m.name: m for m in models}
    if len(by_name) != len(models):
        raise ModelError("two models share a name")
    deps: dict[str, set[str]] = {m.name: set() for m in models}
    for b in models:
        for a in models:
            if a is b:
                continue
            for t in (b.reads - b.reads_previous) & a.writes:
                if t in b.writes and t not in a.creates and t not in b.creates:
                    continue  # both modify t: ordered by depends_on
                deps[b.name].add(a.name)
            if b.reads_previous & a.writes:
                deps[a.name].add(b.name)
        for d in b.depends_on:
            if d not in by_name:
                raise ModelError(f"{b.path}: depends_on names {d}, which is no model")
            deps[b.name].add(d)
    for t in {t for m in models for t in m.writes}:
        modifiers = sorted(m.name for m in models if t in m.writes and t not in m.creates)
        creators = [m.name for m in models if t in m.creates]
        if len(creators) > 1:
            raise ModelError(f"models {', '.join(creators)} all create {t}")
        for i, a in enumerate(modifiers):
            for b in modifiers[i + 1 :]:
                if a not in deps[b] and b not in deps[a]:
                    raise ModelError(
                        f"models {a} and {b} both modify {t}: say which runs first (depends_on in its header)"
                    )
    return deps


def _ordered(names: set[str], deps: dict[str, set[str]], rank: Mapping[str, tuple]) -> list[str]:
    """`names` in an order where each comes after its dependencies among them (ties: by rank)."""
    pending = {n: deps[n] & names for n in names}
    order: list[str] = []
    while pending:
        ready = sorted((n for n, d in pending.items() if not d), key=lambda n: rank[n])
        if not ready:
            raise ModelError(f"the models {', '.join(sorted(pending))} depend on each other in a cycle")
        for n in ready:
            order.append(n)
            del pending[n]
        for d in pending.values():
            d.difference_update(ready)
    return order


def plan(models: Iterable[Model]) -> Plan:
    models = list(models)
    deps = dependencies(models)
    by_name = {m.name: m for m in models}
    rank = {m.name: (LAYERS.index(m.layer), m.name) for m in models}
    sliced = {m.name for m in models if m.per_slice}

    def ancestors(names: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(names)
        while todo:
            for d in deps[todo.pop()]:
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    before = ancestors(sliced) - sliced
    if bad := ancestors(before) & sliced:
        raise ModelError(f"models run once before the slices need {', '.join(sorted(bad))}, run per slice")
    after = set(by_name) - before - sliced
    per_slice = _ordered(sliced, deps, rank)
    return Plan(
        tuple(by_name[n] for n in _ordered(before, deps, rank)),
        tuple(by_name[n] for n in per_slice),
        tuple(by_name[n] for n in per_slice if by_name[n].runs == "slice+all"),
        tuple(by_name[n] for n in _ordered(after, deps, rank)),
    )


@dataclass
class Results:
    """What the models did: rows of each temporary table, (inserted, deleted, changed) per mart table."""

    rows: dict[str, int] = field(default_factory=dict)
    tables: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # model → wall seconds, its slices summed

    def slowest(self, n: int = 5) -> str:
        top = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]
        return ", ".join(f"{name} {s:.2f} s" for name, s in top)

    def add(self, table: str, result: tuple[int, int, int]) -> None:
        old = self.tables.get(table, (0, 0, 0))
        self.tables[table] = tuple(a + b for a, b in zip(old, result, strict=True))


def execute(
    con: duckdb.DuckDBPyConnection,
    model: Model,
    values: Mapping,
    results: Results,
    touched: frozenset[str] = frozenset(),
) -> None:
    """Run one model with the run-level values it reads; a replaced table in `touched` records its
    changes in _T_TOUCHED (the facts the aggregates read)."""
    started = time.perf_counter()
    try:
        _execute(con, model, values, results, touched)
    finally:
        results.seconds[model.name] = results.seconds.get(model.name, 0.0) + time.perf_counter() - started


def _execute(con, model: Model, values: Mapping, results: Results, touched: frozenset[str]) -> None:
    if model.execute is not None:
        model.execute(con, values)
        return
    sql = with_values(model.sql, values, model.path)
    if model.kind == "temp":
        run(con, f"CREATE OR REPLACE TEMP TABLE {model.target} AS {sql}")
        results.rows[model.target] = run(con, f"SELECT count(*) FROM {model.target}")[0][0]
    elif model.kind == "replace":
        scope = with_values(model.scope or "TRUE", values, f"{model.path} (scope)")
        key = model.key[0] if len(model.key) == 1 else model.key
        result = replace(
            con, model.target, key, f"({sql})", scope, values["audit_key"],
            touched=model.target in touched, ranged=model.ranged,
        )  # fmt: skip
        results.add(model.target, result)
    else:  # one statement at a time: each is then timed, profiled and named on its own
        for statement in con.extract_statements(sql):
            run(con, statement.query)


# -- models written in Python -----------------------------------------------------------------------------

_PYTHON_MODELS: list[tuple[Callable, str, str, dict]] = []


def python_model(name: str, layer: str, **fields) -> Callable:
    """Declare a model whose SQL follows the deployment's configuration: the decorated function takes
    the EtlOptions and returns the SQL; the header's fields are the decorator's arguments. With
    `reads` and `writes` given, the function is a step of its own, called (con, options, values)."""

    def register(f: Callable) -> Callable:
        _PYTHON_MODELS.append((f, name, layer, fields))
        return f

    return register


def models(o) -> tuple[Model, ...]:
    """Every model of the transform for these options: the SQL files' and the Python ones."""
    from idbmart.transform import python_models  # noqa: F401  (registers them)

    made = []
    for f, name, layer, fields in _PYTHON_MODELS:
        where = f"{f.__module__}.{f.__name__}"
        if "reads" in fields:
            step = dict(fields, reads=frozenset(fields["reads"]), writes=frozenset(fields["writes"]))
            made.append(build_model(name, layer, "", where, execute=lambda con, values, f=f: f(con, o, values), **step))
        else:
            made.append(build_model(name, layer, named_codes(f(o)), where, **fields))
    return sql_models() + tuple(made)


def run_alone(con: duckdb.DuckDBPyConnection, name: str, o=None, **values) -> Results:
    """Run the model `name` by itself on the tables the connection holds (a test's few input rows), with
    the macros loaded and the options' run-level values, `values` added."""
    from idbmart.config import EtlOptions
    from idbmart.transform import calendar
    from idbmart.transform.values import option_values

    o = o or EtlOptions()
    calendar.load_calendar(con, o)
    model = next((m for m in models(o) if m.name == name), None)
    if model is None:
        raise ModelError(f"no model named {name}")
    results = Results()
    execute(
        con, model, option_values(o) | {"audit_key": 0, "run_id": 0, "slice": None, "ixn_from": 0} | values, results
    )
    return results


def describe(plan: Plan) -> str:
    """The plan as a table: each model in the order it runs, with what it makes from what."""
    lines = []
    for block, ms in (("before the slices", plan.before), ("each slice", plan.per_slice),
                      ("once more for all the cycle's interactions", plan.for_all), ("after", plan.after)):  # fmt: skip
        lines.append(f"-- {block}")
        for m in ms:
            made = m.target or ", ".join(sorted(m.writes)) or "-"
            lines.append(f"{m.layer:<12} {m.name:<34} {made:<28} <- {', '.join(sorted(m.reads - m.writes))}")
    return "\n".join(lines)


if __name__ == "__main__":  # the module itself, not __main__, holds the Python models' registry
    from idbmart.config import EtlOptions
    from idbmart.transform import graph

    print(graph.describe(graph.plan(graph.models(EtlOptions()))))
