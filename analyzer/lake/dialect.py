"""DuckDB SQL to Spark SQL: sqlglot's transpiler, plus the few DuckDB forms it renders with another meaning in
Spark 3.5 (fractional epoch, ordered list / string aggregates, any_value ignoring NULLs) and the DuckDB macros
inlined (Spark 3.5 has no SQL functions)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp


@dataclass(frozen=True)
class Macro:
    """A DuckDB scalar macro: its parameters and its body (DuckDB syntax)."""

    params: tuple[str, ...]
    body: exp.Expression


def parse_macros(statements: list[str]) -> dict[str, Macro]:
    """The scalar macros `CREATE ... MACRO name(params) AS body` among `statements` (other statements ignored)."""
    found: dict[str, Macro] = {}
    for sql in statements:
        tree = sqlglot.parse_one(sql, read="duckdb")
        if isinstance(tree, exp.Create) and str(tree.args.get("kind")).upper() == "MACRO":
            udf = tree.this
            params = tuple(p.name for p in udf.expressions)
            found[udf.this.name.lower()] = Macro(params, tree.expression)
    return found


def _call_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return None


def inline_macros(tree: exp.Expression, macros: dict[str, Macro]) -> exp.Expression:
    """`tree` with every call of a macro replaced by its body (arguments substituted), until none is left."""

    def expand(node: exp.Expression) -> exp.Expression:
        name = _call_name(node)
        if name not in macros:
            return node
        macro = macros[name]
        args = dict(
            zip(macro.params, node.expressions if isinstance(node, exp.Anonymous) else node.args.values(), strict=False)
        )

        def substitute(n: exp.Expression) -> exp.Expression:
            if isinstance(n, exp.Column) and not n.table and n.name in args:
                return exp.paren(args[n.name].copy(), copy=False)
            return n

        return inline_macros(macro.body.copy().transform(substitute), macros)

    return tree.transform(expand)


def _tree(node: exp.Expression) -> exp.Expression:
    """A DuckDB sub-expression rewritten for Spark (sqlglot's transform does not enter the node that replaces
    another, so a rewrite that keeps parts of the old node rewrites them itself)."""
    return node.copy().transform(_spark_forms)


def _sub(node: exp.Expression) -> str:
    """A DuckDB sub-expression as Spark SQL text (see _tree)."""
    return _tree(node).sql("spark")


def _ordered(values: list[exp.Expression], order: list[exp.Ordered], cond: str = "") -> str:
    """Spark: the collected `values` sorted by `order` (an array of structs _k0.._kn, _v), as SQL text."""
    keys = ", ".join(f"{_sub(o.this)} AS _k{i}" for i, o in enumerate(order))
    value = ", ".join(f"{_sub(v)} AS _v{i}" for i, v in enumerate(values))
    cases = []
    for i, o in enumerate(order):
        lo, hi = ("1", "-1") if o.args.get("desc") else ("-1", "1")
        nulls_first = o.args.get("nulls_first")
        nl, nr = ("-1", "1") if nulls_first else ("1", "-1")
        cases.append(
            f"WHEN l._k{i} IS NULL AND r._k{i} IS NOT NULL THEN {nl} WHEN l._k{i} IS NOT NULL AND r._k{i} IS NULL "
            f"THEN {nr} WHEN l._k{i} < r._k{i} THEN {lo} WHEN l._k{i} > r._k{i} THEN {hi}"
        )
    compare = f"(l, r) -> CASE {' '.join(cases)} ELSE 0 END"
    return f"ARRAY_SORT(COLLECT_LIST(STRUCT({keys}, {value})){cond}, {compare})"


def _asof(join: exp.Join) -> exp.Join:
    """DuckDB's ASOF JOIN as a plain join: each right row carries the next (or previous) value of its inequality
    column among the rows of its equality keys, and a left row joins the one right row whose range holds it."""
    right = join.this
    alias = right.alias_or_name
    conds = list(join.args["on"].flatten()) if isinstance(join.args["on"], exp.And) else [join.args["on"]]
    eq = [c for c in conds if isinstance(c, exp.EQ)]
    (ineq,) = [c for c in conds if isinstance(c, (exp.GTE, exp.GT, exp.LTE, exp.LT))]
    # normalise to <left> OP <right column>
    left_side, right_side = ineq.this, ineq.expression
    op = type(ineq)
    if isinstance(left_side, exp.Column) and left_side.table == alias:
        left_side, right_side = right_side, left_side
        op = {exp.GTE: exp.LTE, exp.GT: exp.LT, exp.LTE: exp.GTE, exp.LT: exp.GT}[op]
    keys = [
        (c.expression if isinstance(c.expression, exp.Column) and c.expression.table == alias else c.this).name
        for c in eq
    ]
    col = right_side.name
    partition = f"PARTITION BY {', '.join(keys)} " if keys else ""
    step = "LEAD" if op in (exp.GTE, exp.GT) else "LAG"
    source = right.this.sql("duckdb") if isinstance(right, exp.Subquery) else f"SELECT * FROM {right.name}"
    bounded = (
        sqlglot.parse_one(
            f"SELECT 1 FROM (SELECT *, {step}({col}) OVER ({partition}ORDER BY {col}) AS _asof_bound "
            f"FROM ({source}) _asof_src) {alias}",
            read="duckdb",
        )
        .args["from_"]
        .this
    )
    left_sql = left_side.sql("duckdb")
    bound = f"{alias}._asof_bound"
    within = f"({bound} IS NULL OR {left_sql} {'<' if step == 'LEAD' else '>'} {bound})"
    on = exp.and_(join.args["on"].copy(), sqlglot.parse_one(within, read="duckdb"))
    plain = join.copy()
    plain.set("method", None)
    plain.set("this", _tree(bounded))
    plain.set("on", _tree(on))
    return plain


def _collect(node: exp.ArrayAgg | exp.GroupConcat, where: exp.Expression | None) -> exp.Expression:
    """DuckDB's list(...) / string_agg(...) with their ORDER BY, DISTINCT and FILTER, in Spark: COLLECT_LIST keeps
    no order and drops NULLs, so values are collected as structs (NULL kept) and sorted by the ORDER BY keys; a
    string_agg without ORDER BY (any order in DuckDB) is sorted by value, so both engines can be compared."""
    inner = node.this
    value = inner.this if isinstance(inner, exp.Order) else inner
    distinct = isinstance(value, exp.Distinct)
    if distinct:
        value = value.expressions[0]
    cond = f" FILTER (WHERE {_sub(where)})" if where is not None else ""
    v = _sub(value)
    if isinstance(inner, exp.Order):
        listed = f"TRANSFORM({_ordered([value], inner.expressions, cond)}, s -> s._v0)"
    elif isinstance(node, exp.GroupConcat):
        listed = f"ARRAY_SORT(COLLECT_LIST({v}){cond})"
    else:
        listed = f"TRANSFORM(COLLECT_LIST(STRUCT({v} AS _v0)){cond}, s -> s._v0)"
    if distinct:
        listed = f"ARRAY_DISTINCT({listed})"
    if isinstance(node, exp.ArrayAgg):
        return sqlglot.parse_one(listed, read="spark")
    sep = _sub(node.args.get("separator") or exp.Literal.string(","))
    sql = (
        f"CASE WHEN COUNT({v}){cond} = 0 THEN NULL "
        f"ELSE CONCAT_WS({sep}, TRANSFORM({listed}, s -> CAST(s AS STRING))) END"
    )
    return sqlglot.parse_one(sql, read="spark")


def _first(order: exp.Order, where: exp.Expression | None) -> exp.Expression:
    """DuckDB's first(x ORDER BY k) [FILTER (WHERE c)]: the x of the first row in that order, NULL or not (Spark's
    FIRST follows no order): the head of the rows collected as structs and sorted."""
    cond = f" FILTER (WHERE {_sub(where)})" if where is not None else ""
    return sqlglot.parse_one(f"ELEMENT_AT({_ordered([order.this], order.expressions, cond)}, 1)._v0", read="spark")


def _spark_forms(node: exp.Expression) -> exp.Expression:
    """One DuckDB node whose sqlglot Spark rendering means something else, rewritten."""
    if isinstance(node, exp.Join) and str(node.args.get("method") or "").upper() == "ASOF":
        return _asof(node)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Count) and isinstance(node.this.this, exp.Distinct):
        # Spark has no DISTINCT window aggregate: the size of the window's set of values (NULLs left out, as here)
        value = node.this.this.expressions[0]
        window = node.copy()
        window.set("this", exp.Anonymous(this="COLLECT_SET", expressions=[value.copy()]))
        return exp.Anonymous(this="SIZE", expressions=[window.transform(_spark_forms)])
    if isinstance(node, exp.UnixToTime) and node.args.get("scale") is not None and node.args["scale"].name == "3":
        # epoch_ms(timestamp): the queries only ever take a timestamp's milliseconds (never the reverse)
        return exp.Anonymous(this="UNIX_MILLIS", expressions=[_tree(node.this)])
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Slice):
        # list[a:b] (1-based, both ends in) -> SLICE(list, a, b - a + 1)
        cut = node.expressions[0]
        arr = _sub(node.this)
        lo = _sub(cut.this) if cut.this is not None else "1"
        hi = _sub(cut.expression) if cut.expression is not None else f"SIZE({arr})"
        return sqlglot.parse_one(f"SLICE({arr}, {lo}, ({hi}) - ({lo}) + 1)", read="spark")
    if _call_name(node) == "to_seconds":
        # a frame bound must be an interval literal in Spark: to_seconds(<number>) is one
        (arg,) = node.expressions if isinstance(node, exp.Anonymous) else [node.this]
        inner = arg.unnest() if isinstance(arg, exp.Paren) else arg
        if isinstance(inner, exp.Literal):
            return sqlglot.parse_one(f"INTERVAL '{inner.name}' SECOND", read="spark")
        return sqlglot.parse_one(f"MAKE_DT_INTERVAL(0, 0, 0, {_sub(arg)})", read="spark")
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        # quantile_cont(x, q): Spark 3.5 spells the interpolated percentile percentile(x, q)
        return exp.Anonymous(this="PERCENTILE", expressions=[_tree(node.this), _tree(node.expression)])
    if isinstance(node, exp.Avg):
        # DuckDB averages in doubles whatever the type; Spark keeps a DECIMAL's scale (avg(1.0 or 0.0) to 5 places)
        return exp.Anonymous(this="AVG", expressions=[exp.cast(_tree(node.this), "DOUBLE")])
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[_tree(node.this), _tree(node.expression)])
    if isinstance(node, exp.TimeToUnix):
        # DuckDB's epoch(ts), to the last bit: its milliseconds / 1000 plus the rest of its microseconds / 1e6, in
        # doubles (not the exact decimal, nor micros / 1e6, which round otherwise in one value of four)
        us = f"UNIX_MICROS({_sub(node.this)})"
        return sqlglot.parse_one(
            f"(CAST({us} DIV 1000 AS DOUBLE) / 1000 + CAST({us} % 1000 AS DOUBLE) / 1000000)", read="spark"
        )
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        return exp.Anonymous(this="FIRST", expressions=[_tree(node.this.this), exp.true()])
    if isinstance(node, exp.AnyValue):
        # FIRST(x, TRUE), not FIRST(x) IGNORE NULLS: Spark takes a FILTER only before IGNORE NULLS
        return exp.Anonymous(this="FIRST", expressions=[_tree(node.this), exp.true()])
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.First) and isinstance(node.this.this, exp.Order):
        return _first(node.this.this, node.expression.this)
    if isinstance(node, exp.First) and isinstance(node.this, exp.Order):
        return _first(node.this, None)
    if isinstance(node, exp.Filter) and isinstance(node.this, (exp.ArrayAgg, exp.GroupConcat)):
        return _collect(node.this, node.expression.this)
    if isinstance(node, (exp.ArrayAgg, exp.GroupConcat)):
        return _collect(node, None)
    return node


def to_spark(sql: str, macros: dict[str, Macro]) -> str:
    """One DuckDB statement as Spark SQL."""
    tree = inline_macros(sqlglot.parse_one(sql, read="duckdb"), macros)
    return tree.transform(_spark_forms).sql("spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
