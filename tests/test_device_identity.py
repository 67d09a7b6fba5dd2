"""Who the device is: model, iOS version and build, and app version are columns of `devices` and `calls`, taken
from the evidence that names them (a sysdiagnose's name and metadata files, an idevicesyslog host, the app's
call.start), the app's own line first; nothing names it: NULL, shown as 'unknown', never a file path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.formats.device_info import DeviceInfo, from_remotectl, from_system_version
from analyzer.pipeline import analyse
from analyzer.render.dashboard import dashboard_data
from analyzer.store.db import connect

DATA = Path(__file__).parent / "data" / "device"
SYSDIAG = "sysdiagnose_2026.11.20_10-00-00-0800_iPhone-OS_iPhone_19E258"


def _store(tmp_path: Path, layout: dict[str, str]):
    """A store of the fixture files laid out as `layout` (path under tmp_path -> fixture name), sessionised."""
    for dest, fixture in layout.items():
        target = tmp_path / "in" / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / fixture, target)
    con = connect(":memory:")
    analyse(con, [str(tmp_path / "in")], [], use_model=False)
    return con


def _calls(con) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT call_id, device, device_model, os_version, os_build, ios, app_version FROM call_verdicts"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_remotectl_names_the_local_device():
    text = (DATA / "remotectl_dumpstate.txt").read_text()
    assert from_remotectl(text) == DeviceInfo("iPhone13,3", "15.4.1", "19E258")
    # another device's block after the local one is not this phone
    other = text + "Some paired device\n\tProduct Type: Watch6,1\n\tOS Build: 9.4 (20T250)\n"
    assert from_remotectl(other) == DeviceInfo("iPhone13,3", "15.4.1", "19E258")
    assert from_remotectl("Local device\n\tProduct Type: <&'>\n") == DeviceInfo()  # not a model identifier


def test_system_version_plist_gives_version_and_build_not_a_model():
    assert from_system_version((DATA / "SystemVersion.plist").read_bytes()) == DeviceInfo(None, "26.1", "23B85")
    assert from_system_version(b"<plist><dict><key>ProductName</key><string>Mac OS X</string></dict></plist>") == (
        DeviceInfo()
    )
    assert from_system_version(b"not a plist") == DeviceInfo()
    # a malformed plist (plistlib raises IndexError on this one) is no facts, not a crash
    assert from_system_version(b"<plist><key>ProductBuildVersion</key><key>ProductVersion</key><dict") == DeviceInfo()


def test_sysdiagnose_with_metadata_and_the_apps_call_start(tmp_path):
    """The app's call.start names its own model and iOS (C-A); a call whose call.start names nothing (C-B) takes
    the device's, from the sysdiagnose's metadata (stronger than its name: the name says only 'iPhone')."""
    con = _store(
        tmp_path,
        {
            f"{SYSDIAG}/logs/app.log": "app_two_calls.log",
            f"{SYSDIAG}/remotectl_dumpstate.txt": "remotectl_dumpstate.txt",
        },
    )
    calls = _calls(con)
    device = "iPhone 19E258"
    # the app says 18.1 where the metadata says 15.4.1 (19E258): the app's pair wins, the build is not mixed in
    assert calls["C-A"] == (device, "iPhone17,3", "18.1", None, "18.1", "4.2.0")
    assert calls["C-B"] == (device, "iPhone13,3", "15.4.1", "19E258", "15.4.1", None)
    assert con.execute("SELECT model, os_version, os_build, found_from FROM devices").fetchall() == [
        ("iPhone13,3", "15.4.1", "19E258", "sysdiagnose metadata")
    ]


def test_sysdiagnose_name_alone_gives_the_build_not_a_version(tmp_path):
    """`iPhone-OS_iPhone_19E258`: the platform and the build; no build -> version table is invented, so the iOS
    shown is the build, and 'iPhone' is not taken for a model."""
    con = _store(tmp_path, {f"{SYSDIAG}/logs/app.log": "app_two_calls.log"})
    calls = _calls(con)
    assert calls["C-B"] == ("iPhone 19E258", None, None, "19E258", "19E258", None)
    assert con.execute("SELECT model, os_version, os_build, found_from FROM devices").fetchall() == [
        (None, None, "19E258", "sysdiagnose name")
    ]


def test_model_identifier_in_the_sysdiagnose_name(tmp_path):
    con = _store(
        tmp_path, {"sysdiagnose_2026.11.20_10-00-00-0800_iPhone-OS_iPhone17,3_22B83/a.log": "app_two_calls.log"}
    )
    assert _calls(con)["C-B"][1:5] == ("iPhone17,3", None, "22B83", "22B83")


def test_system_version_plist_in_a_sysdiagnose(tmp_path):
    con = _store(
        tmp_path,
        {
            f"{SYSDIAG}/logs/app.log": "app_two_calls.log",
            f"{SYSDIAG}/logs/SystemVersion/SystemVersion.plist": "SystemVersion.plist",
        },
    )
    # both the plist and the name give a build: the metadata's is stronger
    assert _calls(con)["C-B"][1:5] == (None, "26.1", "23B85", "26.1")


def test_a_renamed_sysdiagnose_is_still_one_device(tmp_path):
    """A sysdiagnose folder renamed by whoever attached it ('ticket-4411-phone') is still recognised by what only a
    sysdiagnose holds at its top: its metadata and the log in logs/ below it are one device, not two."""
    con = _store(
        tmp_path,
        {
            "ticket-4411-phone/logs/app.log": "app_two_calls.log",
            "ticket-4411-phone/remotectl_dumpstate.txt": "remotectl_dumpstate.txt",
        },
    )
    assert con.execute("SELECT count(*) FROM devices").fetchone() == (1,)
    assert _calls(con)["C-B"][1:5] == ("iPhone13,3", "15.4.1", "19E258", "15.4.1")


def test_a_renamed_sysdiagnose_in_a_zip_is_one_device(tmp_path):
    import zipfile

    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "phone.zip", "w") as zf:
        zf.write(DATA / "app_two_calls.log", "renamed/logs/app.log")
        zf.write(DATA / "SystemVersion.plist", "renamed/logs/SystemVersion/SystemVersion.plist")
    con = connect(":memory:")
    analyse(con, [str(folder)], [], use_model=False)
    assert con.execute("SELECT count(*) FROM devices").fetchone() == (1,)
    assert _calls(con)["C-B"][3:5] == ("23B85", "26.1")


def test_two_phones_on_one_build_are_two_devices(tmp_path):
    """Two sysdiagnoses whose names give the same platform and build are two phones (one fleet folder)."""
    other = SYSDIAG.replace("10-00-00", "11-30-00")
    con = _store(
        tmp_path,
        {
            f"fleet/{SYSDIAG}/logs/app.log": "app_two_calls.log",
            f"fleet/{other}/logs/app.log": "app_two_calls.log",
            f"fleet/{other}/remotectl_dumpstate.txt": "remotectl_dumpstate.txt",
        },
    )
    devices = con.execute("SELECT model, os_build, found_from FROM devices ORDER BY found_from").fetchall()
    assert devices == [("iPhone13,3", "19E258", "sysdiagnose metadata"), (None, "19E258", "sysdiagnose name")]


def test_two_phones_on_one_build_with_the_same_call_ids(tmp_path):
    """Each phone's call C-1 is its own call, named by the sysdiagnose's name and a number, never by a path."""
    other = SYSDIAG.replace("10-00-00", "11-30-00")
    calls = DATA.parent / "calls"
    for folder, log in ((SYSDIAG, "device_two_calls.ndjson"), (other, "other_phone_same_ids.ndjson")):
        (tmp_path / "in" / folder / "logs").mkdir(parents=True)
        shutil.copy(calls / log, tmp_path / "in" / folder / "logs" / log)
    con = connect(":memory:")
    analyse(con, [str(tmp_path / "in")], [], use_model=False)
    ids = [r[0] for r in con.execute("SELECT call_id FROM calls WHERE call_id LIKE 'C-1%' ORDER BY 1").fetchall()]
    assert ids == ["C-1@iPhone 19E258#1", "C-1@iPhone 19E258#2"]


def test_idevicesyslog_host_names_the_device_not_its_model(tmp_path):
    con = _store(tmp_path, {"capture/syslog.log": "idevicesyslog_host.log"})
    ((device, model, version, build, ios, app),) = _calls(con).values()
    assert device == "ipad-mini2" and (model, version, build, ios, app) == (None, None, None, None, None)
    assert con.execute("SELECT name, found_from FROM devices").fetchall() == [("ipad-mini2", "idevicesyslog host")]


def test_a_bare_file_is_unknown_never_a_path(tmp_path):
    con = _store(tmp_path, {"plain/app.log": "app_two_calls.log"})
    calls = _calls(con)
    assert calls["C-A"] == ("unknown", "iPhone17,3", "18.1", None, "18.1", "4.2.0")
    assert calls["C-B"] == ("unknown", None, None, None, None, None)
    data = dashboard_data(con)
    col = {c: i for i, c in enumerate(data["columns"])}
    shown = {r[col["call_id"]]: (r[col["device"]], r[col["os"]]) for r in data["calls"]}
    assert shown == {"C-A": ("iPhone17,3", "18.1"), "C-B": ("unknown", "unknown")}
    assert all("/" not in str(v) for row in shown.values() for v in row)


def test_an_older_store_is_refused(tmp_path):
    """The columns above are new (schema version 4): a store written before them is refused, not misread."""
    import duckdb

    from analyzer.errors import InputError

    db = tmp_path / "old.duckdb"
    connect(db).close()
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE schema_meta SET value = $v WHERE key = 'schema_version'", {"v": "3"})
    with pytest.raises(
        InputError, match="schema version 3, written by an older analyzer; this analyzer reads version 4"
    ):
        connect(db)


def test_triage_names_model_ios_and_app_or_says_they_are_missing(tmp_path):
    """The ticket says which phone, iOS and app build a call ran on, and says so when the evidence does not."""
    import json
    import subprocess
    import sys

    folder = tmp_path / "in" / SYSDIAG / "logs"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "app_two_calls.log", folder / "app.log")

    def triage(fmt: str) -> str:
        cmd = [sys.executable, "-m", "analyzer", "triage", str(tmp_path / "in"), "--format", fmt]
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout

    calls = {c["call_id"]: c for c in json.loads(triage("json"))["calls"]}
    assert (calls["C-A"]["device_model"], calls["C-A"]["ios"], calls["C-A"]["app_version"]) == (
        "iPhone17,3",
        "18.1",
        "4.2.0",
    )
    assert (calls["C-B"]["device_model"], calls["C-B"]["ios"], calls["C-B"]["app_version"]) == (None, "19E258", None)
    lines = [line for line in triage("markdown").splitlines() if line.startswith("- **Device:**")]
    assert lines == [
        "- **Device:** iPhone 19E258; model iPhone17,3; iOS 18.1; app 4.2.0",
        "- **Device:** iPhone 19E258; iOS 19E258; model, app not in the evidence",
    ]
