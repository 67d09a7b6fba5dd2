"""The faults the simulator can inject, each with the class label a call carrying it gets."""

from __future__ import annotations

# fault -> (label, what happens)
FAULTS: dict[str, tuple[str, str]] = {
    "category_playback": ("misconfiguration", "category set to playback: no recording, the agent hears nothing"),
    "mode_default": ("misconfiguration", "mode default instead of voiceChat: no voice processing, echo"),
    "no_bluetooth_option": ("misconfiguration", "allowBluetoothHFP missing while AirPods are connected: receiver"),
    "mix_with_others": ("misconfiguration", "mixWithOthers set: other audio plays over the agent"),
    "activation_failed": ("misconfiguration", "setActive fails with '!pri' (a phone call holds the audio)"),
    "interruption_never_ended": ("unrecovered_interruption", "a phone call interrupts; no ended ever comes"),
    "ended_not_resumed": ("unrecovered_interruption", "ended with shouldResume, audio never restarted"),
    "ended_no_resume_flag": ("unrecovered_interruption", "ended without shouldResume; app neither resumed nor hung up"),
    "media_reset_unhandled": ("unrecovered_interruption", "media services reset, session never reconfigured"),
    "mic_dead_after_resume": ("unrecovered_interruption", "resumed, packets flow, the mic level stays at zero"),
    "a2dp_with_builtin_mic": ("bluetooth_routing", "output on A2DP while the mic is the phone's"),
    "route_flapping": ("bluetooth_routing", "AirPods connect/disconnect loop: many route changes in seconds"),
    "bt_lost_to_receiver": ("bluetooth_routing", "AirPods lost, output falls back to the quiet receiver"),
    "route_change_dead_audio": ("bluetooth_routing", "route change, audio unit not restarted: audio stops"),
    "network_loss": ("network", "20-40% packet loss and high jitter for most of the call"),
    "ice_disconnected": ("network", "ICE disconnected for 15 s, then failed"),
    "ice_drop_recovered": (
        "network",
        "the network drops for 4-9 s (ICE disconnected, no audio either way), then recovers",
    ),
    "one_way_audio": ("network", "inbound audio flat while outbound flows"),
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

DEFAULT_MIX = {
    "healthy": 0.40,
    "misconfiguration": 0.14,
    "unrecovered_interruption": 0.16,
    "bluetooth_routing": 0.14,
    "network": 0.12,
    "combination": 0.04,
}


def faults_for(label: str) -> list[str]:
    """The faults that produce a label."""
    return [f for f, (lab, _) in FAULTS.items() if lab == label]


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
