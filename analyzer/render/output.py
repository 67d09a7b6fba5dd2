"""Writing the report and the dashboard safely. Every file is written under a temporary name in its own folder
and renamed into place when whole; a report folder's manifest.json (each file's size and SHA-256) is written
last, so a folder without one, or whose files do not match it, is not a complete report."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from analyzer.errors import OutputError

MANIFEST = "manifest.json"
_PARTIAL = ".partial"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _nearest_existing(path: Path) -> Path:
    here = path.absolute()
    while not here.exists() and here != here.parent:
        here = here.parent
    return here


def check_folder(path: Path, option: str = "--out") -> None:
    """Fail early, with a clear message, when `path` cannot be (or become) a writable folder."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {path}: is a file, not a folder")
    _check_parents(path, path, option)


def check_file(path: Path, option: str = "--out") -> None:
    """Fail early, with a clear message, when `path` cannot be written as a file."""
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give the file to write (e.g. {path / 'dashboard.html'})")
    _check_parents(path.parent, path, option)


def _check_parents(folder: Path, shown: Path, option: str) -> None:
    """The nearest existing folder on the way to `folder` must be a folder, and writable."""
    base = _nearest_existing(folder)
    if not base.is_dir():
        raise OutputError(f"{option} {shown}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {shown}: {base} is not writable")


def _make_folder(path: Path, option: str) -> None:
    check_folder(path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot create the folder: {_reason(exc)}") from exc


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, so that a rename never exposes a file still in the cache."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename is still atomic
        pass
    finally:
        os.close(fd)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write_file(path: Path, text: str, option: str = "--out") -> Path:
    """Write one text file whole or not at all: a temporary name beside it, then a rename into place."""
    check_file(path, option)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot create its folder: {_reason(exc)}") from exc
    tmp = path.parent / f".{path.name}{_PARTIAL}"
    try:
        tmp.write_text(text, encoding="utf-8")
        _sync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{option} {path}: cannot be written: {_reason(exc)}") from exc
    _sync(path.parent)
    return path


class FolderWrite:
    """The files of one report folder: each written to the temporary path `part(name)` gives, then all renamed
    into place by `commit`, which writes the manifest last. Used as a context manager, an exception (or a
    stopped process) before the commit leaves the folder's previous files and manifest as they were."""

    def __init__(self, folder: Path, option: str = "--out") -> None:
        _make_folder(folder, option)
        self.folder, self.option = folder, option
        self._parts: dict[str, Path] = {}

    def part(self, name: str) -> Path:
        """The temporary path to write the file `name` to (one a stopped run left there is replaced)."""
        tmp = self.folder / f".{name}{_PARTIAL}"
        tmp.unlink(missing_ok=True)
        self._parts[name] = tmp
        return tmp

    def write_text(self, name: str, text: str) -> None:
        """Write the file `name` (to its temporary path)."""
        try:
            self.part(name).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{self.option} {self.folder}: cannot write {name}: {_reason(exc)}") from exc

    def commit(self, about: dict[str, object]) -> Path:
        """Rename every file into place, then write the manifest (`about` plus each file's size and SHA-256)."""
        manifest = self.folder / MANIFEST
        try:
            for tmp in self._parts.values():
                _sync(tmp)
            manifest.unlink(missing_ok=True)  # from here until the new one is in, the folder is not complete
            _sync(self.folder)
            for name, tmp in self._parts.items():
                os.replace(tmp, self.folder / name)
            files = [
                {"name": n, "bytes": (self.folder / n).stat().st_size, "sha256": _digest(self.folder / n)}
                for n in sorted(self._parts)
            ]
            tmp = self.part(MANIFEST)
            tmp.write_text(json.dumps({**about, "files": files}, indent=2) + "\n", encoding="utf-8")
            _sync(tmp)
            os.replace(tmp, manifest)
            _sync(self.folder)
        except OSError as exc:
            raise OutputError(f"{self.option} {self.folder}: cannot be written: {_reason(exc)}") from exc
        self._parts.clear()
        return manifest

    def discard(self) -> None:
        """Remove the temporary files of an unfinished write."""
        for tmp in self._parts.values():
            tmp.unlink(missing_ok=True)
        self._parts.clear()

    def __enter__(self) -> FolderWrite:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


def is_complete(folder: Path) -> bool:
    """Whether a report folder holds a manifest and every file it lists, with the size and hash it records."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        return all(
            (folder / f["name"]).stat().st_size == f["bytes"] and _digest(folder / f["name"]) == f["sha256"]
            for f in files
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False
