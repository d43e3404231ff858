"""The HTML quality report each run writes: one page a reporting engineer can read without GX."""

from __future__ import annotations

import html
import shutil
from datetime import UTC, datetime
from pathlib import Path

from idbmart.quality.suites import QualityRun, load_suite, suite_files

STYLE = """body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 2em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.fail{background:#fde8e8}.warn{background:#fff4d6}.ok{color:#17702d}.bad{color:#b00020;font-weight:bold}
.warned{color:#8a5a00;font-weight:bold}code{font-size:12px}"""


def write_report(run: QualityRun, folder: Path, run_id: int, title: str) -> Path:
    """Write `run_<id>_<scope>.html` into the folder and copy it to `latest.html`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"run_{run_id}_{run.scope}.html"
    path.write_text(render(run, run_id, title))
    shutil.copyfile(path, folder / "latest.html")
    return path


def render(run: QualityRun, run_id: int, title: str) -> str:
    esc = html.escape
    described = {load_suite(p)["name"]: load_suite(p)["meta"].get("description", "") for p in suite_files()}
    verdict = (
        '<span class="bad">FAILED</span>' if not run.ok
        else '<span class="warned">PASSED, WITH WARNINGS</span>' if run.warnings
        else '<span class="ok">PASSED</span>'
    )  # fmt: skip
    scope = (
        f"rows written since audit key {run.from_audit_key} (this cycle)" if run.scope == "cycle" else "the whole mart"
    )
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title><style>{STYLE}</style></head>",
        f"<body><h1>{esc(title)}: {verdict}</h1>",
        f"<p>Run {run_id}; checked {esc(scope)}; {esc(run.summary())}; {run.seconds:.1f} s; written "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC.</p>",
    ]
    by_suite: dict[str, list] = {}
    for o in run.outcomes:
        by_suite.setdefault(o.suite, []).append(o)
    order = sorted(by_suite, key=lambda s: (all(o.success for o in by_suite[s]), s))  # failing suites first
    for suite in order:
        outcomes = by_suite[suite]
        bad = sum(not o.success and o.severity == "block" for o in outcomes)
        warned = sum(not o.success and o.severity == "warn" for o in outcomes)
        badge = (
            f"<span class=bad>{bad} failed</span>" if bad
            else f"<span class=warned>{warned} warning{'s' if warned > 1 else ''}</span>" if warned
            else "<span class=ok>ok</span>"
        )  # fmt: skip
        out.append(
            f"<h2>{esc(suite)} {badge}</h2>"
            f"<p>{esc(described.get(suite, ''))} {run.rows.get(suite, 0):,} rows checked.</p>"
        )
        out.append("<table><tr><th></th><th>expectation</th><th>column</th><th>why</th><th>unexpected</th>"
                   "<th>observed</th><th>examples (row keys or values)</th></tr>")  # fmt: skip
        for o in outcomes:
            out.append(
                f"<tr class='{'' if o.success else 'fail' if o.severity == 'block' else 'warn'}'>"
                f"<td>{'✓' if o.success else '✗' if o.severity == 'block' else '!'}</td>"
                f"<td><code>{esc(o.expectation)}</code></td><td>{esc(o.column)}</td><td>{esc(o.why)}</td>"
                f"<td>{'' if o.unexpected is None else o.unexpected}</td><td>{esc(o.observed)}</td>"
                f"<td><code>{esc(o.examples)}</code></td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)
