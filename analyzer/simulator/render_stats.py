"""Render a call's media as the stats the app uploads (W3C getStats, one report a line, with the call id) and
as the gateway's Pion GetStats() maps (its own clock, no call id)."""

from __future__ import annotations

import json
from datetime import timedelta

from analyzer.simulator.plan import CallPlan

# json.dumps(obj, separators=(",", ":")) makes an encoder a call; one encoder, no cycle check: the same text
_compact = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _ms(dt) -> int:
    return int(dt.timestamp() * 1000)


def device_stats_lines(call: CallPlan) -> list[str]:
    """One getStats snapshot a second, from 1 s after the call starts."""
    m = call.media
    assert m is not None
    lines = []
    sent = recv = lost_in = samples = concealed = 0
    energy = 0.0
    for i in range(1, call.duration):
        sent += m.out_pkts[i]
        recv += max(0, m.in_pkts[i] - m.in_lost[i])
        lost_in += m.in_lost[i] if m.in_pkts[i] else 0
        samples += 48000 if m.in_pkts[i] else 0
        concealed += int(48000 * m.in_lost[i] / 50) if m.in_pkts[i] else 0
        energy += m.mic_level[i] ** 2 * 1.0
        ts = _ms(call.start + timedelta(seconds=i))
        loss_out = m.out_lost[i] / 50 if m.out_pkts[i] else 0.0
        stats = [
            {
                "id": "IT01A1111",
                "type": "inbound-rtp",
                "timestamp": ts,
                "kind": "audio",
                "ssrc": 1111,
                "packetsReceived": recv,
                "bytesReceived": recv * 120,
                "packetsLost": lost_in,
                "jitter": m.jitter[i],
                "totalSamplesReceived": samples,
                "concealedSamples": concealed,
                "silentConcealedSamples": 0,
                "concealmentEvents": lost_in // 3,
                "audioLevel": m.in_level[i],
                "jitterBufferDelay": samples * 0.06,
                "jitterBufferEmittedCount": samples,
            },
            {
                "id": "OT01A2222",
                "type": "outbound-rtp",
                "timestamp": ts,
                "kind": "audio",
                "ssrc": 2222,
                "packetsSent": sent,
                "bytesSent": sent * 110,
                "mediaSourceId": "SA1",
                "targetBitrate": 32000,
            },
            {
                "id": "RIA2222",
                "type": "remote-inbound-rtp",
                "timestamp": ts,
                "kind": "audio",
                "ssrc": 2222,
                "roundTripTime": m.rtt[i],
                "fractionLost": round(loss_out, 4),
                "jitter": m.jitter[i],
                "localId": "OT01A2222",
            },
            {
                "id": "CP01",
                "type": "candidate-pair",
                "timestamp": ts,
                "state": "succeeded" if m.ice[i] == "connected" else "failed",
                "nominated": True,
                "currentRoundTripTime": m.rtt[i],
                "bytesSent": sent * 130,
                "bytesReceived": recv * 140,
            },
            {
                "id": "T01",
                "type": "transport",
                "timestamp": ts,
                "iceState": m.ice[i],
                "dtlsState": "connected",
                "selectedCandidatePairId": "CP01",
            },
            {
                "id": "SA1",
                "type": "media-source",
                "timestamp": ts,
                "kind": "audio",
                "audioLevel": m.mic_level[i],
                "totalAudioEnergy": round(energy, 6),
                "totalSamplesDuration": float(i),
            },
        ]
        if "placeholder_track" in call.benign:
            stats.append(_placeholder(ts))
        lines.append(
            _compact({"timestamp": ts, "call_id": call.call_id, "pc_id": f"PC-{call.call_id}", "stats": stats})
        )
        if "second_pc" in call.benign:
            lines.append(_data_only_pc(call, ts, i))
    return lines


def _placeholder(ts: int) -> dict:
    """A receiver for a stream the other end never sends (an unused transceiver): it never counts a packet."""
    return {
        "id": "IT01A3333",
        "type": "inbound-rtp",
        "timestamp": ts,
        "kind": "audio",
        "ssrc": 3333,
        "packetsReceived": 0,
        "bytesReceived": 0,
        "packetsLost": 0,
        "jitter": 0,
        "totalSamplesReceived": 0,
        "concealedSamples": 0,
    }


def _data_only_pc(call: CallPlan, ts: int, i: int) -> str:
    """A second peer connection of the call that carries only a data channel (no audio to judge)."""
    stats = [
        {"id": "D1", "type": "data-channel", "timestamp": ts, "state": "open", "messagesSent": 2 * i},
        {
            "id": "T01",
            "type": "transport",
            "timestamp": ts,
            "iceState": "connected",
            "dtlsState": "connected",
            "selectedCandidatePairId": "CP01",
        },
        {
            "id": "CP01",
            "type": "candidate-pair",
            "timestamp": ts,
            "state": "succeeded",
            "nominated": True,
            "currentRoundTripTime": 0.05,
        },
    ]
    return _compact({"timestamp": ts, "call_id": call.call_id, "pc_id": f"PC-{call.call_id}-data", "stats": stats})


def gateway_stats_lines(call: CallPlan, offset_s: float, delay_s: float = 0.04) -> list[str]:
    """The gateway's view of the same media: it receives what the device sent (less upstream loss) and sends the
    agent's audio; its clock is `offset_s` ahead of the device's."""
    m = call.media
    assert m is not None
    lines = []
    got = lost = sent = 0
    for i in range(1, call.duration):
        got += max(0, m.out_pkts[i] - m.out_lost[i])
        lost += m.out_lost[i] if m.out_pkts[i] else 0
        sent += m.in_pkts[i] + (m.in_dropped[i] if m.in_dropped else 0)
        # counted through second i, received delay_s after the device sent them, stamped on the gateway clock
        ts = _ms(call.start + timedelta(seconds=i + delay_s + offset_s)) + 0.25
        lines.append(
            _compact(
                {
                    f"InboundRTPAudioStream_{2222}": {
                        "timestamp": ts,
                        "type": "inbound-rtp",
                        "id": "InboundRTPAudioStream_2222",
                        "ssrc": 2222,
                        "kind": "audio",
                        "packetsReceived": got,
                        "packetsLost": lost,
                        "jitter": m.jitter[i],
                        "bytesReceived": got * 110,
                        "headerBytesReceived": got * 12,
                    },
                    f"OutboundRTPAudioStream_{1111}": {
                        "timestamp": ts,
                        "type": "outbound-rtp",
                        "id": "OutboundRTPAudioStream_1111",
                        "ssrc": 1111,
                        "kind": "audio",
                        "packetsSent": sent,
                        "bytesSent": sent * 120,
                    },
                    "iceTransport": {
                        "timestamp": ts,
                        "type": "transport",
                        "id": "iceTransport",
                        "iceState": m.ice[i],
                        "dtlsState": "connected",
                        "bytesSent": sent * 130,
                        "bytesReceived": got * 130,
                    },
                }
            )
        )
    return lines
