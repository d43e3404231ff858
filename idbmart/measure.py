"""Wall time and peak memory per stage, so a run can say where its time and memory went.

Peak memory is the process's resident high-water mark (VmHWM), reset at the start of each stage
through /proc/self/clear_refs (Linux); where that is not available the figure is the high-water mark
since the process started.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def peak_rss_mb() -> float | None:
    """The process's resident high-water mark in MB (since start or since the last reset)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not Linux: the peak since the process started

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start a new high-water mark at the current resident size (where the OS allows it)."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        pass


_watchers: list[Callable[[str], None]] = []


def watch(callback: Callable[[str], None]) -> None:
    """Call `callback(stage)` as every stage starts: a process that dies then says where (the bench)."""
    _watchers.append(callback)


class Stages:
    """Seconds and peak MB per named stage, in the order the stages first ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        for callback in _watchers:
            callback(name)
        reset_peak()
        clock = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - clock
            self.seconds[name] = self.seconds.get(name, 0.0) + took
            peak = peak_rss_mb()
            if peak is not None:
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), peak)
            log.info("%s: %.2f s%s", name, took, f", peak {peak:,.0f} MB" if peak is not None else "")
