"""CTL_AUDIT_LOG: one row per committed step of a run. A step's audit key is its run's id times 100
plus the step's number (Step); the rows a step writes carry it as CREATE_/UPDATE_AUDIT_KEY, so a
run's rows are those whose key is at least `first_key(run_id)`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from idbmart.load.db import run


class Step(IntEnum):
    """A run's steps, in the order they write; the value is the last digits of their audit keys."""

    EXTRACT = 1
    HA = 2
    TRANSFORM = 3
    AGGREGATE = 4
    QUALITY = 5

    @property
    def label(self) -> str:
        """As CTL_AUDIT_LOG.STEP says it."""
        return self.name.lower()


def audit_key(run_id: int, step: Step) -> int:
    return run_id * 100 + step


def first_key(run_id: int) -> int:
    """The least audit key of the run's steps."""
    return run_id * 100


def run_of(audit_key: int) -> int:
    return audit_key // 100


@dataclass(frozen=True)
class StepFigures:
    """What one step did, as its audit row says it."""

    step: Step
    entities: int
    rows_in: int
    inserted: int
    deleted: int
    changed: int | None
    detail: str


@dataclass(frozen=True)
class AuditWriter:
    """Writes one run's CTL_AUDIT_LOG rows, each with the run's job and start."""

    run_id: int
    job: str
    started: float | None = None

    def key(self, step: Step) -> int:
        return audit_key(self.run_id, step)

    def write(
        self,
        con,
        figures: StepFigures,
        status: str = "ok",
        touched: tuple[int | None, int | None] = (None, None),
        sources: tuple[int, int] = (0, 0),
    ) -> None:
        """One row: the step's figures, its status, the UTC seconds it touched, the sources read and skipped."""
        begun = datetime.fromtimestamp(self.started if self.started is not None else time.time(), UTC)
        now = datetime.now(UTC).replace(tzinfo=None)
        f = figures
        run(
            con, "INSERT INTO CTL_AUDIT_LOG VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.key(f.step), self.run_id, self.job, f.step.label, status, begun.replace(tzinfo=None), now, *touched,
             *sources, f.entities, f.rows_in, f.inserted, f.deleted, f.changed, f.detail],
        )  # fmt: skip
