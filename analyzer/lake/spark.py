"""The analysis on Spark from the same SQL: the lake's tables as Spark views (ids mapped by queries/lake/id_map.sql),
then the statements of queries/ and the rules of rules/, each transpiled from DuckDB (analyzer/lake/dialect.py)
and run in order. A DuckDB statement that creates or fills a table becomes a Spark view over its result,
materialised (CREATE TABLE, INSERT) so that the next statement starts from data, not from a growing plan. A DuckDB
view becomes a Spark SQL view (its text, read again at each use, so it sees the tables as they are then) until
`freeze_views` materialises the views once, when the tables they read are final."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp

from analyzer.errors import InputError
from analyzer.lake.dialect import Macro, parse_macros, to_spark
from analyzer.lake.layout import PARTITIONS, SET_COLUMNS, SETS_TABLE, lake_tables, table_files
from analyzer.lake.read import mapped_select
from analyzer.resources import query_statements, query_text
from analyzer.store.db import _REF_MAPS, connect, sql_literal

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)


@contextmanager
def timed(what: str) -> Iterator[None]:
    """Log how many seconds the block took (the Spark engine's per-statement figures)."""
    start = time.perf_counter()
    yield
    log.info("spark: %s %.2f s", what, time.perf_counter() - start)


# Local mode is for lakes of a few thousand calls: there Spark's CPU went to compiling (measured on 39-64 calls, 2
# cores: Janino's whole-stage and expression code ~40% of the JVM's 280 CPU s, and the JIT compiling Spark itself),
# not to rows. Interpreted operators and a C1-only JIT took it to 120 s with the same rows. A cluster keeps Spark's
# defaults: there the data is large and compiled code pays for itself.
LOCAL_SQL = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.shuffle.partitions": "2",
}
LOCAL_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def spark_session(master: str = "local[2]") -> SparkSession:
    """A Spark session for the analysis: UTC, no UI, few shuffle partitions merged further by adaptive execution
    (a day's bucket is small), small tables broadcast; in local mode, no generated code and a quick JIT."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("--engine spark needs pyspark: pip install 'call-failure-analyzer[spark]'") from None
    local = master.startswith("local")
    if local:  # the Python workers run this interpreter (by default Spark runs `python3` from PATH, maybe another)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    jvm = "-Duser.timezone=UTC" + (f" {LOCAL_JVM}" if local else "")
    builder = (
        SparkSession.builder.master(master)
        .appName("analyzer-fleet")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.adaptive.coalescePartitions.enabled", "true")
        .config("spark.sql.autoBroadcastJoinThreshold", str(32 * 1024 * 1024))
        .config("spark.driver.memory", "2g")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.executorEnv.PYTHONPATH", _python_path())
        .config("spark.driver.extraJavaOptions", jvm)
        .config("spark.executor.extraJavaOptions", jvm)
    )
    for key, value in (LOCAL_SQL if local else {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _python_path() -> str:
    """The Python path Spark's Python workers need to import this analyzer (the folder holding the package first)."""
    import analyzer

    root = str(Path(analyzer.__file__).resolve().parents[1])
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SparkStore:
    """The store's tables and views as Spark temp views, over a lake; `execute` runs one DuckDB statement."""

    def __init__(self, spark: SparkSession, lake: Path, work: Path) -> None:
        self.spark = spark
        self.work = work
        self.duck = connect(":memory:")  # the schema, the reference tables and the rules' column types
        self.macros: dict[str, Macro] = parse_macros(query_statements("macros.sql") + query_statements("views.sql"))
        self.macros.update(self._ref_maps())
        self.lake = lake
        self.views: list[str] = []  # the SQL views, in the order they were made
        self.tables = lake_tables(self.duck)
        with timed("store tables"):
            self._load_store_tables()
        self._load_lake()

    def _ref_maps(self) -> dict[str, Macro]:
        """The ref_*() MAP macros of analyzer/store/db.py, as Spark map() calls over the same rows."""
        found = {}
        for name, query in _REF_MAPS.items():
            rows = self.duck.execute(query).fetchall()
            args = ", ".join(f"{sql_literal(k)}, {sql_literal(v)}" for k, v in rows)
            found[name] = Macro((), sqlglot.parse_one(f"MAP({args})", read="spark"))
        return found

    def _schema(self, select: str) -> str:
        """The Spark DDL of a DuckDB query's columns (JSON is text in Spark)."""
        rel = self.duck.sql(f"SELECT * FROM ({select}) LIMIT 0")
        cols = []
        for name, kind in zip(rel.columns, rel.types, strict=True):
            spark_type = sqlglot.parse_one(f"CAST(NULL AS {kind})", read="duckdb").to
            cols.append(f"`{name}` {spark_type.sql('spark').replace('JSON', 'STRING')}")
        return ", ".join(cols)

    def _from_duckdb(self, select: str) -> DataFrame:
        """A DuckDB query's rows (reference data, or none: an empty table's shape) as a Spark DataFrame."""
        rows = self.duck.execute(select).fetchall()
        return self.spark.createDataFrame(rows, self._schema(select))

    def _load_store_tables(self) -> None:
        """Every table of the schema: reference tables with their rows, the others empty (their shape)."""
        rows = self.duck.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name IN (current_database(), 'temp')"
        ).fetchall()
        for (table,) in rows:
            self._replace(table, self._from_duckdb(f"SELECT * FROM {_quoted(table)}"))

    def _load_lake(self) -> None:
        """Each lake table as view lake_<table>, the id map, then the table itself with its ids mapped (a table with
        no files stays the empty table it is). Files are read with the schema the store gives them (no footer read
        to merge schemas; a column an older set lacks reads as NULL)."""
        present = []
        for table in self.tables:
            files = [str(p) for p in table_files(self.lake, table)]
            added = SET_COLUMNS if table == SETS_TABLE else SET_COLUMNS[:1]
            extra = "".join(f", CAST(NULL AS {'VARCHAR' if c == 'lake_set' else 'BIGINT'}) AS {c}" for c in added)
            shape = f"SELECT *{extra} FROM {_quoted(table)} WHERE false"
            if files:
                df = self.spark.read.schema(self._schema(shape)).parquet(*files)
                df = df.drop(*[p for p in PARTITIONS if p in df.columns])
                present.append(table)
            else:
                df = self._from_duckdb(shape)
            df.createOrReplaceTempView(f"lake_{table}")
        self._replace("lake_id_map", self.query(query_text("lake/id_map.sql")).cache())
        for table in present:
            columns = [r[0] for r in self.duck.execute(f"DESCRIBE {_quoted(table)}").fetchall()]
            have = set(self.spark.table(f"lake_{table}").columns)
            with timed(f"read {table}"):
                self._replace(table, self._aligned(table, self.query(mapped_select(table, columns, have))), keep=True)

    def query(self, sql: str) -> DataFrame:
        """One DuckDB SELECT, run by Spark."""
        return self.spark.sql(to_spark(sql, self.macros))

    def replace(self, name: str, df: DataFrame) -> None:
        """Table `name` is now `df`'s rows (materialised), its columns by position."""
        self._replace(name, self._aligned(name, df), keep=True)

    def replace_numbered(self, name: str, df: DataFrame, column: str, order: str) -> None:
        """As replace, with `column` numbered 1.. in `order` (a DuckDB ORDER BY list over df's columns)."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        keys = [F.col(k.strip()) for k in order.split(",")]
        self.replace(name, df.withColumn(column, F.row_number().over(Window.orderBy(*keys)).cast("bigint")))

    def _replace(self, name: str, df: DataFrame, keep: bool = False) -> None:
        if keep:
            df = df.localCheckpoint(eager=True)
        df.createOrReplaceTempView(name)

    def _aligned(self, table: str, df: DataFrame) -> DataFrame:
        """`df`'s columns, by position, named and typed as `table`'s (an INSERT's SELECT)."""
        target = self.spark.table(table).schema
        from pyspark.sql import functions as F

        return df.select(
            [F.col(f"`{c}`").cast(t.dataType).alias(t.name) for c, t in zip(df.columns, target.fields, strict=True)]
        )

    def execute(self, tree: exp.Expression) -> None:
        """One DuckDB statement: CREATE [TEMP] TABLE/VIEW ... AS, DELETE FROM t, INSERT [OR REPLACE] INTO t SELECT."""
        sql = tree.sql("duckdb")
        if isinstance(tree, exp.Create):
            kind = str(tree.args.get("kind")).upper()
            if kind == "MACRO":
                return
            name = tree.this.name
            if kind == "VIEW":
                self.view(name, tree.expression.sql("duckdb"))
                return
            with timed(f"table {name}"):
                self._replace(name, self.query(tree.expression.sql("duckdb")), keep=True)
        elif isinstance(tree, exp.Delete):
            if tree.args.get("where") is not None:
                raise NotImplementedError(f"DELETE with WHERE: {sql[:80]}")
            name = tree.this.name
            self._replace(name, self.spark.table(name).limit(0), keep=True)
        elif isinstance(tree, exp.Insert):
            target = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
            name = target.name
            new = self._aligned(name, self.query(tree.expression.sql("duckdb")))
            with timed(f"insert {name}"):
                self._replace(name, self.spark.table(name).unionByName(new), keep=True)
        else:
            raise NotImplementedError(f"statement the Spark engine cannot run: {sql[:80]}")

    def view(self, name: str, select: str) -> None:
        """A view as SQL text: Spark resolves the names in it at each use (a view made from a DataFrame would keep
        the tables as they were when it was made)."""
        self.spark.sql(f"CREATE OR REPLACE TEMP VIEW `{name}` AS {to_spark(select, self.macros)}")
        if name not in self.views:
            self.views.append(name)

    def freeze_views(self) -> None:
        """Every view materialised once, in the order made (a view reads the frozen views before it): the rules
        and the features read the same views many times, and the tables under them no longer change."""
        for name in self.views:
            with timed(f"view {name}"):
                self._replace(name, self.spark.table(name), keep=True)
        self.views.clear()

    def run_file(self, relpath: str) -> None:
        """Every statement of one queries/ file, in order."""
        for tree in sqlglot.parse(query_text(relpath), read="duckdb"):
            if tree is not None and not isinstance(tree, exp.Semicolon):  # a comment after the last `;`
                self.execute(tree)

    def close(self) -> None:
        self.duck.close()


def schema_views() -> list[exp.Expression]:
    """The views queries/schema.sql itself defines (events)."""
    trees = sqlglot.parse(query_text("schema.sql"), read="duckdb")
    return [t for t in trees if isinstance(t, exp.Create) and str(t.args.get("kind")).upper() == "VIEW"]


def open_store(spark: SparkSession, lake: Path) -> tuple[SparkStore, tempfile.TemporaryDirectory]:
    """A SparkStore over `lake`, with a working folder that lives as long as the caller keeps it."""
    work = tempfile.TemporaryDirectory(prefix="analyzer-spark-")
    store = SparkStore(spark, lake, Path(work.name))
    for statement in schema_views():
        store.execute(statement)
    store.run_file("views.sql")
    return store, work
