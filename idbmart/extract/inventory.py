"""What each configured source offers right now: reachable, schema usable, watermark, row counts.

A source that cannot be reached or fails its schema check is reported and the others are still
inventoried: one site's outage never hides the state of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from idbmart.config import Deployment, Source
from idbmart.errors import SourceError
from idbmart.extract.sources import open_source
from idbmart.idb.schema import tables_for_roles


@dataclass
class SourceStatus:
    source: Source
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    seq_current: dict[str, int] = field(default_factory=dict)  # provider tag → SEQCURRENT
    row_counts: dict[str, int] = field(default_factory=dict)  # table → rows (when asked for)

    @property
    def ok(self) -> bool:
        return self.error is None


def inventory_source(source: Source, counts: bool = False) -> SourceStatus:
    status = SourceStatus(source)
    try:
        with open_source(source) as reader:
            report = reader.schema_report()
            status.warnings = [f.line(source.name) for f in report.warnings]
            status.warnings += [
                f"source {source.name!r}: {t}: optional table absent, read as empty"
                for t in sorted(report.missing_optional)
            ]
            prov = reader.query("extract/prov_control.sql")
            status.seq_current = dict(
                zip(prov.column("PROVIDERTAG").to_pylist(), prov.column("SEQCURRENT").to_pylist(), strict=True)
            )
            if counts:
                for t in tables_for_roles(source.roles):
                    if t.name in report.missing_optional:
                        continue
                    n = reader.query(exp.select("COUNT(*) AS N").from_(t.name))
                    status.row_counts[t.name] = n.column("N")[0].as_py()
    except SourceError as e:
        status.error = str(e)
    return status


def inventory(deployment: Deployment, counts: bool = False) -> list[SourceStatus]:
    return [inventory_source(s, counts) for s in deployment.sources]
