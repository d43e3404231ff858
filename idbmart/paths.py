"""Where the project's non-Python assets live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """`sql/` or `expectations/`: inside the package when installed as a wheel, else the checkout's."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"idbmart asset folder {name!r} not found beside {_PACKAGE}")


SQL_DIR = asset_dir("sql")
