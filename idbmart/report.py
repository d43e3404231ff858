"""Plain-text tables for the command line: what a reporting engineer reads after each verb."""

from __future__ import annotations

from idbmart.config import Deployment
from idbmart.extract.inventory import SourceStatus


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]])


def print_inventory(deployment: Deployment, statuses: list[SourceStatus]) -> None:
    print(f"deployment {deployment.path}")
    print(f"mart       {deployment.mart_path}")
    if deployment.ignored:
        print(
            "ignored    "
            + ", ".join(f"{s.name} ({s.data_center})" for s in deployment.ignored)
            + "  [etl] ignore_data_centers"
        )
    print()
    rows = []
    for st in statuses:
        s = st.source
        rows.append(
            [
                s.name,
                s.ha_set,
                "primary" if s.primary else "backup",
                s.scheme,
                ",".join(s.roles),
                s.data_center or "-",
                "yes" if s.sip_cluster else "no",
                "ok" if st.ok else "FAILED",
                " ".join(f"{k}={v}" for k, v in sorted(st.seq_current.items())) or "-",
            ]
        )
    print(table(["source", "ha_set", "role", "kind", "roles", "dc", "cluster", "schema", "SEQCURRENT"], rows))
    for st in statuses:
        if st.error:
            print(f"  error: {st.error}")
        for w in st.warnings:
            print(f"  warning: {w}")
    counted = [st for st in statuses if st.row_counts]
    if counted:
        names = list(dict.fromkeys(t for st in counted for t in st.row_counts))  # model order: by role
        print()
        print(
            table(
                ["table"] + [st.source.name for st in counted],
                [[t] + [st.row_counts.get(t, "") for st in counted] for t in names],
            )
        )


def print_cycle(result) -> None:
    """What one cycle did: per source its window and rows, then staging and the HA choice."""
    rows = []
    for r in result.sources:
        w = r.window
        if not r.ok:
            rows.append([r.source.name, "skipped", "", "", "", r.error])
            continue
        n = sum(r.rows.values())
        window = f"({w.seq_from}, {w.seq_to}]" if w else ""
        rows.append([r.source.name, "ok", window, r.entities, n, f"{n / r.seconds:,.0f} rows/s" if n else ""])
    print(f"run {result.run_id}")
    print(table(["source", "status", "sequences", "entities", "rows", "note"], rows))
    st, ha = result.staged, result.ha
    print(
        f"staged {st.entities} entity versions ({st.inserted} rows in, {st.deleted} replaced, "
        f"{st.duplicates} duplicates kept once, {st.discarded} discarded)"
    )
    reasons = ", ".join(f"{k} {v}" for k, v in ha.reasons.items())
    print(f"HA choice: {ha.decided} entities decided, {ha.changed} changed member ({reasons or 'none'})")
    gidb_in, gidb_out = result.gidb_rows
    print(f"GIDB: {gidb_in} rows in, {gidb_out} rows out ({ha.deleted} of them as choices changed)")
    if ha.rereads or ha.not_held:
        print(f"HA choice: {ha.rereads} entities asked of their other member again, {ha.not_held} versions "
              "forgotten (their member no longer holds them)")  # fmt: skip
    tr = result.transformed
    if tr is not None:
        print(
            f"star schema: {tr.interactions} interactions{tr.read_detail()} and {tr.sessions} login sessions "
            f"rebuilt; {tr.inserted} rows new, {tr.changed} changed, {tr.deleted} gone; {tr.discarded} rows discarded"
        )
        print(tr.recovery_detail())
    ag = getattr(result, "aggregated", None)
    if ag is not None:
        print(f"aggregates: {ag.detail()}; {ag.inserted} rows new, {ag.changed} changed, {ag.deleted} gone")
    quality = getattr(result, "quality", None)
    if quality is not None:
        print(f"quality gate: {quality.summary()} ({result.report})")
    peaks = result.stages.peak_mb
    print("time: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items()))
    if peaks:
        print("peak memory: " + ", ".join(f"{k} {v:,.0f} MB" for k, v in peaks.items()))
