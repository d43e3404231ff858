"""`idbmart dashboard`: one self-contained HTML page of the mart's day, to look at rather than query.

It reads the readers' copy (the mart when none was published), never the mart being written, and
charts the latest local day the aggregates hold: queue service level and abandons by hour, agent
handle time, occupancy and states, outbound attempts by result, the HA choices and each source's
freshness. The formulas are stated on the page and in `sql/dashboard/`, where each chart's query is.
The charts are Plotly's, with plotly.js inlined: the page opens without a network.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from idbmart.config import Deployment
from idbmart.errors import IdbmartError
from idbmart.paths import SQL_DIR

log = logging.getLogger(__name__)

STYLE = """body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
p.how{color:#555;font-size:.9em}table{border-collapse:collapse;font-size:.9em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}th{background:#f4f4f4}
.skipped{color:#b00020;font-weight:600}"""


def _query(con: duckdb.DuckDBPyConnection, name: str, day: date | None = None) -> tuple[list[str], list[tuple]]:
    """The columns and rows of `sql/dashboard/<name>.sql`, for the local day `day`."""
    sql = (SQL_DIR / "dashboard" / f"{name}.sql").read_text()
    cursor = con.execute(sql, {"day": day} if "$day" in sql else None)
    return [d[0] for d in cursor.description], cursor.fetchall()


def _chart(div_id: str, figure: go.Figure) -> str:
    figure.update_layout(margin={"l": 50, "r": 20, "t": 40, "b": 60}, height=380, template="plotly_white")
    return figure.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False})


def _share(figure: go.Figure, x: list, percents: list, name: str, **style) -> None:
    """A percentage over the figure's bars: its points labelled, on a 0-110 % axis at the right."""
    figure.add_scatter(x=x, y=percents, name=name, yaxis="y2", text=percents, textposition="top center", **style)
    figure.update_layout(yaxis2={"title": "%", "overlaying": "y", "side": "right", "range": [0, 110]})


def _table(columns: list[str], rows: list[tuple], css: dict[str, str] | None = None) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td class='{(css or {}).get(str(v), '')}'>{html.escape(str(v))}</td>" for v in r) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render(con: duckdb.DuckDBPyConnection, title: str) -> str:
    """The page, from a connection to the readers' copy (or any mart)."""
    (day,) = _query(con, "day")[1][0]
    if day is None:
        raise IdbmartError("the mart holds no aggregates yet: run a cycle (idbmart run) first")
    tz = con.execute("SELECT any_value(TIME_ZONE) FROM CTL_AGGREGATE_SETTINGS").fetchone()[0] or "UTC"
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p>The local day {day} ({html.escape(tz)}).</p>"]

    _, hours = _query(con, "queues_by_hour", day)
    labels = [h[0] for h in hours]
    queues = go.Figure()
    for i, (name, color) in enumerate((("entered", "#4c78a8"), ("accepted", "#54a24b"), ("abandoned", "#e45756"))):
        values = [h[1 + i] for h in hours]
        queues.add_bar(x=labels, y=values, name=name, marker_color=color, text=values, textposition="outside")
    _share(queues, labels, [h[4] for h in hours], "service level %", mode="lines+markers+text", line={"color": "#222"})
    queues.update_layout(barmode="group", yaxis={"title": "calls"}, title="Queues by hour")
    parts += [
        "<h2>Queues: service level and abandons by hour</h2>",
        "<p class='how'>Service level = answered within the threshold / (answered + abandoned - short abandons), "
        "AG2_QUEUE_HOUR: ACCEPTED_THR / (ACCEPTED + ABANDONED - ABANDONED_STI).</p>",
        _chart("queues", queues),
    ]

    _, agents = _query(con, "agents", day)
    names = [a[0] for a in agents]
    handling = go.Figure()
    handling.add_bar(
        x=names,
        y=[a[2] for a in agents],
        name="handle time s",
        text=[a[2] for a in agents],
        textposition="outside",
        marker_color="#4c78a8",
    )
    _share(handling, names, [a[3] for a in agents], "occupancy %", mode="markers+text",
           marker={"size": 10, "color": "#f58518"})  # fmt: skip
    handling.update_layout(yaxis={"title": "seconds per call"}, title="Agents: handle time and occupancy")
    states = go.Figure()
    for i, state in enumerate(("ready", "not ready", "busy", "after-call work", "other")):
        values = [a[4 + i] for a in agents]
        states.add_bar(x=names, y=values, name=state, text=values, textposition="inside")
    states.update_layout(barmode="stack", yaxis={"title": "hours"}, title="Agent states")
    parts += [
        "<h2>Agents: handle time, occupancy and states</h2>",
        "<p class='how'>Handle time = (talk + hold + after-call work) / calls accepted, AG2_AGENT_DAY: "
        "(ENGAGE_TIME + HOLD_TIME + WRAP_TIME) / ACCEPTED. Occupancy = (busy + after-call work) / "
        "(ready + busy + after-call work), AG2_I_SESS_STATE_DAY.</p>",
        _chart("agents", handling),
        _chart("states", states),
    ]

    _, results = _query(con, "outbound_results", day)
    if results:
        outbound = go.Figure()
        outbound.add_bar(
            x=[r[0] for r in results],
            y=[r[1] for r in results],
            text=[r[1] for r in results],
            textposition="outside",
            marker_color="#72b7b2",
        )
        outbound.update_layout(yaxis={"title": "attempts"}, title="Outbound attempts by result")
        parts += ["<h2>Outbound: attempts by result</h2>", _chart("outbound", outbound)]

    _, choices = _query(con, "ha_choices")
    ha = go.Figure()
    for reason in sorted({c[2] for c in choices}):
        rows = [c for c in choices if c[2] == reason]
        ha.add_bar(x=[c[1] for c in rows], y=[c[3] for c in rows], name=reason, text=[c[3] for c in rows])
    ha.update_layout(barmode="stack", yaxis={"title": "entities"}, title="Entities taken from each member")
    columns_f, fresh = _query(con, "freshness")
    parts += [
        "<h2>Sources: the HA choice and freshness</h2>",
        _chart("ha", ha),
        _table(columns_f, fresh, {"skipped": "skipped"}),
    ]
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        + "\n".join(parts)
        + f"<p class='how'>Written {made} by idbmart from the readers' copy.</p></body></html>"
    )


def write_dashboard(deployment: Deployment, out: Path | None = None) -> Path:
    """The page for the deployment's readers' copy (else its mart, read only), written to `out`
    (default: dashboard.html beside the mart); its path."""
    published = deployment.reader_path is not None and deployment.reader_path.exists()
    source = deployment.reader_path if published else deployment.mart_path
    if not source.exists():
        raise IdbmartError(f"no mart at {deployment.mart_path}: run a cycle (idbmart run) first")
    out = Path(out) if out else deployment.mart_path.parent / "dashboard.html"
    with duckdb.connect(str(source), read_only=True) as con:
        page = render(con, f"idbmart: {deployment.mart_path.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    log.debug("dashboard written to %s from %s", out, source)
    return out
