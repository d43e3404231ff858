"""CTL_AUDIT_LOG: one row per committed step of a run. A step's audit key is its run's id times 100
plus the step's number (STEPS); the rows a step writes carry it as CREATE_/UPDATE_AUDIT_KEY, so a
run's rows are those whose key is at least `first_key(run_id)`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from etl.load.mart import run

STEPS = {"extract": 1, "ha": 2, "transform": 3, "aggregate": 4, "quality": 5}


def audit_key(run_id: int, step: str) -> int:
    return run_id * 100 + STEPS[step]


def first_key(run_id: int) -> int:
    """The least audit key of the run's steps."""
    return run_id * 100


def run_of(audit_key: int) -> int:
    return audit_key // 100


def audit_row(con, run_id: int, job: str, status: str, started: float | None, touched, sources, step) -> None:
    """One CTL_AUDIT_LOG row: step = (name, entities, rows in, inserted, deleted, changed, detail)."""
    name, *figures = step
    begun = datetime.fromtimestamp(started if started is not None else time.time(), UTC).replace(tzinfo=None)
    now = datetime.now(UTC).replace(tzinfo=None)
    run(con, "INSERT INTO CTL_AUDIT_LOG VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [audit_key(run_id, name), run_id, job, name, status, begun, now, *touched, *sources, *figures])  # fmt: skip
