"""Write a labelled fleet (or a handful of sample tickets) to disk, one device at a time (bounded memory)."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from analyzer.simulator.faults import BENIGN, DEFAULT_MIX, FAULTS, faults_for
from analyzer.simulator.render_logs import (
    APP_PATH,
    DEFAULT_HEADER,
    call_lines,
    noise_lines,
    render_default,
    render_ndjson,
    render_xcode,
)
from analyzer.simulator.render_stats import device_stats_lines, gateway_stats_lines
from analyzer.simulator.timeline import CallPlan, describe, plan_call

EPOCH = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
OFFSETS_H = (-8, -7, -5, 0, 1, 5.5, 9)
OS_VERSIONS = ("17.6.1", "18.0.1", "18.1", "18.2", "18.3.2")
LABEL_FIELDS = [
    "call_id",
    "device",
    "start_utc",
    "label",
    "faults",
    "benign",
    "gateway_offset_s",
    "evidence",
    "description",
]


@dataclass
class FleetOptions:
    calls: int
    seed: int = 1
    mix: dict[str, float] | None = None
    calls_per_device: int = 8
    noise_per_minute: float = 600.0
    contract_share: float = 0.85
    partial_evidence: float = 0.0  # share of devices whose ticket lacks a family (log-only, stats-only, no gateway)
    call_seconds: tuple[int, int] = (45, 240)  # each call's length is drawn from this range (a fault may cut it)


@dataclass
class Device:
    index: int
    name: str
    tz: timezone
    contract: bool
    style: str  # ndjson | default | xcode (an Xcode console paste: the app's own lines only)
    gateway_offset_s: float
    app_version: str = "3.4.1"
    os_version: str = "18.1"
    evidence: str = "full"  # full | no_gateway | log_only | stats_only

    @property
    def model(self) -> str:
        """The phone's model identifier (the name's first part: iPhone17,3)."""
        return self.name.split("-")[0]


# what each kind of ticket holds, and the classes its evidence can show (a log-only paste cannot show packet loss;
# stats alone cannot tell an interruption from a misconfiguration)
EVIDENCE_FILES = {
    "full": ("log", "app", "gateway"),
    "no_gateway": ("log", "app"),
    "log_only": ("log",),
    "stats_only": ("app", "gateway"),
}
EVIDENCE_CLASSES = {
    "log_only": {"healthy", "misconfiguration", "unrecovered_interruption", "bluetooth_routing"},
    "stats_only": {"healthy", "network"},
}


def _pick_class(rng: random.Random, mix: dict[str, float], evidence: str = "full") -> str:
    allowed = EVIDENCE_CLASSES.get(evidence)
    names = [n for n in mix if allowed is None or n in allowed or (n == "combination" and evidence == "full")]
    if not names:
        names = ["healthy"]
    return rng.choices(names, weights=[mix[n] for n in names])[0]


def _faults(rng: random.Random, cls: str) -> tuple[str, list[str], list[str]]:
    """(label, faults, benign) for a drawn class."""
    if cls == "healthy":
        benign = [b for b in BENIGN if rng.random() < 0.35]
        return "healthy", [], benign
    if cls == "combination":
        labels = rng.sample(["misconfiguration", "unrecovered_interruption", "bluetooth_routing", "network"], 2)
        chosen = [rng.choice(faults_for(lab)) for lab in labels]
        return FAULTS[chosen[0]].label, chosen, []
    return cls, [rng.choice(faults_for(cls))], []


def _device(rng: random.Random, index: int, contract_share: float, partial: float = 0.0) -> Device:
    hours = rng.choice(OFFSETS_H)
    dev = Device(
        index=index,
        name=f"iPhone{rng.choice(['14,7', '15,2', '15,4', '16,1', '17,3'])}-{index:05d}",
        tz=timezone(timedelta(hours=hours)),
        contract=rng.random() < contract_share,
        style="default" if index % 4 == 3 else "ndjson",
        gateway_offset_s=round(rng.uniform(-4, 4), 3),
        app_version=rng.choice(["3.3.0", "3.4.0", "3.4.1"]),
    )
    # drawn apart from the device's own draws, so that a seed's calls stay as they were before phones had an iOS
    dev.os_version = random.Random(f"os:{dev.name}").choice(OS_VERSIONS)
    if partial and rng.random() < partial:
        dev.evidence = rng.choice(["no_gateway", "log_only", "log_only", "stats_only"])
        if dev.evidence == "log_only" and rng.random() < 0.5:
            dev.style = "xcode"
    return dev


def _write_device(root: Path, dev: Device, plans: list[CallPlan], rng: random.Random, noise_per_minute: float) -> None:
    folder = root / "devices" / dev.name
    folder.mkdir(parents=True, exist_ok=True)
    kinds = EVIDENCE_FILES[dev.evidence]
    log_path = folder / ("device_log.ndjson" if dev.style == "ndjson" else "device_log.txt")
    trace = dev.index * 10_000_000
    with (
        _sink(log_path, "log" in kinds) as log,
        _sink(folder / "app_stats.ndjson", "app" in kinds) as st,
        _sink(folder / "gateway_stats.ndjson", "gateway" in kinds) as gw,
    ):
        if dev.style == "default":
            log.write(DEFAULT_HEADER + "\n")
        for plan in plans:
            end = plan.start + timedelta(seconds=plan.duration + 1)
            lines = call_lines(plan, dev.contract) + noise_lines(
                rng, plan.start - timedelta(seconds=60), end + timedelta(seconds=20), noise_per_minute
            )
            lines.sort(key=lambda ln: ln.ts)
            for ln in lines:
                trace += 1
                text = _render(ln, dev, trace)
                if text is not None:
                    log.write(text + "\n")
            for row in device_stats_lines(plan):
                st.write(row + "\n")
            for row in gateway_stats_lines(plan, dev.gateway_offset_s):
                gw.write('{"call_id":"' + plan.call_id + '","origin":"gateway","report":' + row + "}\n")
        if dev.style == "ndjson":
            log.write('{"finished":1}\n')


def _render(line, dev: Device, trace: int) -> str | None:
    """One log line in the device's layout (None: an Xcode paste holds only the app's own lines)."""
    if dev.style == "ndjson":
        return render_ndjson(line, dev.tz, trace)
    if dev.style == "xcode":
        return render_xcode(line, dev.tz) if line.path == APP_PATH else None
    return render_default(line, dev.tz)


class _Discard:
    def write(self, text: str) -> int:
        return len(text)


@contextmanager
def _sink(path: Path, keep: bool):
    """The file to write, or a sink that drops what a ticket of this kind would not hold."""
    if not keep:
        yield _Discard()
        return
    with open(path, "w", encoding="utf-8") as fh:
        yield fh


def simulate(out: Path, opts: FleetOptions, progress: Callable[[int], None] | None = None) -> int:
    """Write the fleet and labels.csv; returns the number of calls written. Deterministic for a seed."""
    mix = opts.mix or dict(DEFAULT_MIX)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    device_index = 0
    with open(out / "labels.csv", "w", newline="", encoding="utf-8") as fh:
        labels = csv.DictWriter(fh, fieldnames=LABEL_FIELDS)
        labels.writeheader()
        while written < opts.calls:
            rng = random.Random(f"{opts.seed}:{device_index}")
            dev = _device(rng, device_index, opts.contract_share, opts.partial_evidence)
            n = min(opts.calls_per_device, opts.calls - written)
            start = EPOCH + timedelta(hours=device_index % 48, minutes=rng.randint(0, 59))
            plans = []
            for k in range(n):
                label, faults, benign = _faults(rng, _pick_class(rng, mix, dev.evidence))
                call_id = f"C-{opts.seed}-{device_index:05d}-{k:02d}"
                duration = rng.randint(*opts.call_seconds)
                plan = plan_call(rng, call_id, start, label, faults, benign, duration=duration)
                plan.app_version = dev.app_version
                plan.device_model, plan.os_version = dev.model, dev.os_version
                plans.append(plan)
                labels.writerow(
                    {
                        "call_id": call_id,
                        "device": dev.name,
                        "start_utc": plan.start.isoformat(),
                        "label": label,
                        "faults": "+".join(faults),
                        "benign": "+".join(benign),
                        "gateway_offset_s": dev.gateway_offset_s,
                        "evidence": dev.evidence,
                        "description": describe(plan),
                    }
                )
                start += timedelta(seconds=plan.duration + rng.randint(120, 3600))
            _write_device(out, dev, plans, rng, opts.noise_per_minute)
            written += n
            device_index += 1
            if progress:
                progress(n)
    return written


TICKETS = {
    "healthy-call": (
        [],
        ["route_change_recovered", "interruption_resumed"],
        "A healthy call that looks messy: AirPods connect mid-call and a phone call interrupts, then audio resumes.",
    ),
    "phone-call-audio-never-returns": (
        ["ended_not_resumed"],
        [],
        "A phone call interrupts; the interruption ends with shouldResume and audio never comes back.",
    ),
    "airpods-a2dp-phone-mic": (
        ["a2dp_with_builtin_mic"],
        [],
        "AirPods on A2DP for output while the phone's built-in mic records (allowBluetoothHFP missing).",
    ),
    "wrong-category": (
        ["category_playback"],
        [],
        "The session is set to playback, not playAndRecord: nothing is recorded.",
    ),
    "bluetooth-flapping": (
        ["route_flapping"],
        [],
        "AirPods connect and disconnect ten times in a few seconds mid-call.",
    ),
    "network-only-failure": (["network_loss"], [], "The audio session is fine; 20-40% packet loss ruins the call."),
}


def write_tickets(out: Path, seed: int = 7) -> list[str]:
    """The sample tickets: one folder per story, each one call, small, with a one-line README."""
    names = []
    for i, (name, (faults, benign, text)) in enumerate(TICKETS.items()):
        rng = random.Random(f"ticket:{seed}:{name}")
        dev = Device(i, f"iPhone15,2-ticket{i}", timezone(timedelta(hours=-8)), True, "ndjson", 2.5)
        label = FAULTS[faults[0]].label if faults else "healthy"
        plan = plan_call(rng, f"C-{name}", EPOCH + timedelta(days=18, hours=i), label, faults, benign)
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        tmp_root = folder / ".gen"
        _write_device(tmp_root, dev, [plan], rng, noise_per_minute=90)
        for f in (tmp_root / "devices" / dev.name).iterdir():
            f.replace(folder / f.name)
        for d in sorted(tmp_root.rglob("*"), reverse=True):
            d.rmdir()
        tmp_root.rmdir()
        (folder / "README.md").write_text(
            f"{text} Expected: {label}. Synthetic (written by `analyzer simulate --tickets`), in the real formats: "
            "a `log show --style ndjson` export, the app's getStats upload and the gateway's Pion stats.\n",
            encoding="utf-8",
        )
        names.append(name)
    return names
