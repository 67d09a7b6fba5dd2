"""Read stage: turn command-line paths (files, folders, globs, archives, stdin) into plain files on disk.

Archives are unpacked into a private temporary folder, member by member, refusing absolute paths and
`..`, skipping links and members whose name clashes with another's, and stopping at one budget for the whole
input, nested archives included: bytes (a ratio to the size of each archive given, and a cap) and entries.
"""

from __future__ import annotations

import glob
import gzip
import os
import re
import shutil
import stat
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from analyzer.errors import InputError
from analyzer.settings import number

MAX_EXTRACT_BYTES = int(number("ANALYZER_MAX_EXTRACT_BYTES", 8 * 1024**3, minimum=1))
MAX_RATIO = float(number("ANALYZER_MAX_RATIO", 1000.0, float, minimum=1))
NAME_MAX, PATH_MAX = 255, 4000  # bytes of one name, characters of a whole path (Linux's limits, with room)
MAX_EXTRACT_ENTRIES = int(number("ANALYZER_MAX_EXTRACT_ENTRIES", 200_000, minimum=1))
MAX_DEPTH = 3
_COPY_CHUNK = 1 << 20


@dataclass
class InputFile:
    """One plain file to sniff and parse, with where it came from."""

    path: Path  # the bytes on disk (a temporary file for archive members and stdin)
    display: str  # what the user gave (the archive for members)
    member: str | None = None  # path inside the archive(s), '!'-joined when nested
    device_hint: str | None = None
    explicit: bool = True  # named on the command line (unknown format is an error, not a skip)
    device_key: str | None = None  # files that belong to one device: the folder they were found in, or the ticket

    @property
    def label(self) -> str:
        """Human name for messages: 'ticket.zip!logs/device.ndjson'."""
        return f"{self.display}!{self.member}" if self.member else self.display


@dataclass
class Collected:
    """What `collect` found: files to parse plus notes about what was skipped and why."""

    files: list[InputFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    logarchives: list[str] = field(default_factory=list)


def device_hint_from_name(name: str) -> str | None:
    """Device and build from the sysdiagnose a path is in (the file itself, or any folder or archive on its way):
    .../sysdiagnose_<date>_<time>_iPhone-OS_iPhone_22B83/logs/x -> 'iPhone 22B83'."""
    for base in reversed(re.split(r"[/\\!]", name)):
        if not base.startswith("sysdiagnose_"):
            continue
        parts = base.split(".tar")[0].split("_")
        # sysdiagnose, date, time, platform (iPhone-OS), model, build
        if len(parts) >= 6:
            return f"{parts[4]} {parts[5]}"
    return None


# files only a sysdiagnose holds at its top: a folder with one of them is a sysdiagnose, whatever it was renamed to
_SYSDIAGNOSE_MARKERS = (
    "remotectl_dumpstate.txt",
    "sysdiagnose.log",
    "system_logs.logarchive",
    "logs/SystemVersion/SystemVersion.plist",
)


def _is_sysdiagnose(folder: Path) -> bool:
    return folder.name.startswith("sysdiagnose_") or any((folder / m).exists() for m in _SYSDIAGNOSE_MARKERS)


def _sysdiagnose_above(here: Path, top: Path, known: dict[Path, Path | None]) -> Path | None:
    """The nearest sysdiagnose folder at or above `here`, not above `top` (by name, or by the files only a
    sysdiagnose holds, so a renamed one keeps its metadata and its logs one device); `known` caches per folder."""
    if here not in known:
        if _is_sysdiagnose(here):
            known[here] = here
        elif here == top or top not in here.parents:
            known[here] = None
        else:
            known[here] = _sysdiagnose_above(here.parent, top, known)
    return known[here]


class _Budget:
    """What one input may unpack, over all its archives and the archives inside them: bytes (at most MAX_RATIO
    times the size of the outermost archive, and MAX_EXTRACT_BYTES in all) and entries (MAX_EXTRACT_ENTRIES)."""

    def __init__(self) -> None:
        self.used = 0
        self.entries = 0
        self.outer = ""  # the outermost archive being unpacked: what a refusal names
        self.outer_limit = 0
        self.outer_used = 0

    def open_outer(self, label: str, compressed: int) -> None:
        """An archive the user gave (not one inside another): its ratio limit starts."""
        self.outer = label
        self.outer_limit = int(max(compressed, 1) * MAX_RATIO)
        self.outer_used = 0

    def spend(self, n: int) -> None:
        """Count n more bytes written; refuse past either limit."""
        self.used += n
        self.outer_used += n
        if self.outer_used > self.outer_limit or self.used > MAX_EXTRACT_BYTES:
            limit = min(self.outer_limit, MAX_EXTRACT_BYTES)
            raise InputError(
                f"{self.outer}: refused: it expands past {limit:,} bytes, archives inside it included "
                f"(limit: {MAX_RATIO:g}x its size, at most {MAX_EXTRACT_BYTES:,} bytes for the whole input, "
                "ANALYZER_MAX_RATIO / ANALYZER_MAX_EXTRACT_BYTES); a decompression bomb or a capture too large "
                "to unpack here"
            )

    def count_entry(self) -> None:
        """Count one more archive member; refuse past the entry limit."""
        self.entries += 1
        if self.entries > MAX_EXTRACT_ENTRIES:
            raise InputError(
                f"{self.outer}: refused: the input holds more than {MAX_EXTRACT_ENTRIES:,} archive members, "
                "archives inside archives included (ANALYZER_MAX_EXTRACT_ENTRIES)"
            )


def _copy_limited(src, dst_path: Path, budget: _Budget) -> None:
    with open(dst_path, "wb") as out:
        while chunk := src.read(_COPY_CHUNK):
            budget.spend(len(chunk))
            out.write(chunk)


def _safe_member_path(label: str, name: str) -> PurePosixPath:
    """Refuse absolute member names and any `..` component."""
    norm = name.replace("\\", "/")
    pure = PurePosixPath(norm)
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":") or ".." in pure.parts:
        raise InputError(f"{label}: refused: member {name!r} would be written outside the extraction folder")
    return PurePosixPath(*[p for p in pure.parts if p not in ("", ".")])


def _name_clash(dest: Path, rel: PurePosixPath) -> str | None:
    """Why a member cannot be written where its name says (a name too long for the file system, a file and a
    folder of one name, or a name twice)."""
    if any(len(part.encode()) > NAME_MAX for part in rel.parts) or len(str(dest.joinpath(*rel.parts))) > PATH_MAX:
        return "its name is too long to be written to disk"
    here = dest
    for i, part in enumerate(rel.parts[:-1]):
        here = here / part
        if here.exists() and not here.is_dir():
            return f"its folder {'/'.join(rel.parts[: i + 1])!r} is a file in the same archive"
    target = here / rel.parts[-1]
    if target.is_dir():
        return "a folder of the same name is in the same archive"
    if target.exists():
        return "a member of the same name came before it in the archive"
    return None


def _member_target(
    item: InputFile,
    name: str,
    dest: Path,
    budget: _Budget,
    out: Collected,
    *,
    link: bool,
    folder: bool,
    regular: bool = True,
) -> Path | None:
    """Where an archive member is extracted to (its folder made); None for a folder, or for a member skipped
    with a note saying why (a link, not a regular file, a name that clashes)."""
    budget.count_entry()
    rel = _safe_member_path(item.label, name)
    skip = None
    if link:
        skip = "link inside archive"
    elif folder or not rel.parts:
        return None
    elif not regular:
        skip = "not a regular file"
    else:
        skip = _name_clash(dest, rel)
    if skip:
        out.notes.append(f"{item.label}!{name}: skipped: {skip}")
        return None
    target = dest.joinpath(*rel.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _archive_kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(262)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


class Collector:
    """Walks inputs, unpacking archives under one temporary folder that lives as long as the collector."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="analyzer-")
        self.root = Path(self._tmp.name)
        self._n = 0
        self._budget = _Budget()

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self) -> Collector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _fresh_dir(self) -> Path:
        self._n += 1
        d = self.root / f"x{self._n}"
        d.mkdir()
        return d

    def collect(self, paths: list[str]) -> Collected:
        """Expand command-line paths into plain files; '-' reads standard input. Everything they unpack to
        shares one budget."""
        out = Collected()
        self._budget = _Budget()
        for raw in paths:
            if raw == "-":
                dst = self._fresh_dir() / "stdin"
                with open(dst, "wb") as fh:
                    shutil.copyfileobj(sys.stdin.buffer, fh)
                self._add(out, InputFile(dst, "<stdin>"), depth=0)
                continue
            matches = sorted(glob.glob(raw)) if any(c in raw for c in "*?[") else [raw]
            if not matches:
                raise InputError(f"{raw}: no file matches this pattern")
            for m in matches:
                p = Path(m)
                if p.is_dir():
                    self._walk_dir(out, p, display_root=p, depth=0)
                elif p.is_file():
                    self._add(out, InputFile(p, m, device_hint=device_hint_from_name(m)), depth=0)
                elif p.exists():
                    raise InputError(f"{m}: not a regular file")
                else:
                    raise InputError(f"{m}: no such file or folder")
        return out

    def _walk_dir(
        self, out: Collected, folder: Path, display_root: Path, depth: int, parent: InputFile | None = None
    ) -> None:
        sysdiagnoses: dict[Path, Path | None] = {}
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            here = Path(dirpath)
            device_folder = _sysdiagnose_above(here, folder, sysdiagnoses) or here
            for d in list(dirnames):
                if d.endswith(".logarchive"):
                    dirnames.remove(d)
                    rel = (here / d).relative_to(folder).as_posix()
                    out.logarchives.append(str(here / d) if parent is None else f"{parent.label}!{rel}")
            for name in sorted(filenames):
                fp = here / name
                if name.startswith("._") or name == ".DS_Store" or fp.is_symlink():
                    if fp.is_symlink():
                        out.notes.append(f"{fp}: skipped: symbolic link")
                    continue
                rel = fp.relative_to(folder).as_posix()
                if parent is None:
                    item = InputFile(
                        fp,
                        str(fp),
                        device_hint=device_hint_from_name(str(display_root)) or device_hint_from_name(rel),
                        explicit=False,
                        device_key=f"{device_folder}/",
                    )
                else:
                    member = f"{parent.member}!{rel}" if parent.member else rel
                    device_rel = device_folder.relative_to(folder).as_posix()
                    member_dir = device_rel if not parent.member else f"{parent.member}!{device_rel}"
                    item = InputFile(
                        fp,
                        parent.display,
                        member,
                        parent.device_hint or device_hint_from_name(member),
                        explicit=False,
                        device_key=f"{parent.display}!{member_dir}/",
                    )
                self._add(out, item, depth)

    def _add(self, out: Collected, item: InputFile, depth: int) -> None:
        kind = _archive_kind(item.path)
        if kind is None:
            out.files.append(item)
            return
        if depth >= MAX_DEPTH:
            raise InputError(f"{item.label}: refused: archives nested deeper than {MAX_DEPTH} levels")
        dest = self._fresh_dir()
        budget = self._budget
        if depth == 0:
            budget.open_outer(item.label, item.path.stat().st_size)
        if kind == "zip":
            self._unzip(item, dest, budget, out)
        elif kind == "gzip" and self._is_tar_gz(item.path):
            self._untar(item, dest, budget, out, mode="r:gz")
        elif kind == "gzip":
            inner = PurePosixPath(item.member or Path(item.display).name).name
            inner_name = inner[:-3] if inner.endswith(".gz") else inner + ".out"
            target = dest / inner_name
            budget.count_entry()
            try:
                with gzip.open(item.path, "rb") as src:
                    _copy_limited(src, target, budget)
            except (OSError, EOFError) as exc:
                raise InputError(f"{item.label}: broken gzip data: {exc}") from exc
            member = f"{item.member}!{inner_name}" if item.member else inner_name
            self._add(
                out,
                InputFile(target, item.display, member, item.device_hint, item.explicit, item.device_key),
                depth + 1,
            )
            return
        else:
            self._untar(item, dest, budget, out, mode="r:")
        parent = InputFile(
            dest,
            item.display,
            item.member,
            item.device_hint or device_hint_from_name(item.member or item.display),
            explicit=False,
        )
        self._walk_dir(out, dest, dest, depth + 1, parent=parent)

    @staticmethod
    def _is_tar_gz(path: Path) -> bool:
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(262)
        except (OSError, EOFError):
            return False
        return len(head) >= 262 and head[257:262] == b"ustar"

    def _unzip(self, item: InputFile, dest: Path, budget: _Budget, out: Collected) -> None:
        try:
            zf = zipfile.ZipFile(item.path)
        except zipfile.BadZipFile as exc:
            raise InputError(f"{item.label}: broken zip archive: {exc}") from exc
        with zf:
            for info in zf.infolist():
                link = stat.S_ISLNK(info.external_attr >> 16)
                target = _member_target(item, info.filename, dest, budget, out, link=link, folder=info.is_dir())
                if target is None:
                    continue
                try:
                    with zf.open(info) as src:
                        _copy_limited(src, target, budget)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise InputError(f"{item.label}!{info.filename}: broken zip member: {exc}") from exc

    def _untar(self, item: InputFile, dest: Path, budget: _Budget, out: Collected, mode: str) -> None:
        try:
            tf = tarfile.open(item.path, mode)  # noqa: SIM115 - closed by the `with` below
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise InputError(f"{item.label}: broken tar archive: {exc}") from exc
        with tf:
            try:
                for member in tf:
                    link = member.issym() or member.islnk()
                    target = _member_target(
                        item, member.name, dest, budget, out, link=link, folder=member.isdir(), regular=member.isfile()
                    )
                    if target is None:
                        continue
                    src = tf.extractfile(member)
                    if src is None:
                        continue
                    with src:
                        _copy_limited(src, target, budget)
                    # a tar may hold an empty '<x>.logarchive/' folder: keep dirs visible to the walk
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise InputError(f"{item.label}: broken tar archive: {exc}") from exc
            # logarchive folders whose files are all present make os.walk find them; record empty ones too
            for member in tf.getmembers():
                if member.isdir() and member.name.rstrip("/").endswith(".logarchive"):
                    rel = _safe_member_path(item.label, member.name)
                    target = dest.joinpath(*rel.parts)
                    if rel.parts and (target.is_dir() or not _name_clash(dest, rel)):
                        target.mkdir(parents=True, exist_ok=True)
