"""What the command line says while it works: log lines as text or JSON lines on stderr, and a progress
bar over a long step's parts only where stderr is a terminal."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from idbmart import logs

IDBMART = str(Path(sys.executable).parent / "idbmart")


@pytest.mark.slow
def test_json_log_lines_carry_each_stage_of_a_cycle(tiny_deployment):
    import subprocess

    _, deployment = tiny_deployment
    out = subprocess.run(
        [IDBMART, "--log-format", "json", "run", "--config", str(deployment.path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    records = [json.loads(line) for line in out.stderr.splitlines()]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    stages = {r["message"].split(":")[0] for r in records if r["logger"].startswith("idbmart")}
    assert {"extract", "stage", "ha", "transform", "aggregate", "quality", "commit"} <= stages


def test_no_progress_bar_where_stderr_is_not_a_terminal(capfd):
    assert list(logs.progress(range(3), "parts")) == [0, 1, 2]
    assert capfd.readouterr().err == ""


def test_a_progress_bar_where_stderr_is_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    assert list(logs.progress(range(3), "transform: slices")) == [0, 1, 2]
    assert "transform: slices:   0%" in stderr.getvalue() and "0/3" in stderr.getvalue()
