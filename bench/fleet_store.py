"""The synthetic store the sessionise, rules and model benchmarks share: N calls over 200 devices, filled
directly with SQL (10 typed events a call; half the calls with the app's call ids, half found as activation
windows from Apple's lines) and, optionally, 300 s of audio intervals each way for the call-id calls, with an
interruption that ends with shouldResume at 120 s and outbound audio flat from 90 s in every tenth call."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

FILL = """
INSERT INTO sources (source_id, content_hash, path, format, bytes, lines, meta_lines, records, stored, ignored,
                     rejected, events, device_hint)
SELECT d, 'bench-' || d, 'device-' || d || '.ndjson', 'oslog_ndjson', 0, 0, 0, 0, 0, 0, 0, 0, 'iPhone' || d || ' 22B83'
FROM range(200) t(d);

INSERT INTO session_events (event_id, record_id, source_id, line_start, line_end, ts, process, pid, producer,
    subject_pid, subject_name, kind, pattern_id, call_id_hint, active, success, message, ts_quality)
SELECT
    c * 10 + k, c * 10 + k, c % 200, c * 10 + k, c * 10 + k,
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + k * 30),
    CASE WHEN c % 2 = 0 THEN 'VoiceAgent' ELSE (CASE WHEN k IN (1, 9) THEN 'mediaserverd' ELSE 'VoiceAgent' END) END,
    CASE WHEN c % 2 = 0 OR k NOT IN (1, 9) THEN 1440 ELSE 120 END,
    CASE WHEN c % 2 = 0 THEN 'contract' WHEN k IN (1, 9) THEN 'apple_server' ELSE 'apple_client' END,
    1440, 'VoiceAgent',
    CASE WHEN c % 2 = 0 THEN (CASE k WHEN 0 THEN 'call_start' WHEN 9 THEN 'call_end' ELSE 'route_change' END)
         ELSE (CASE k WHEN 1 THEN 'activation' WHEN 9 THEN 'activation' ELSE 'error' END) END,
    'bench',
    CASE WHEN c % 2 = 0 THEN 'C-' || c END,
    CASE WHEN c % 2 = 1 AND k = 1 THEN true WHEN c % 2 = 1 AND k = 9 THEN false END,
    true,
    'bench event ' || c || '/' || k,
    'exact'
FROM range($n) t(c), range(10) u(k)
"""

INTERVALS = """
INSERT INTO rtp_intervals
SELECT c % 200, 'device', 'C-' || c, 'PC-' || c, CASE d WHEN 0 THEN 'IT01' ELSE 'OT01' END,
    CASE d WHEN 0 THEN 'inbound' ELSE 'outbound' END,
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + s * 10),
    TIMESTAMPTZ '2026-11-01 00:00:00+00' + to_seconds((c // 200) * 600 + s * 10 + 10),
    -- 10 s intervals over the 300 s call; outbound flat from 90 s on in every tenth call
    10.0, c * 100 + s, false, false,
    50, CASE WHEN d = 1 AND c % 10 = 0 AND s >= 9 THEN 0 ELSE 50 END, 5000, 0, 0.0, 0.0, 0.1, 0.004, 0.08, 4.3,
    NULL, 500.0 * (s + 1), 1111 + d
FROM range(0, $n, 2) t(c), range(30) u(s), range(2) v(d)
"""


def fill(con: duckdb.DuckDBPyConnection, calls: int, audio: bool = False) -> None:
    """Fill the store with `calls` calls (and their audio intervals and interruptions when `audio`)."""
    sources, events = FILL.split(";\n")
    con.execute(sources)
    con.execute(events, {"n": calls})
    if audio:
        con.execute(INTERVALS, {"n": calls})
        con.execute("UPDATE session_events SET kind = 'interruption_began' WHERE event_id % 100 = 3")
        con.execute(
            "UPDATE session_events SET kind = 'interruption_ended', should_resume = true WHERE event_id % 100 = 4"
        )


@contextmanager
def filled_store(calls: int, audio: bool = False, sessionised: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A temporary file store filled with `calls` calls, sessionised unless asked not to."""
    from analyzer.calls.sessionise import sessionise
    from analyzer.store.db import connect

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        fill(con, calls, audio)
        if sessionised:
            sessionise(con)
        yield con
        con.close()
