"""Errors a user can act on: each renders as one line naming what is wrong and where."""

from __future__ import annotations


class IdbmartError(Exception):
    """Base of every error the command line reports as a one-line reason with a non-zero exit."""


class ConfigError(IdbmartError):
    """The deployment file is invalid."""

    def __init__(self, path, message: str):
        super().__init__(f"{path}: {message}")


class SourceError(IdbmartError):
    """A source IDB cannot be used: unreachable, or its schema lacks what the pipeline reads."""

    def __init__(self, source: str, message: str, table: str | None = None, column: str | None = None):
        where = ".".join(p for p in (table, column) if p)
        super().__init__(f"source {source!r}: {where + ': ' if where else ''}{message}")
        self.source, self.table, self.column = source, table, column


class KeyConflict(IdbmartError):
    """A step would give a mart table two rows with one key: idbmart.load.merge.replace refuses it, before
    it writes, where no PRIMARY KEY would (the facts have none)."""

    def __init__(self, table: str, keys: tuple[str, ...], values: tuple, why: str):
        key = ", ".join(f"{k} = {v!r}" for k, v in zip(keys, values, strict=True))
        super().__init__(f"mart table {table}: two rows with the key ({key}): {why}")
        self.table, self.keys, self.values = table, keys, values


def first_line(e: BaseException) -> str:
    """An exception's message as one line (a driver's may run to many), or its class's name."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def redacted_uri(uri: str) -> str:
    """A database URI without its query (where a password or other options could be): for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
