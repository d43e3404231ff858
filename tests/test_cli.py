"""The `idbmart` command as a user runs it: the installed console script, in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.demo import build_demo_deployment

IDBMART = str(Path(sys.executable).parent / "idbmart")
INTERFACE_VERBS = ["simulate", "run", "backfill", "check", "demo"]


def idbmart(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([IDBMART, *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_verb_of_the_interface():
    out = idbmart("--help")
    assert out.returncode == 0
    for verb in INTERFACE_VERBS + ["sources"]:
        assert f"    {verb} " in out.stdout, verb


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--out", "x"],
        ["run", "--config", "x.toml"],
        ["backfill", "--config", "x.toml", "--from", "2026-01-01", "--to", "2026-01-02"],
        ["check", "--config", "x.toml"],
        ["bench"],
    ],
)
def test_verbs_not_built_yet_say_so_and_exit_non_zero_without_output(args):
    out = idbmart(*args)
    assert out.returncode == 3
    assert out.stdout == ""
    assert out.stderr.startswith(f"idbmart {args[0]}: not available yet")
    assert out.stderr.count("\n") == 1


def test_demo_builds_and_reads_an_ha_pair_through_two_readers():
    out = idbmart("demo")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # Both members reachable and schema-checked, with the tiny IDB's watermarks (fixtures/tiny/idb.sql).
    for name, kind in (("site1_a", "duckdb"), ("site1_b", "parquet")):
        row = next(line.split() for line in lines if line.startswith(name + " "))
        assert row[3] == kind and row[7] == "ok"
        assert row[8:] == ["cfg=9", "gcc=40", "gls=30", "gud=42"]
    # The tiny IDB has 3 calls and 15 party-history rows, on both members.
    assert next(line.split() for line in lines if line.startswith("G_CALL ")) == ["G_CALL", "3", "3"]
    assert next(line.split() for line in lines if line.startswith("G_PARTY_HISTORY ")) == [
        "G_PARTY_HISTORY",
        "15",
        "15",
    ]


def test_sources_reports_a_broken_source_and_still_checks_the_others(tmp_path):
    path = build_demo_deployment(tmp_path)
    text = path.read_text().replace('uri = "parquet://idb/site1_b"', 'uri = "postgresql://icon@127.0.0.1:1/idb"')
    path.write_text(text)
    out = idbmart("sources", "--config", str(path))
    assert out.returncode == 1
    rows = {line.split()[0]: line.split() for line in out.stdout.splitlines() if line.startswith("site1_")}
    assert rows["site1_a"][7] == "ok"
    assert rows["site1_b"][7] == "FAILED"
    assert "error: source 'site1_b': cannot connect to postgresql://icon@127.0.0.1:1/idb" in out.stdout


def test_a_bad_deployment_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text(
        '[mart]\npath = "m.duckdb"\n[[source]]\nname = "a"\nuri = "duckdb://nope.duckdb"\nroles = ["gcc"]\n'
    )
    out = idbmart("sources", "--config", str(path))
    assert out.returncode == 1
    assert out.stderr == f"idbmart sources: {path}: source 'a': DuckDB snapshot {tmp_path}/nope.duckdb does not exist\n"
