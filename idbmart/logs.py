"""Logging: every module of idbmart/ logs to its own logger (`logging.getLogger(__name__)`), so Airflow's
task logs show a cycle's stages with their windows, rows and seconds as they happen. The command line
shows the same lines on stderr, as text or as JSON lines for log shippers (`--log-format json`), and a
progress bar over a long step's parts (tqdm) where stderr is a terminal. Great Expectations' own
logging is kept at WARNING: its INFO lines drowned the cycle's."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

T = TypeVar("T")


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname,
                "logger": record.name,
                "message": record.getMessage(),
            }
        )


def quiet_libraries() -> None:
    """Great Expectations at WARNING: its parent logger, and the modules that set INFO on their own."""
    for name in ["great_expectations", *logging.root.manager.loggerDict]:
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.WARNING)


def setup(fmt: str = "text", level: int = logging.INFO) -> None:
    """The command line's logging: idbmart's records on stderr, plain messages or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if fmt == "json" else logging.Formatter("%(message)s"))
    logger = logging.getLogger("idbmart")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
    quiet_libraries()


def progress(parts: Iterable[T], what: str, total: int | None = None) -> Iterator[T]:
    """`parts` with a progress bar on stderr while a long step goes through them (the transform's
    slices, the quality suites); none where stderr is no terminal (Airflow, a pipe, a log file)."""
    if not sys.stderr.isatty():
        yield from parts
        return
    from tqdm import tqdm

    yield from tqdm(parts, desc=what, total=total, leave=False, file=sys.stderr, unit="")
