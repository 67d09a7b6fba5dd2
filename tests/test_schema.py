"""queries/schema.sql is the single source: of the count columns, the event vocabularies and the store's version."""

from __future__ import annotations

from dataclasses import fields

import duckdb
import pytest

from analyzer.errors import InputError
from analyzer.normalise.patterns import catalogue
from analyzer.store.counts import Counts
from analyzer.store.db import SCHEMA_VERSION, connect, sql_literal, transaction, vocabulary


def test_counts_are_the_count_columns_of_sources(con):
    described = con.execute("DESCRIBE sources").fetchall()
    counted = {name for name, kind, *_ in described if kind == "BIGINT" and name != "bytes"}
    assert {f.name for f in fields(Counts)} == counted | {"year_assumed"}


def test_schema_sql_writes_the_version_connect_expects(con):
    assert con.execute("SELECT value FROM schema_meta WHERE key = 'schema_version'").fetchone() == (SCHEMA_VERSION,)


@pytest.mark.parametrize(("version", "written_by"), [("2", "an older"), ("99", "a newer")])
def test_a_store_of_another_version_is_refused_naming_file_and_versions(tmp_path, version, written_by):
    db = tmp_path / "fleet.duckdb"
    connect(db).close()
    with duckdb.connect(str(db)) as raw:
        raw.execute("UPDATE schema_meta SET value = $v WHERE key = 'schema_version'", {"v": version})
    with pytest.raises(InputError) as err:
        connect(db)
    assert str(err.value).startswith(
        f"{db}: this store has schema version {version}, written by {written_by} analyzer; "
        f"this analyzer reads version {SCHEMA_VERSION}."
    )
    with pytest.raises(InputError, match=f"schema version {version}"):
        connect(db, read_only=True)


def test_a_store_from_before_versions_is_refused_and_left_as_it_is(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as raw:
        raw.execute("CREATE TABLE sources (source_id INTEGER, path VARCHAR)")
    with pytest.raises(InputError, match="this store has schema version none, written by an older analyzer"):
        connect(db)
    with duckdb.connect(str(db)) as raw:
        tables = {r[0] for r in raw.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == {"sources"}  # the schema was not applied over it


def test_catalogue_uses_the_schema_vocabularies(con):
    kinds = {r[0] for r in con.execute("SELECT kind FROM ref_event_kinds").fetchall()}
    producers = {r[0] for r in con.execute("SELECT producer FROM ref_producers").fetchall()}
    assert set(vocabulary("ref_event_kinds")) == kinds and set(vocabulary("ref_producers")) == producers
    pats = catalogue().patterns
    assert {p.kind for p in pats} <= kinds
    assert {p.producer for p in pats} == producers  # every producer has a pattern


def test_closed_vocabularies_are_checked(con):
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "INSERT INTO rtp_intervals (source_id, origin, stat_id, direction, ts_start, ts_end, seconds, gap,"
            " counter_reset) VALUES (1, 'device', 's', 'sideways', now(), now(), 1, false, false)"
        )


@pytest.mark.parametrize("value", ["it's", "a\\b", "line\nbreak", "''", 42, -7, 1e40, True, False])
def test_sql_literal_reads_back_as_the_value(con, value):
    assert con.execute(f"SELECT {sql_literal(value)}").fetchone()[0] == value


def test_transaction_rolls_back_on_error_and_commits_otherwise(con):
    with pytest.raises(RuntimeError), transaction(con):
        con.execute("INSERT INTO devices (device_id) VALUES ('lost')")
        raise RuntimeError("boom")
    with transaction(con):
        con.execute("INSERT INTO devices (device_id) VALUES ('kept')")
    assert con.execute("SELECT device_id FROM devices").fetchall() == [("kept",)]
