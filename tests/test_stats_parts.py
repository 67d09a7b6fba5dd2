"""A getStats file is read a part of whole lines at a time (memory bounded by the part, not the file): the parts,
clean or damaged, store what the line reader stores reading the file whole (issue #18)."""

from __future__ import annotations

import duckdb
import pytest

import analyzer.formats.stats_ndjson as stats_ndjson
from analyzer.normalise.stats import stats_tables
from analyzer.store.db import connect
from analyzer.store.ingest import ingest_paths
from tests.conftest import DATA

STATS = DATA / "stats"


def _stored(path, monkeypatch, part_bytes: int | None) -> dict[str, list]:
    """Counts, stats tables, intervals and rejects of one file: read in parts of part_bytes, or (None) by the line
    reader whole."""
    with monkeypatch.context() as m:
        m.setenv("ANALYZER_LATEST", "2030-01-01T00:00:00Z")  # rejects name the window's end: the same for both
        if part_bytes is None:
            m.setattr(stats_ndjson.StatsNdjson, "read_part", lambda self, con, path: None)
        else:
            m.setattr(stats_ndjson, "CHUNK_BYTES", part_bytes)
        con = connect(":memory:")
        res = ingest_paths(con, [str(path)]).files[0]
        tables = [t.name for t in stats_tables()] + ["stats_other", "rtp_intervals", "rejects"]
        out = {"counts": [(res.lines, res.records, res.stored, res.rejected, res.meta_lines)]}
        out |= {t: con.execute(f"SELECT * EXCLUDE (source_id) FROM {t} ORDER BY ALL").fetchall() for t in tables}
        con.close()
    return out


def _damaged(tmp_path):
    """The app upload with a broken line, a blank line and no newline after its last line."""
    text = (STATS / "app_upload_drop.ndjson").read_text().splitlines()
    damaged = tmp_path / "damaged_parts.ndjson"
    damaged.write_text("\n".join([*text[:3], '{"timestamp": 1, "stats": [', *text[3:6], "", *text[6:]]))
    return damaged


@pytest.mark.parametrize("part_bytes", [5000, 40_000])
def test_parts_store_what_the_line_reader_stores(tmp_path, monkeypatch, part_bytes):
    """Parts of a few lines, or the file in two parts: the same rows, rejects and counts."""
    damaged = _damaged(tmp_path)
    whole = _stored(damaged, monkeypatch, None)
    assert _stored(damaged, monkeypatch, part_bytes) == whole
    assert whole["counts"][0][3] == 1 and whole["counts"][0][4] == 1  # the broken line rejected, the blank one meta
    clean = STATS / "app_upload_drop.ndjson"
    assert _stored(clean, monkeypatch, part_bytes) == _stored(clean, monkeypatch, None)


def test_parts_are_whole_lines(tmp_path):
    """The parts put together are the file; each ends at a line end (a line longer than a part is one part)."""
    src = tmp_path / "src.ndjson"
    lines = [b"a" * 10, b"b" * 300, b"", b"c" * 5, b"d" * 70]
    src.write_bytes(b"\n".join(lines))  # no newline at the end
    part = tmp_path / "part.ndjson"
    got, text = [], b""
    for before, count in stats_ndjson._write_parts(src, part, 64):
        body = part.read_bytes()
        got.append((before, count))
        text += body
        assert body.endswith(b"\n") or text == src.read_bytes()
    assert text == src.read_bytes()
    assert got == [(0, 2), (2, 3)]


def test_a_file_store_checkpoints_after_a_few_parts(tmp_path, monkeypatch):
    """On disk, the parts' commits leave the checkpoints to every few parts (checkpoint_threshold raised while the
    file is stored, then put back): the damaged file in small parts stores what the line reader stores, and the
    rows are there once the store is opened again."""
    import analyzer.store.ingest as ingest

    damaged = _damaged(tmp_path)
    whole = _stored(damaged, monkeypatch, None)
    seen = []
    store_stage = ingest.store_stage

    def watched(con, source_id, window):
        seen.append(con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0])
        return store_stage(con, source_id, window)

    db = tmp_path / "store.duckdb"
    with monkeypatch.context() as m:
        m.setenv("ANALYZER_LATEST", "2030-01-01T00:00:00Z")
        m.setattr(stats_ndjson, "CHUNK_BYTES", 5000)
        m.setattr(ingest, "store_stage", watched)
        con = connect(db)
        before = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
        res = ingest_paths(con, [str(damaged)]).files[0]
        after = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
        con.close()
    scratch = duckdb.connect()
    scratch.execute("SET checkpoint_threshold = $size", {"size": ingest._STATS_CHECKPOINT})
    raised = scratch.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    assert len(seen) > 3 and set(seen) == {raised} and before == after != raised
    con = connect(db)
    tables = [t.name for t in stats_tables()] + ["stats_other", "rtp_intervals", "rejects"]
    stored = {t: con.execute(f"SELECT * EXCLUDE (source_id) FROM {t} ORDER BY ALL").fetchall() for t in tables}
    con.close()
    assert [(res.lines, res.records, res.stored, res.rejected, res.meta_lines)] == whole.pop("counts")
    assert stored == whole
