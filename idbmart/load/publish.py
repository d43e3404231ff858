"""The readers' copy of the mart: published whole after each good cycle, replaced atomically.

DuckDB lets one process write a database file and, while it does, no other process may open it, not
even to read. So BI tools and analysts do not read the mart the pipeline writes: they read
`[mart] reader_path`, a copy taken after each cycle (or nightly job, or backfill) committed and
passed its quality gate. The copy is taken while publishing holds the mart open for writing, after a
checkpoint: no other writer (an overlapping job) can change the file while it is read, so the copy is
always one committed state. It is written beside the target and renamed over it, so a reader
opening the file sees the previous cycle or the new one, never half of one, and a reader already
connected keeps the file it opened (POSIX keeps a replaced file alive for those holding it) until it
reconnects. A cycle that fails, or fails its gate, publishes nothing: readers keep the last good state.
"""

from __future__ import annotations

import os
import shutil

import duckdb

from idbmart.config import Deployment


def publish(deployment: Deployment) -> bool:
    """Copy the mart to the readers' path under its write lock, checkpointed; False if not configured."""
    target = deployment.reader_path
    if target is None or not deployment.mart_path.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.publishing")
    with duckdb.connect(str(deployment.mart_path)) as held:  # the lock: no other writer until the copy is done
        held.execute("CHECKPOINT")
        shutil.copyfile(deployment.mart_path, partial)
    os.replace(partial, target)
    return True
