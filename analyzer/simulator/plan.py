"""One call as the simulator sees it: what happens when (abstract events) and what the media does each second,
and the draft a fault changes while the call is being planned."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

OPTIONS_OK = "allowBluetoothHFP,allowBluetoothA2DP,duckOthers"
MIC, RECEIVER, HFP = "BuiltInMic", "BuiltInReceiver", "BluetoothHFP"

Event = tuple[float, str, dict]


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

    def cut(self, seconds: int) -> None:
        """Keep only the first seconds of every series."""
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name)[:seconds])


@dataclass
class CallPlan:
    call_id: str
    start: datetime  # UTC
    duration: int  # seconds
    label: str
    faults: list[str]
    benign: list[str]
    events: list[Event] = field(default_factory=list)
    media: Media | None = None
    ended: bool = True  # the app logged call.end (False: killed)
    app_version: str = "3.4.1"
    device_model: str = "iPhone15,2"
    os_version: str = "18.1"


@dataclass
class Draft:
    """A call being planned: the plan, its media and the audio session as the faults leave them."""

    rng: random.Random
    plan: CallPlan
    media: Media
    category: str = "playAndRecord"
    mode: str = "voiceChat"
    options: str = OPTIONS_OK
    activated: bool = True
    t0: int = 0  # when an in-call fault strikes
    end_reason: str = "user_hangup"

    @property
    def duration(self) -> int:
        """The call's length in seconds so far."""
        return self.plan.duration

    @property
    def events(self) -> list[Event]:
        """The plan's events (appended in any order; sorted by time when the plan is done)."""
        return self.plan.events


def healthy_media(rng: random.Random, n: int) -> Media:
    """n seconds of a good call: packets both ways, a little loss, speech levels, low jitter."""
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


def route_event(t: float, reason: str, prev_in: str, prev_out: str, new_in: str, new_out: str) -> Event:
    """A route change event: reason, ports before and after."""
    return (t, "route", {"reason": reason, "prev_in": prev_in, "prev_out": prev_out, "in": new_in, "out": new_out})


def interruption(t: float, back: float | None = None, should_resume: int = 1) -> list[Event]:
    """An interruption that begins at t and, when back is given, ends then."""
    began = [(t, "interruption_began", {"reason": "default"})]
    if back is None:
        return began
    return [*began, (back, "interruption_ended", {"should_resume": should_resume})]


def silence(m: Media, start: int, end: int, out: bool = True, inb: bool = False) -> None:
    """No audio from second start to end: outbound (the mic) and/or inbound."""
    for i in range(max(0, start), min(end, len(m.out_pkts))):
        if out:
            m.out_pkts[i] = 0
            m.mic_level[i] = 0.0
            m.out_lost[i] = 0
        if inb:
            m.in_pkts[i] = 0
            m.in_level[i] = 0.0
            m.in_lost[i] = 0


def at(plan: CallPlan, t: float) -> datetime:
    """The UTC time t seconds into the call."""
    return plan.start + timedelta(seconds=t)
