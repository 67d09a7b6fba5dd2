"""Run the real-data scorers beside the repository (../shared/realdata, when that folder exists) and fail when
fewer real cases or peer facts pass than the floors recorded in .ci/realdata_floor.toml: a change that loses a
real case cannot land. Raise the floors as cases pass."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realdata"
CHECKS = {
    "score": ("score.py", r"real files: (\d+)/(\d+) cases pass"),
    "parity": ("parity.py", r"peer parity \(rtcstats-server\): (\d+)/(\d+) facts agree"),
}


def main() -> int:
    if not REAL.is_dir():
        print(f"real-data gate: {REAL} is not here; skipped")
        return 0
    floors = tomllib.loads((ROOT / ".ci" / "realdata_floor.toml").read_text())
    failed = False
    for name, (script, pattern) in CHECKS.items():
        run = subprocess.run([sys.executable, str(REAL / script)], capture_output=True, text=True)
        m = re.search(pattern, run.stdout)
        if not m:
            print(f"real-data gate: {script} printed no score:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
            failed = True
            continue
        got, total = int(m.group(1)), int(m.group(2))
        floor = int(floors[name])
        verdict = "ok" if got >= floor else "BELOW THE FLOOR"
        print(f"real-data gate: {script}: {got}/{total} (floor {floor}) {verdict}")
        failed |= got < floor
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
