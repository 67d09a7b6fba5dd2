"""A non-editable install works: queries/ and rules/ are inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import LOGS

ROOT = Path(__file__).resolve().parents[1]


def _see_running_environment(py: Path) -> None:
    """Let the inner venv import the dependencies installed where the tests run (any virtualenv, not the base)."""
    inner = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # Directories named in a .pth file are appended after the venv's own site-packages, and .pth files inside
    # them (the editable install of this checkout) are not run, so the wheel's copy is the one imported.
    (Path(inner) / "outer_environment.pth").write_text("\n".join(sorted(outer)) + "\n")


@pytest.mark.slow
def test_wheel_installs_and_runs(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "analyzer/_bundled/queries/schema.sql" in names
    assert "analyzer/normalise/audio_session.toml" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    _see_running_environment(py)
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    where = subprocess.run(
        [str(py), "-c", "import analyzer, sys; print(analyzer.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(venv) in where
    out = subprocess.run(
        [
            str(venv / "bin" / "analyzer"),
            "ingest",
            str(LOGS / "device.ndjson"),
            "--db",
            ":memory:",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert '"stored": 5' in out.stdout
