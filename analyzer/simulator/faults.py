"""The faults the simulator can inject: each one function, registered by name with the class label a call
carrying it gets and what it does. The registry is the list: the fleet draws from it, plan_call applies it."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from analyzer.simulator.plan import HFP, MIC, RECEIVER, Draft, healthy_media, interruption, route_event, silence

Apply = Callable[[Draft], None]


class Fault(NamedTuple):
    label: str
    what: str
    apply: Apply
    stage: str  # SETUP or CALL


# name -> Fault, in the order registered (plan_call applies the faults of a stage in this order)
FAULTS: dict[str, Fault] = {}

# the failure classes (labels); a fault gives a call one of them
MISCONFIG = "misconfiguration"
INTERRUPTION = "unrecovered_interruption"
ROUTING = "bluetooth_routing"
NETWORK = "network"
# when a fault acts: on how the session is set up and activated, or during the call (at draft.t0)
SETUP, CALL = "setup", "call"

DEFAULT_MIX = {
    "healthy": 0.40,
    MISCONFIG: 0.14,
    INTERRUPTION: 0.16,
    ROUTING: 0.14,
    NETWORK: 0.12,
    "combination": 0.04,
}

# messy but healthy behaviours: they must not be taken for failures
# (placeholder_track: an inbound audio track that never carries a packet; second_pc: a data-only peer connection)
BENIGN = (
    "route_change_recovered",
    "interruption_resumed",
    "loss_spike",
    "slow_recovery_ok",
    "placeholder_track",
    "second_pc",
)


def fault(name: str, label: str, what: str, stage: str = CALL) -> Callable[[Apply], Apply]:
    """Register the decorated function as the fault `name`, which gives a call the class `label`."""

    def register(apply: Apply) -> Apply:
        if name in FAULTS:
            raise ValueError(f"fault {name!r} is registered twice")
        if label not in DEFAULT_MIX or label in ("healthy", "combination"):
            raise ValueError(f"fault {name!r}: {label!r} is not a failure class of DEFAULT_MIX")
        if stage not in (SETUP, CALL):
            raise ValueError(f"fault {name!r}: stage must be 'setup' or 'call', not {stage!r}")
        FAULTS[name] = Fault(label, what, apply, stage)
        return apply

    return register


@fault("category_playback", MISCONFIG, "category set to playback: no recording, the agent hears nothing", SETUP)
def _category_playback(d: Draft) -> None:
    d.category, d.options = "playback", "duckOthers"
    d.media.mic_level = [0.0] * d.duration


@fault("mode_default", MISCONFIG, "mode default instead of voiceChat: no voice processing, echo", SETUP)
def _mode_default(d: Draft) -> None:
    d.mode = "default"


@fault("no_bluetooth_option", MISCONFIG, "allowBluetoothHFP missing while AirPods are connected: receiver", SETUP)
def _no_bluetooth_option(d: Draft) -> None:
    d.options = "duckOthers"
    d.events.append(route_event(1.5, "CategoryChange", HFP, HFP, MIC, RECEIVER))


@fault("mix_with_others", MISCONFIG, "mixWithOthers set: other audio plays over the agent", SETUP)
def _mix_with_others(d: Draft) -> None:
    d.options = "mixWithOthers,allowBluetoothHFP"


@fault("activation_failed", MISCONFIG, "setActive fails with '!pri' (a phone call holds the audio)", SETUP)
def _activation_failed(d: Draft) -> None:
    d.activated = False
    d.events.append((0.02, "activate_failed", {"osstatus": 561017449}))
    d.plan.duration = min(d.duration, d.rng.randint(12, 25))
    d.media = healthy_media(d.rng, d.duration)
    silence(d.media, 0, d.duration, out=True, inb=False)
    d.media.in_level = [0.0] * d.duration


@fault("interruption_never_ended", INTERRUPTION, "a phone call interrupts; no ended ever comes")
def _interruption_never_ended(d: Draft) -> None:
    d.events.extend(interruption(d.t0))
    silence(d.media, d.t0, d.duration)
    d.plan.ended = d.rng.random() < 0.5


@fault("ended_not_resumed", INTERRUPTION, "ended with shouldResume, audio never restarted")
def _ended_not_resumed(d: Draft) -> None:
    d.events.extend(interruption(d.t0, d.t0 + d.rng.randint(10, 30), should_resume=1))
    silence(d.media, d.t0, d.duration)


@fault("ended_no_resume_flag", INTERRUPTION, "ended without shouldResume; app neither resumed nor hung up")
def _ended_no_resume_flag(d: Draft) -> None:
    d.events.extend(interruption(d.t0, d.t0 + d.rng.randint(10, 30), should_resume=0))
    silence(d.media, d.t0, d.duration)


@fault("media_reset_unhandled", INTERRUPTION, "media services reset, session never reconfigured")
def _media_reset_unhandled(d: Draft) -> None:
    d.events.extend([(d.t0, "media_lost", {}), (d.t0 + 1.2, "media_reset", {})])
    silence(d.media, d.t0, d.duration, out=True, inb=True)


@fault("mic_dead_after_resume", INTERRUPTION, "resumed, packets flow, the mic level stays at zero")
def _mic_dead_after_resume(d: Draft) -> None:
    back = d.t0 + d.rng.randint(6, 15)
    d.events.extend([*interruption(d.t0, back, should_resume=1), (back + 0.4, "resume", {})])
    silence(d.media, d.t0, back)
    for i in range(back, d.duration):
        d.media.mic_level[i] = 0.0


@fault("a2dp_with_builtin_mic", ROUTING, "output on A2DP while the mic is the phone's", SETUP)
def _a2dp_with_builtin_mic(d: Draft) -> None:
    d.options = "allowBluetoothA2DP,duckOthers"
    d.events.append(route_event(3.0, "NewDeviceAvailable", MIC, RECEIVER, MIC, "BluetoothA2DPOutput"))


@fault("route_flapping", ROUTING, "AirPods connect/disconnect loop: many route changes in seconds")
def _route_flapping(d: Draft) -> None:
    for k in range(10):
        t = d.t0 + k * d.rng.uniform(0.4, 0.9)
        if k % 2 == 0:
            d.events.append(route_event(t, "OldDeviceUnavailable", HFP, HFP, MIC, RECEIVER))
        else:
            d.events.append(route_event(t, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
    silence(d.media, d.t0, d.t0 + 6)


@fault("bt_lost_to_receiver", ROUTING, "AirPods lost, output falls back to the quiet receiver")
def _bt_lost_to_receiver(d: Draft) -> None:
    d.events.append(route_event(d.t0, "OldDeviceUnavailable", HFP, HFP, MIC, RECEIVER))
    for i in range(d.t0, d.duration):
        d.media.in_level[i] = round(d.media.in_level[i] * 0.2, 4)


@fault("route_change_dead_audio", ROUTING, "route change, audio unit not restarted: audio stops")
def _route_change_dead_audio(d: Draft) -> None:
    d.events.append(route_event(d.t0, "NewDeviceAvailable", MIC, RECEIVER, HFP, HFP))
    silence(d.media, d.t0 + 1, d.duration, out=True, inb=False)


@fault("network_loss", NETWORK, "20-40% packet loss and high jitter for most of the call")
def _network_loss(d: Draft) -> None:
    m, rng = d.media, d.rng
    for i in range(2, d.duration):
        m.in_lost[i] = int(50 * rng.uniform(0.2, 0.4))
        m.out_lost[i] = int(50 * rng.uniform(0.2, 0.4))
        m.jitter[i] = round(rng.uniform(0.03, 0.06), 4)
        m.rtt[i] = round(rng.uniform(0.3, 0.6), 4)


@fault("ice_disconnected", NETWORK, "ICE disconnected for 15 s, then failed")
def _ice_disconnected(d: Draft) -> None:
    for i in range(d.t0, min(d.duration, d.t0 + 15)):
        d.media.ice[i] = "disconnected"
    end = min(d.duration, d.t0 + 16)
    silence(d.media, d.t0, end, out=True, inb=True)
    d.plan.duration = end
    d.media.cut(end)
    d.media.ice[-1] = "failed"
    d.events.append((end - 0.5, "ice_failed", {}))
    d.end_reason = "error"


@fault(
    "ice_drop_recovered",
    NETWORK,
    "the network drops for 4-9 s (ICE disconnected, no audio either way), then recovers",
)
def _ice_drop_recovered(d: Draft) -> None:
    tb = d.rng.randint(8, max(9, d.duration - 20))
    k = d.rng.randint(4, 9)
    for i in range(tb, min(d.duration, tb + k)):
        d.media.ice[i] = "disconnected"
    silence(d.media, tb, tb + k, out=True, inb=True)


@fault("one_way_audio", NETWORK, "inbound audio flat while outbound flows")
def _one_way_audio(d: Draft) -> None:
    # the gateway keeps sending the agent's audio; none of it reaches the phone
    silence(d.media, 1, d.duration, out=False, inb=True)
    for i in range(1, d.duration):
        d.media.in_dropped[i] = 50


def faults_for(label: str) -> list[str]:
    """The faults that produce a label."""
    return [name for name, f in FAULTS.items() if f.label == label]


def parse_mix(text: str | None) -> dict[str, float]:
    """'healthy=0.5,network=0.5' -> weights (labels of DEFAULT_MIX only)."""
    if not text:
        return dict(DEFAULT_MIX)
    mix: dict[str, float] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in DEFAULT_MIX:
            raise ValueError(f"--fault-mix: unknown class {name!r} (known: {', '.join(DEFAULT_MIX)})")
        try:
            mix[name] = float(value)
        except ValueError as exc:
            raise ValueError(f"--fault-mix: {part!r} is not name=weight") from exc
    if not sum(mix.values()) > 0:
        raise ValueError("--fault-mix: weights must add up to more than 0")
    return mix
