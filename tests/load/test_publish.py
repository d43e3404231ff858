"""The readers' copy is taken under the mart's write lock: never while another process writes it."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import duckdb
import pytest

from idbmart.cycle import run_cycle
from idbmart.load.publish import publish


def test_the_copy_is_one_committed_state_and_is_not_taken_while_another_process_writes(tiny_deployment, tmp_path):
    """Issue: the copy was made after the cycle released the mart, so another writer's changes could be
    published half-made. Publishing holds the mart open for writing while it copies: with another
    process holding it, publishing fails and the readers keep the copy they had."""
    _, deployment = tiny_deployment
    deployment = dataclasses.replace(deployment, reader_path=tmp_path / "readers.duckdb")
    run_cycle(deployment)
    assert publish(deployment)
    with duckdb.connect(str(deployment.reader_path), read_only=True) as readers:
        (runs,) = readers.execute("SELECT count(DISTINCT RUN_ID) FROM CTL_AUDIT_LOG").fetchone()
    assert runs == 1
    before = deployment.reader_path.read_bytes()
    writer = subprocess.Popen(  # another writer: holds the mart and says so
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(deployment.mart_path)!r}); "
         "print('holding', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "holding"
        with pytest.raises(duckdb.IOException, match="lock"):
            publish(deployment)
    finally:
        writer.communicate("\n", timeout=30)
    assert deployment.reader_path.read_bytes() == before
    assert not list(tmp_path.glob(".readers.duckdb.publishing"))
