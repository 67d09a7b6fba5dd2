"""Render a call's abstract events as the unified-log lines a device would hold, in a real export format:
the app's contract lines (when the device's app adopted the contract), Apple's mediaserverd / as_client
lines (always), and system-wide noise from other processes."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from analyzer.simulator.plan import CallPlan, at

APP_PATH = "/private/var/containers/Bundle/Application/5C3F2A9E-6B1D-4E8A-9F2C-7D3E1A0B4C5D/VoiceAgent.app/VoiceAgent"
SERVER_PATH = "/usr/sbin/mediaserverd"
APP_PID = 1440
SERVER_PID = 120
ROUTE_FIELDS = ("reason", "prev_in", "prev_out", "in", "out")  # a route.change contract line's fields, in order

NOISE = [
    (
        "/usr/libexec/dasd",
        "com.apple.xpc.activity",
        "Client",
        "Scheduling activity {h} with priority {n} for client dasd",
    ),
    (
        "/System/Library/CoreServices/SpringBoard.app/SpringBoard",
        "com.apple.FrontBoard",
        "Process",
        "Updating configuration of scene {h}",
    ),
    ("/usr/libexec/locationd", "com.apple.locationd.Position", "Fusion", "Fused location accuracy {n}m"),
    ("/usr/sbin/wifid", "com.apple.wifi", "default", "WiFi RSSI -{n} dBm on channel 36"),
    ("/usr/libexec/symptomsd", "com.apple.symptomsd", "analytics", "Data usage for {h}: {n} bytes"),
    ("/usr/libexec/runningboardd", "com.apple.runningboard", "process", "Acquiring assertion {h}"),
    ("/usr/sbin/bluetoothd", "com.apple.bluetooth", "Server", "Connection parameters updated interval {n}"),
    (
        "/System/Library/PrivateFrameworks/ApplePushService.framework/apsd",
        "com.apple.apsd",
        "connection",
        "Received keep-alive response after {n} ms",
    ),
]


@dataclass
class Line:
    ts: datetime
    path: str
    pid: int
    subsystem: str
    category: str
    level: str
    message: str


def _contract(call: CallPlan, event: str, **kv: object) -> str:
    return f"callaudio v=1 event={event} call_id={call.call_id}" + "".join(f" {k}={v}" for k, v in kv.items())


def _server(action: str, details: object) -> str:
    body = json.dumps(
        {
            "action": action,
            "session": {"ID": "0x240f7", "name": f"VoiceAgent({APP_PID})", "type": "Primary"},
            "details": details,
        },
        separators=(", ", ":"),
    )
    return f"AudioSessionServerImp.mm:1638  {body}"


def _cms(category: str, mode: str) -> str:
    cat = category[0].upper() + category[1:]
    mod = mode[0].upper() + mode[1:]
    return (
        f"-CMSessionMgr- cmsSetIsPlaying: 'sid:0x240f7, VoiceAgent({APP_PID}), 'prim'' with [{cat}/{mod}] "
        "[NonMixable] [System Audio] starting playing to VirtualAudioDevice_Default"
    )


def call_lines(call: CallPlan, contract: bool) -> list[Line]:
    """The audio lines of one call, in time order."""
    out: list[Line] = []
    cfg = {"category": "playAndRecord", "mode": "voiceChat"}

    def app(t: float, msg: str, level: str = "Default") -> None:
        out.append(Line(at(call, t), APP_PATH, APP_PID, "com.example.voiceagent", "CallAudio", level, msg))

    def client(t: float, msg: str) -> None:
        out.append(Line(at(call, t), APP_PATH, APP_PID, "com.apple.coreaudio", "as_client", "Error", msg))

    def server(t: float, msg: str) -> None:
        out.append(
            Line(at(call, t), SERVER_PATH, SERVER_PID, "com.apple.coreaudio", "AudioSessionServer", "Default", msg)
        )

    for t, kind, a in call.events:
        if kind == "call_start" and contract:
            phone = {"device_model": call.device_model, "os_version": call.os_version}
            app(t, _contract(call, "call.start", direction="outgoing", app_version=call.app_version, **phone))
        elif kind == "configure":
            cfg = {"category": a["category"], "mode": a["mode"]}
            if contract:
                app(t, _contract(call, "session.configure", **cfg, options=a["options"], result="ok"))
        elif kind == "activate":
            if contract:
                app(t, _contract(call, "session.activate", active=1, result="ok"))
            server(t + 0.004, _server("activate", "entry"))
            server(t + 0.006, _cms(cfg["category"], cfg["mode"]))
        elif kind == "activate_failed":
            if contract:
                app(t, _contract(call, "session.activate", active=1, result="error", osstatus=a["osstatus"]), "Error")
            client(t + 0.001, "[as_client]     AVAudioSession_iOS.mm:2367  Failed to set properties, error: '!pri'")
        elif kind == "connected" and contract:
            app(t, _contract(call, "call.connected", pc=f"PC-{call.call_id}"))
        elif kind == "route":
            if contract:
                app(t, _contract(call, "route.change", **{k: a[k] for k in ROUTE_FIELDS}))
            server(t + 0.003, _server("property_change", {"key": "ActiveAudioRouteDidChange"}))
        elif kind == "interruption_began":
            if contract:
                app(t, _contract(call, "interruption.began", reason=a["reason"]))
            server(
                t + 0.002,
                _server(
                    "set_play_state",
                    {
                        "IsRecording": False,
                        "active": False,
                        "modes": "Input/Output",
                        "state": "Stopped",
                        "type": "Remote IO",
                    },
                ),
            )
        elif kind == "interruption_ended" and contract:
            app(t, _contract(call, "interruption.ended", should_resume=a["should_resume"]))
        elif kind == "resume":
            if contract:
                app(t, _contract(call, "audio.resume", result="ok"))
                app(t + 0.001, _contract(call, "session.activate", active=1, result="ok"))
            server(t + 0.004, _server("activate", "entry"))
            server(
                t + 0.005,
                _server(
                    "set_play_state",
                    {
                        "IsRecording": True,
                        "active": True,
                        "modes": "Input/Output",
                        "state": "Started",
                        "type": "Remote IO",
                    },
                ),
            )
        elif kind == "format" and contract:
            app(t, _contract(call, "session.format", sample_rate=a["sample_rate"], io_buffer=a["io_buffer"]))
        elif kind == "media_lost" and contract:
            app(t, _contract(call, "media_services.lost"))
        elif kind == "media_reset" and contract:
            app(t, _contract(call, "media_services.reset"))
        elif kind == "deactivate":
            if contract:
                app(t, _contract(call, "session.deactivate", active=0, result="ok"))
            server(t + 0.003, _server("deactivate", "entry"))
        elif kind == "call_end" and contract:
            app(t, _contract(call, "call.end", reason=a["reason"]))
    out.sort(key=lambda ln: ln.ts)
    return out


def noise_lines(rng: random.Random, start: datetime, end: datetime, per_minute: float) -> list[Line]:
    """Other processes' lines, spread over [start, end)."""
    seconds = max(0.0, (end - start).total_seconds())
    n = int(seconds / 60 * per_minute)
    out = []
    for _ in range(n):
        path, sub, cat, fmt = NOISE[rng.randrange(len(NOISE))]
        ts = start + timedelta(seconds=rng.uniform(0, seconds))
        msg = fmt.format(h=f"{rng.getrandbits(48):012x}", n=rng.randint(1, 999))
        out.append(
            Line(
                ts,
                path,
                80 + NOISE.index((path, sub, cat, fmt)),
                sub,
                cat,
                rng.choice(("Default", "Info", "Default", "Debug")),
                msg,
            )
        )
    out.sort(key=lambda ln: ln.ts)
    return out


def _local(ts: datetime, tz: timezone) -> datetime:
    return ts.astimezone(tz)


def render_ndjson(line: Line, tz: timezone, trace: int) -> str:
    """One `log show --style ndjson` record."""
    local = _local(line.ts, tz)
    return json.dumps(
        {
            "traceID": trace,
            "eventMessage": line.message,
            "eventType": "logEvent",
            "source": None,
            "formatString": "%{public}s",
            "activityIdentifier": 0,
            "subsystem": line.subsystem,
            "category": line.category,
            "threadID": 7000 + line.pid % 97,
            "senderImageUUID": "0F3A3B5E2C1D4E6F8A9B0C1D2E3F4A5B",
            "backtrace": {
                "frames": [{"imageOffset": trace % 65536, "imageUUID": "0F3A3B5E-2C1D-4E6F-8A9B-0C1D2E3F4A5B"}]
            },
            "bootUUID": "5D8F1E2A-7B3C-4D9E-8F1A-2B3C4D5E6F70",
            "processImagePath": line.path,
            "senderImagePath": line.path,
            "timestamp": local.strftime("%Y-%m-%d %H:%M:%S.%f%z"),
            "machTimestamp": trace * 1000,
            "messageType": line.level,
            "processImageUUID": "AAAA",
            "processID": line.pid,
            "senderProgramCounter": trace % 9999,
            "parentActivityIdentifier": 0,
            "timezoneName": "",
        },
        separators=(",", ":"),
    )


def _text_fields(line: Line, tz: timezone) -> tuple[str, str, int]:
    """What a text layout shows of a line: local time with offset, the process's name, a thread id."""
    return _local(line.ts, tz).strftime("%Y-%m-%d %H:%M:%S.%f%z"), line.path.rsplit("/", 1)[-1], 7000 + line.pid % 97


DEFAULT_HEADER = "Timestamp                       Thread     Type        Activity             PID    TTL  "


def render_xcode(line: Line, tz: timezone) -> str:
    """One line of Xcode's console as a developer pastes it: local time with offset, App[pid:thread]."""
    stamp, proc, thread = _text_fields(line, tz)
    return f"{stamp} {proc}[{line.pid}:{thread:x}] [{line.subsystem}:{line.category}] {line.message}"


def render_default(line: Line, tz: timezone) -> str:
    """One `log show` default-style line."""
    stamp, proc, thread = _text_fields(line, tz)
    return (
        f"{stamp} 0x{thread:<8x} {line.level:<11} 0x0"
        f"                  {line.pid:<6} 0    {proc}: [{line.subsystem}:{line.category}] {line.message}"
    )
