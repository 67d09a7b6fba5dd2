"""One call as the simulator sees it: what happens when (abstract events) and what the media does each second."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from analyzer.simulator.faults import FAULTS

OPTIONS_OK = "allowBluetoothHFP,allowBluetoothA2DP,duckOthers"
MIC, RECEIVER, HFP = "BuiltInMic", "BuiltInReceiver", "BluetoothHFP"


@dataclass
class Media:
    """Per-second media of one call, index i = second i of the call."""

    out_pkts: list[int]
    in_pkts: list[int]
    in_lost: list[int]
    out_lost: list[int]
    mic_level: list[float]
    in_level: list[float]
    rtt: list[float]
    jitter: list[float]
    ice: list[str]
    in_dropped: list[int] = field(default_factory=list)  # sent to the device by the gateway, never arrived


@dataclass
class CallPlan:
    call_id: str
    start: datetime  # UTC
    duration: int  # seconds
    label: str
    faults: list[str]
    benign: list[str]
    events: list[tuple[float, str, dict]] = field(default_factory=list)
    media: Media | None = None
    ended: bool = True  # the app logged call.end (False: killed)
    app_version: str = "3.4.1"


def _media(rng: random.Random, n: int) -> Media:
    return Media(
        out_pkts=[50] * n,
        in_pkts=[50] * n,
        in_lost=[1 if rng.random() < 0.05 else 0 for _ in range(n)],
        out_lost=[1 if rng.random() < 0.05 else 0 for _ in range(n)],
        mic_level=[round(rng.uniform(0.03, 0.3), 4) for _ in range(n)],
        in_level=[round(rng.uniform(0.05, 0.4), 4) for _ in range(n)],
        rtt=[round(rng.uniform(0.04, 0.12), 4) for _ in range(n)],
        jitter=[round(rng.uniform(0.002, 0.01), 4) for _ in range(n)],
        ice=["connected"] * n,
        in_dropped=[0] * n,
    )


def route_event(
    t: float, reason: str, prev_in: str, prev_out: str, new_in: str, new_out: str
) -> tuple[float, str, dict]:
    """A route change event: reason, ports before and after."""
    return (t, "route", {"reason": reason, "prev_in": prev_in, "prev_out": prev_out, "in": new_in, "out": new_out})


def _silence(m: Media, start: int, end: int, out: bool = True, inb: bool = False) -> None:
    for i in range(max(0, start), min(end, len(m.out_pkts))):
        if out:
            m.out_pkts[i] = 0
            m.mic_level[i] = 0.0
            m.out_lost[i] = 0
        if inb:
            m.in_pkts[i] = 0
            m.in_level[i] = 0.0
            m.in_lost[i] = 0


def plan_call(
    rng: random.Random,
    call_id: str,
    start: datetime,
    label: str,
    faults: list[str],
    benign: list[str],
    duration: int | None = None,
) -> CallPlan:
    """Build one call: configure, activate, connect, media with faults and benign mess, end."""
    duration = duration or rng.randint(45, 240)
    plan = CallPlan(call_id, start, duration, label, list(faults), list(benign))
    m = _media(rng, duration)
    ev = plan.events
    category, mode, options = "playAndRecord", "voiceChat", OPTIONS_OK
    if "category_playback" in faults:
        category, options = "playback", "duckOthers"
        m.mic_level = [0.0] * duration
    if "mode_default" in faults:
        mode = "default"
    if "no_bluetooth_option" in faults:
        options = "duckOthers"
    if "mix_with_others" in faults:
        options = "mixWithOthers,allowBluetoothHFP"
    if "a2dp_with_builtin_mic" in faults:
        options = "allowBluetoothA2DP,duckOthers"
    ev.append((0.0, "call_start", {}))
    ev.append((0.01, "configure", {"category": category, "mode": mode, "options": options}))
    if "activation_failed" in faults:
        ev.append((0.02, "activate_failed", {"osstatus": 561017449}))
        plan.duration = duration = min(duration, rng.randint(12, 25))
        m = _media(rng, duration)
        _silence(m, 0, duration, out=True, inb=False)
        for i in range(duration):
            m.in_level[i] = 0.0
    else:
        ev.append((0.02, "activate", {}))
    ev.append((1.0, "connected", {}))
    # pre-call route: receiver, or AirPods when the options let them in
    if "no_bluetooth_option" in faults:
        ev.append(route_event(1.5, "CategoryChange", HFP, HFP, MIC, RECEIVER))
    t0 = int(duration * rng.uniform(0.3, 0.6))
    if "a2dp_with_builtin_mic" in faults:
        ev.append(
            route_event(3.0, "NewDeviceAvailable", "BuiltInMic", "BuiltInReceiver", "BuiltInMic", "BluetoothA2DPOutput")
        )
    if "interruption_never_ended" in faults:
        ev.append((t0, "interruption_began", {"reason": "default"}))
        _silence(m, t0, duration)
        plan.ended = rng.random() < 0.5
    if "ended_not_resumed" in faults:
        ev.append((t0, "interruption_began", {"reason": "default"}))
        ev.append((t0 + rng.randint(10, 30), "interruption_ended", {"should_resume": 1}))
        _silence(m, t0, duration)
    if "ended_no_resume_flag" in faults:
        ev.append((t0, "interruption_began", {"reason": "default"}))
        ev.append((t0 + rng.randint(10, 30), "interruption_ended", {"should_resume": 0}))
        _silence(m, t0, duration)
    if "media_reset_unhandled" in faults:
        ev.append((t0, "media_lost", {}))
        ev.append((t0 + 1.2, "media_reset", {}))
        _silence(m, t0, duration, out=True, inb=True)
    if "mic_dead_after_resume" in faults:
        back = t0 + rng.randint(6, 15)
        ev.append((t0, "interruption_began", {"reason": "default"}))
        ev.append((back, "interruption_ended", {"should_resume": 1}))
        ev.append((back + 0.4, "resume", {}))
        _silence(m, t0, back)
        for i in range(back, duration):
            m.mic_level[i] = 0.0
    if "route_flapping" in faults:
        for k in range(10):
            on = k % 2 == 0
            ev.append(
                (
                    t0 + k * rng.uniform(0.4, 0.9),
                    "route",
                    {
                        "reason": "OldDeviceUnavailable" if on else "NewDeviceAvailable",
                        "prev_in": "BluetoothHFP" if on else "BuiltInMic",
                        "prev_out": "BluetoothHFP" if on else "BuiltInReceiver",
                        "in": "BuiltInMic" if on else "BluetoothHFP",
                        "out": "BuiltInReceiver" if on else "BluetoothHFP",
                    },
                )
            )
        _silence(m, t0, t0 + 6)
    if "bt_lost_to_receiver" in faults:
        ev.append(route_event(t0, "OldDeviceUnavailable", HFP, HFP, MIC, RECEIVER))
        for i in range(t0, duration):
            m.in_level[i] = round(m.in_level[i] * 0.2, 4)
    if "route_change_dead_audio" in faults:
        ev.append(route_event(t0, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
        _silence(m, t0 + 1, duration, out=True, inb=False)
    if "network_loss" in faults:
        for i in range(2, duration):
            m.in_lost[i] = int(50 * rng.uniform(0.2, 0.4))
            m.out_lost[i] = int(50 * rng.uniform(0.2, 0.4))
            m.jitter[i] = round(rng.uniform(0.03, 0.06), 4)
            m.rtt[i] = round(rng.uniform(0.3, 0.6), 4)
    if "ice_disconnected" in faults:
        for i in range(t0, min(duration, t0 + 15)):
            m.ice[i] = "disconnected"
        end = min(duration, t0 + 16)
        _silence(m, t0, end, out=True, inb=True)
        plan.duration = duration = end
        for attr in (
            "out_pkts",
            "in_pkts",
            "in_lost",
            "out_lost",
            "mic_level",
            "in_level",
            "rtt",
            "jitter",
            "ice",
            "in_dropped",
        ):
            setattr(m, attr, getattr(m, attr)[:duration])
        m.ice[-1] = "failed"
        ev.append((duration - 0.5, "ice_failed", {}))
    if "ice_drop_recovered" in faults:
        tb = rng.randint(8, max(9, duration - 20))
        k = rng.randint(4, 9)
        for i in range(tb, min(duration, tb + k)):
            m.ice[i] = "disconnected"
        _silence(m, tb, tb + k, out=True, inb=True)
    if "one_way_audio" in faults:
        # the gateway keeps sending the agent's audio; none of it reaches the phone
        _silence(m, 1, duration, out=False, inb=True)
        for i in range(1, duration):
            m.in_dropped[i] = 50
    # benign mess on healthy-looking calls
    if "route_change_recovered" in benign:
        tb = rng.randint(5, max(6, duration - 10))
        ev.append(route_event(tb, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
    if "interruption_resumed" in benign:
        tb = rng.randint(5, max(6, duration - 20))
        back = tb + rng.randint(4, 10)
        ev.append((tb, "interruption_began", {"reason": "default"}))
        ev.append((back, "interruption_ended", {"should_resume": 1}))
        ev.append((back + 0.3, "resume", {}))
        _silence(m, tb, back + 1)
    if "slow_recovery_ok" in benign:
        tb = rng.randint(5, max(6, duration - 20))
        ev.append((tb, "interruption_began", {"reason": "default"}))
        ev.append((tb + 5, "interruption_ended", {"should_resume": 1}))
        ev.append((tb + 7, "resume", {}))
        _silence(m, tb, tb + 8)
    if "loss_spike" in benign:
        tb = rng.randint(3, max(4, duration - 5))
        for i in range(tb, min(duration, tb + 3)):
            m.in_lost[i] = 5
    if plan.ended:
        ev.append((duration - 0.2, "deactivate", {}))
        reason = "error" if "ice_disconnected" in faults else "user_hangup"
        ev.append((float(duration), "call_end", {"reason": reason}))
    ev.sort(key=lambda e: e[0])
    plan.media = m
    return plan


def describe(plan: CallPlan) -> str:
    """One line on what was injected."""
    if not plan.faults:
        return "healthy" + (f" (with {', '.join(plan.benign)})" if plan.benign else "")
    return "; ".join(FAULTS[f][1] for f in plan.faults)


def at(plan: CallPlan, t: float) -> datetime:
    return plan.start + timedelta(seconds=t)
