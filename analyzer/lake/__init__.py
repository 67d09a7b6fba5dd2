"""The Parquet lake: the store's ingest tables as Hive-partitioned files, one set of files per input file (named by
its content hash), written by any number of ingests at once and read back by DuckDB or Spark."""
