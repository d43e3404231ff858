"""The hand-over of a cycle's extracts between the tasks of an orchestrated run, which may run on
different machines: each extraction task leaves one DuckDB file per source (and the reason where a source
could not be read) at a shared location, and the commit task, on the mart's machine, takes them from
there. The location is a folder (a local or a network file system) or any URL fsspec opens (`s3://`,
`gs://`, `abfs://`, ...; their credentials from the environment, as those libraries read them); what
passes between tasks is the source's name, never a path of the machine that wrote it.

A file appears whole or not at all: written under a partial name, then moved over its own (a rename
in a folder; an object store's put is atomic by itself).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem


class Handover:
    """A run's shared location: `name` is a file in it."""

    def __init__(self, location: str | Path):
        self.location = str(location)
        self.fs, self.root = fsspec.core.url_to_fs(self.location)
        self.is_folder = isinstance(self.fs, LocalFileSystem)

    def _path(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}"

    def has(self, name: str) -> bool:
        return self.fs.exists(self._path(name))

    def put(self, local: Path, name: str) -> None:
        """`local` copied in as `name`, whole or not at all."""
        self.fs.makedirs(self.root, exist_ok=True)
        if not self.is_folder:  # an object store's put is atomic
            self.fs.put_file(str(local), self._path(name))
            return
        partial = self._path(f".{name}.partial")
        self.fs.put_file(str(local), partial)
        self.fs.mv(partial, self._path(name))

    def write_text(self, name: str, text: str) -> None:
        self.fs.makedirs(self.root, exist_ok=True)
        self.fs.pipe_file(self._path(name), text.encode())

    def read_text(self, name: str) -> str | None:
        return self.fs.cat_file(self._path(name)).decode() if self.has(name) else None

    def remove(self, name: str) -> None:
        if self.has(name):
            self.fs.rm_file(self._path(name))

    def local_copy(self, name: str, scratch: Path) -> Path | None:
        """A local path of `name` to read (the file itself in a folder, else a copy in `scratch`); None if
        it is not there."""
        if not self.has(name):
            return None
        if self.is_folder:
            return Path(self._path(name))
        target = scratch / name
        self.fs.get_file(self._path(name), str(target))
        return target

    def remove_all(self) -> None:
        """The run's location and all in it (its teardown)."""
        if self.fs.exists(self.root):
            self.fs.rm(self.root, recursive=True)


def scratch() -> tempfile.TemporaryDirectory:
    """A local folder for one task's files on its way to or from the shared location (TMPDIR's)."""
    return tempfile.TemporaryDirectory(prefix="idbmart-")
