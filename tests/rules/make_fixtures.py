"""Writes the positive and negative fixture of every rule (tests/rules/<rule_id>/{positive,negative}/) with the
simulator's planner and renderers: a short call, no noise, the app's log export and its stats upload.
The files are committed; run this again only to change them: python tests/rules/make_fixtures.py
"""

from __future__ import annotations

import random
import sys
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analyzer.simulator.render_logs import call_lines, render_ndjson
from analyzer.simulator.render_stats import device_stats_lines, gateway_stats_lines
from analyzer.simulator.timeline import HFP, MIC, RECEIVER, CallPlan, _silence, plan_call, route_event

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 19, 17, 0, tzinfo=timezone.utc)
TZ = timezone(timedelta(hours=-8))


def _plan(name: str, faults: list[str], benign: list[str]) -> CallPlan:
    rng = random.Random(f"fixture:{name}")
    return plan_call(rng, f"C-{zlib.crc32(name.encode()) % 100_000:05d}", START, "x", faults, benign, duration=60)


def _custom(name: str, kind: str) -> CallPlan:
    plan = _plan(name, [], [])
    ev = plan.events
    if kind == "category_changed":
        ev.append((30.0, "configure", {"category": "playback", "mode": "default", "options": "mixWithOthers"}))
    elif kind == "hfp_narrowband":
        ev.append(route_event(10.0, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
        ev.append((10.2, "format", {"sample_rate": 16000, "io_buffer": 0.02}))
    elif kind == "no_suitable_route":
        ev.append(route_event(20.0, "NoSuitableRouteForCategory", MIC, RECEIVER, "", RECEIVER))
    elif kind == "slow_recovery":
        ev.extend(
            [
                (20.0, "interruption_began", {"reason": "default"}),
                (26.0, "interruption_ended", {"should_resume": 1}),
                (35.0, "resume", {}),
            ]
        )
        _silence(plan.media, 20, 36)
    elif kind == "media_reset_handled":
        ev.extend(
            [
                (20.0, "media_lost", {}),
                (21.0, "media_reset", {}),
                (
                    21.5,
                    "configure",
                    {
                        "category": "playAndRecord",
                        "mode": "voiceChat",
                        "options": "allowBluetoothHFP,allowBluetoothA2DP,duckOthers",
                    },
                ),
                (21.6, "activate", {}),
            ]
        )
    ev.sort(key=lambda e: e[0])
    return plan


# rule -> (positive, negative): ("faults", [...], [benign...]) or ("custom", kind)
CASES = {
    "misconfiguration.category_not_play_and_record": (("faults", ["category_playback"], []), ("faults", [], [])),
    "misconfiguration.mode_not_voice_chat": (("faults", ["mode_default"], []), ("faults", [], [])),
    "misconfiguration.bluetooth_option_missing": (
        ("faults", ["no_bluetooth_option"], []),
        ("faults", [], ["route_change_recovered"]),
    ),
    "misconfiguration.mix_with_others": (("faults", ["mix_with_others"], []), ("faults", [], [])),
    "misconfiguration.duck_others_missing": (("faults", ["mix_with_others"], []), ("faults", [], [])),
    "misconfiguration.activation_failed": (
        ("faults", ["activation_failed"], []),
        ("faults", [], ["interruption_resumed"]),
    ),
    "misconfiguration.category_changed_mid_call": (
        ("custom", "category_changed"),
        ("faults", ["no_bluetooth_option"], []),
    ),
    "misconfiguration.stuck_on_receiver": (
        ("faults", ["no_bluetooth_option"], []),
        ("faults", [], ["route_change_recovered"]),
    ),
    "interruption.never_ended": (
        ("faults", ["interruption_never_ended"], []),
        ("faults", [], ["interruption_resumed"]),
    ),
    "interruption.ended_not_resumed": (("faults", ["ended_not_resumed"], []), ("faults", [], ["interruption_resumed"])),
    "interruption.ended_without_resume_hung": (
        ("faults", ["ended_no_resume_flag"], []),
        ("faults", [], ["interruption_resumed"]),
    ),
    "interruption.media_services_reset_unhandled": (
        ("faults", ["media_reset_unhandled"], []),
        ("custom", "media_reset_handled"),
    ),
    "interruption.slow_recovery": (("custom", "slow_recovery"), ("faults", [], ["slow_recovery_ok"])),
    "interruption.mic_dead_after_resume": (
        ("faults", ["mic_dead_after_resume"], []),
        ("faults", [], ["interruption_resumed"]),
    ),
    "bluetooth.a2dp_with_builtin_mic": (
        ("faults", ["a2dp_with_builtin_mic"], []),
        ("faults", [], ["route_change_recovered"]),
    ),
    "bluetooth.hfp_narrowband": (("custom", "hfp_narrowband"), ("faults", [], ["route_change_recovered"])),
    "bluetooth.route_flapping": (("faults", ["route_flapping"], []), ("faults", [], ["route_change_recovered"])),
    "bluetooth.lost_to_receiver": (("faults", ["bt_lost_to_receiver"], []), ("faults", [], ["route_change_recovered"])),
    "bluetooth.no_suitable_route": (("custom", "no_suitable_route"), ("faults", [], ["route_change_recovered"])),
    "bluetooth.route_change_dead_audio": (
        ("faults", ["route_change_dead_audio"], []),
        ("faults", [], ["route_change_recovered"]),
    ),
    "network.one_way_audio": (("faults", ["one_way_audio"], []), ("faults", [], [])),
    "network.poor_quality": (("faults", ["network_loss"], []), ("faults", [], ["loss_spike"])),
}


# rules that judge from both legs: their fixtures carry the gateway's stats too (one-way audio needs the other end
# to have sent)
WITH_GATEWAY = {"network.one_way_audio"}


def write(folder: Path, plan: CallPlan, gateway: bool = False) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = call_lines(plan, contract=True)
    (folder / "device_log.ndjson").write_text(
        "".join(render_ndjson(ln, TZ, 1000 + i) + "\n" for i, ln in enumerate(lines)), encoding="utf-8"
    )
    (folder / "app_stats.ndjson").write_text("".join(row + "\n" for row in device_stats_lines(plan)), encoding="utf-8")
    if gateway:
        rows = gateway_stats_lines(plan, 1.5)
        (folder / "gateway_stats.ndjson").write_text(
            "".join(f'{{"call_id":"{plan.call_id}","origin":"gateway","report":{row}}}\n' for row in rows),
            encoding="utf-8",
        )


def main() -> None:
    for rule_id, cases in CASES.items():
        for side, case in zip(("positive", "negative"), cases, strict=True):
            name = f"{rule_id}:{side}"
            plan = _custom(name, case[1]) if case[0] == "custom" else _plan(name, case[1], case[2])
            write(HERE / rule_id / side, plan, gateway=rule_id in WITH_GATEWAY)


if __name__ == "__main__":
    main()
