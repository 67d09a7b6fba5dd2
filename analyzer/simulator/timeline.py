"""Plan one call: the session set up, the call connected, the faults of the registry applied, benign mess, the end."""

from __future__ import annotations

import random
from datetime import datetime

from analyzer.simulator.faults import FAULTS
from analyzer.simulator.plan import (
    HFP,
    MIC,
    RECEIVER,
    CallPlan,
    Draft,
    healthy_media,
    interruption,
    route_event,
    silence,
)

_silence = silence  # the name tests/rules/make_fixtures.py imports


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
    d = Draft(rng, plan, healthy_media(rng, duration))
    _apply_faults(d, "setup")
    d.events.append((0.0, "call_start", {}))
    d.events.append((0.01, "configure", {"category": d.category, "mode": d.mode, "options": d.options}))
    if d.activated:
        d.events.append((0.02, "activate", {}))
    d.events.append((1.0, "connected", {}))
    d.t0 = int(d.duration * rng.uniform(0.3, 0.6))
    _apply_faults(d, "call")
    _add_benign(d)
    if plan.ended:
        d.events.append((d.duration - 0.2, "deactivate", {}))
        d.events.append((float(d.duration), "call_end", {"reason": d.end_reason}))
    d.events.sort(key=lambda e: e[0])
    plan.media = d.media
    return plan


def _apply_faults(d: Draft, stage: str) -> None:
    """The plan's faults of one stage, in the registry's order."""
    for name, f in FAULTS.items():
        if f.stage == stage and name in d.plan.faults:
            f.apply(d)


def _add_benign(d: Draft) -> None:
    """Messy but healthy behaviour: a route change, interruptions that recover, a short loss spike."""
    rng, benign, n = d.rng, d.plan.benign, d.duration
    if "route_change_recovered" in benign:
        tb = rng.randint(5, max(6, n - 10))
        d.events.append(route_event(tb, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
    if "interruption_resumed" in benign:
        tb = rng.randint(5, max(6, n - 20))
        back = tb + rng.randint(4, 10)
        d.events.extend([*interruption(tb, back), (back + 0.3, "resume", {})])
        silence(d.media, tb, back + 1)
    if "slow_recovery_ok" in benign:
        tb = rng.randint(5, max(6, n - 20))
        d.events.extend([*interruption(tb, tb + 5), (tb + 7, "resume", {})])
        silence(d.media, tb, tb + 8)
    if "loss_spike" in benign:
        tb = rng.randint(3, max(4, n - 5))
        for i in range(tb, min(n, tb + 3)):
            d.media.in_lost[i] = 5


def describe(plan: CallPlan) -> str:
    """One line on what was injected."""
    if not plan.faults:
        return "healthy" + (f" (with {', '.join(plan.benign)})" if plan.benign else "")
    return "; ".join(FAULTS[f].what for f in plan.faults)
