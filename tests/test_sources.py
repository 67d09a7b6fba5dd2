"""Archives and folders: safe extraction, limits, sysdiagnose handling."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

import analyzer.read.sources as sources
from analyzer.errors import InputError
from analyzer.read.sources import Collector, device_hint_from_name
from tests.conftest import LOGS

SYSDIAG = "sysdiagnose_2026.11.20_10-22-33-0800_iPhone-OS_iPhone_22B83"


def _tar(path, members: dict[str, bytes], links: dict[str, str] | None = None, mode="w:gz"):
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tf.addfile(info)


def test_zip_traversal_is_refused(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../etc/cron.d/x", "boom")
    with Collector() as c, pytest.raises(InputError, match=r"evil.zip: refused: member '../../etc/cron.d/x'"):
        c.collect([str(z)])


def test_tar_absolute_path_is_refused(tmp_path):
    t = tmp_path / "evil.tar.gz"
    _tar(t, {"/etc/passwd": b"x"})
    with Collector() as c, pytest.raises(InputError, match="outside the extraction folder"):
        c.collect([str(t)])


def test_links_inside_tar_are_skipped_and_said(tmp_path):
    t = tmp_path / "links.tar.gz"
    _tar(t, {"logs/device.ndjson": (LOGS / "device.ndjson").read_bytes()}, links={"logs/passwd": "/etc/passwd"})
    with Collector() as c:
        got = c.collect([str(t)])
        assert [f.member for f in got.files] == ["logs/device.ndjson"]
        assert any("logs/passwd: skipped: link inside archive" in n for n in got.notes)


def test_decompression_bomb_stops_at_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_RATIO", 50.0)
    g = tmp_path / "bomb.log.gz"
    g.write_bytes(gzip.compress(b"\0" * (8 * 1024 * 1024)))
    with Collector() as c, pytest.raises(InputError, match=r"bomb.log.gz: refused: it expands past"):
        c.collect([str(g)])


def test_nested_archives_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_DEPTH", 2)
    inner = tmp_path / "a.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("device.ndjson", (LOGS / "device.ndjson").read_bytes())
    mid = tmp_path / "b.zip"
    with zipfile.ZipFile(mid, "w") as zf:
        zf.write(inner, "a.zip")
    with Collector() as c:
        got = c.collect([str(mid)])
        assert [f.label for f in got.files] == [f"{mid}!a.zip!device.ndjson"]
    outer = tmp_path / "c.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(mid, "b.zip")
    with Collector() as c, pytest.raises(InputError, match="nested deeper than 2"):
        c.collect([str(outer)])


def test_sysdiagnose_with_only_logarchive_says_how_to_export(ingest, tmp_path):
    t = tmp_path / f"{SYSDIAG}.tar.gz"
    _tar(
        t,
        {
            f"{SYSDIAG}/system_logs.logarchive/Persist/0000000000000001.tracev3": b"\x00\x10\x00\x00" + b"\0" * 60,
            f"{SYSDIAG}/ps.txt": b"USER PID COMMAND\nroot 1 launchd\n",
        },
    )
    summary = ingest(t)
    assert len(summary.errors) == 1
    assert "system_logs.logarchive" in summary.errors[0]
    assert "log show --archive" in summary.errors[0]
    assert [f.status for f in summary.files] == ["skipped"]


def test_sysdiagnose_with_export_ingests_and_notes_archive(con, ingest, tmp_path):
    t = tmp_path / f"{SYSDIAG}.tar.gz"
    _tar(
        t,
        {
            f"{SYSDIAG}/system_logs.logarchive/Persist/0000000000000001.tracev3": b"\x00\x10\x00\x00",
            f"{SYSDIAG}/exported/device.ndjson": (LOGS / "device.ndjson").read_bytes(),
        },
    )
    summary = ingest(t)
    assert summary.errors == []
    assert any("log show --archive" in n for n in summary.notes)
    row = con.execute("SELECT path, member, device_hint, stored FROM sources").fetchone()
    assert row == (str(t), f"{SYSDIAG}/exported/device.ndjson", "iPhone 22B83", 5)


def test_device_hint():
    assert device_hint_from_name(f"/x/{SYSDIAG}.tar.gz") == "iPhone 22B83"
    assert device_hint_from_name("device.ndjson") is None


def test_folder_and_glob(ingest, tmp_path):
    summary = ingest(str(LOGS / "device_*.log"))
    assert sorted(f.layouts.split()[0] for f in summary.files) == ["oslog_compact", "oslog_default", "oslog_syslog"]


def _zip_of(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_nested_archives_share_one_size_budget(tmp_path, monkeypatch):
    """Each inner zip is under the ratio limit on its own; together they unpack past the cap for the input."""
    monkeypatch.setattr(sources, "MAX_RATIO", 2000.0)
    monkeypatch.setattr(sources, "MAX_EXTRACT_BYTES", 3 * 1024 * 1024)
    inner = {}
    for i in range(5):
        _zip_of(tmp_path / f"in{i}.zip", {f"part{i}.log": b"\0" * (1024 * 1024)})
        inner[f"in{i}.zip"] = (tmp_path / f"in{i}.zip").read_bytes()
    outer = tmp_path / "outer.zip"
    _zip_of(outer, inner)
    with Collector() as c, pytest.raises(InputError, match=r"outer.zip: refused: it expands past .*archives inside"):
        c.collect([str(outer)])


def test_archive_members_counted_over_nested_archives(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_EXTRACT_ENTRIES", 10)
    inner = {}
    for i in range(3):
        _zip_of(tmp_path / f"in{i}.zip", {f"f{j}.txt": b"x" for j in range(5)})
        inner[f"in{i}.zip"] = (tmp_path / f"in{i}.zip").read_bytes()
    outer = tmp_path / "many.zip"
    _zip_of(outer, inner)
    with Collector() as c, pytest.raises(InputError, match=r"many.zip: refused: .* more than 10 archive members"):
        c.collect([str(outer)])


@pytest.mark.parametrize("file_first", [True, False])
def test_file_and_folder_of_one_name_in_a_zip(tmp_path, file_first):
    z = tmp_path / "clash.zip"
    log = (LOGS / "device.ndjson").read_bytes()
    members = [("a", b"notes"), ("a/b.ndjson", log)]
    _zip_of(z, dict(members if file_first else members[::-1]))
    with Collector() as c:
        got = c.collect([str(z)])
        kept, skipped = ("a", "a/b.ndjson") if file_first else ("a/b.ndjson", "a")
        assert [f.member for f in got.files] == [kept]
        assert any(n.startswith(f"{z}!{skipped}: skipped: ") for n in got.notes), got.notes


def test_file_and_folder_of_one_name_in_a_tar(ingest, tmp_path):
    t = tmp_path / "clash.tar.gz"
    _tar(t, {"a": b"notes", "a/b.ndjson": (LOGS / "device.ndjson").read_bytes()})
    summary = ingest(t)
    assert any("a/b.ndjson: skipped: its folder 'a' is a file in the same archive" in n for n in summary.notes)


def test_zip_with_several_files_at_its_top(tmp_path):
    z = tmp_path / "two.zip"
    _zip_of(z, {"one.ndjson": b"{}\n", "two.ndjson": b"{}\n"})
    with Collector() as c:
        got = c.collect([str(z)])
        assert [(f.member, f.device_key) for f in got.files] == [("one.ndjson", f"{z}!./"), ("two.ndjson", f"{z}!./")]


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_member_names_too_long_for_the_disk_are_skipped(ingest, tmp_path, kind):
    """A member whose name the file system cannot hold is skipped with a note; the others are read."""
    long_dir, long_file = "d" * 300 + "/x.ndjson", "f" * 300 + ".ndjson"
    members = {long_dir: b"{}\n", long_file: b"{}\n", "ok/device.ndjson": (LOGS / "device.ndjson").read_bytes()}
    path = tmp_path / f"long.{kind}"
    if kind == "zip":
        _zip_of(path, members)
    else:
        _tar(path, members, mode="w")
    summary = ingest(path)
    skipped = [n for n in summary.notes if "its name is too long to be written to disk" in n]
    assert len(skipped) == 2
    assert [f.stored for f in summary.files] == [5]
