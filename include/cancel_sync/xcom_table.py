"""A compact XCom form for a list of flat records (a batch, its decisions, its outcomes).

Records as dicts repeat every key and every status text per order; in XCom that is 300-700 bytes an
order. `pack(records)` stores them as one table per batch, column by column:

    {"table": 1, "rows": 250, "columns": {
        "id": [10001, 10002, ...],                                               # plain values
        "decision": {"values": ["to_cancel", "cannot_cancel"], "codes": [0, 0, 1, ...]},  # repeats once
        "gid": {"prefix": "gid://shopify/Order/", "numbers": [5800000000001, ...]},  # a common start once
        "modified": {"prefix": "2026-01-15 ", "rests": ["11:50:49", ...]},
        "problem": {"absent": [0, 1, 3, ...], "column": [null, null, "…", ...]},  # the key missing there
        "detail": {"same_as": "reason", "except": [[7, "cancelled at …"], ...]},  # mostly another column's value
    }}

`unpack(table)` gives back exactly the records (same keys and values, `True` still not `1`, a key missing
from a record still missing; keys in the order first seen), so code keeps reading `record["decision"]`: names stay readable in code,
only the wire form is compact. The table is still JSON, so the XCom stays inspectable in Airflow's UI.
"""

from __future__ import annotations

import json
import os
from typing import Any

FORMAT = 1
_CODED_SHARE = 0.5  # a column is coded when it has at most this share of distinct values
_MIN_PREFIX = 4  # shorter common starts are not worth a prefix


def is_table(value: Any) -> bool:
    return isinstance(value, dict) and value.get("table") == FORMAT


def as_records(value: Any) -> list[dict[str, Any]]:
    """A task's input as records, whichever form it came in: a table, or a plain list (runs from before tables)."""
    return unpack(value) if is_table(value) else list(value)


def pack(records: list[dict[str, Any]]) -> dict[str, Any]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns: dict[str, Any] = {}
    for name in names:
        column = _pack_column(name, records)
        # Only columns stored by value can be referred to, so unpack resolves references in one pass.
        plain = [other for other in columns if not _is_reference(columns[other])]
        reference = _reference_column(name, records, plain)
        if reference is not None and len(json.dumps(reference)) < len(json.dumps(column)):
            column = reference
        columns[name] = column
    return {"table": FORMAT, "rows": len(records), "columns": columns}


def unpack(table: dict[str, Any]) -> list[dict[str, Any]]:
    if not is_table(table):
        raise ValueError("not an XCom table (see include/cancel_sync/xcom_table.py)")
    rows = table["rows"]
    records: list[dict[str, Any]] = [{} for _ in range(rows)]
    for name, column in table["columns"].items():
        if _is_reference(column):
            values, absent = _unpack_reference(column, records)
        else:
            values, absent = _unpack_column(column, rows)
        for index, value in enumerate(values):
            if index not in absent:
                records[index][name] = value
    return records


def _pack_column(name: str, records: list[dict[str, Any]]) -> Any:
    absent = [index for index, record in enumerate(records) if name not in record]
    values = [record.get(name) for record in records]
    column = _encode(values, len(records) - len(absent))
    if absent:
        column = {"absent": absent, "column": column}
    return column


def _encode(values: list[Any], present: int) -> Any:
    hashable = all(value is None or isinstance(value, str | int | float | bool) for value in values)
    if hashable and values:
        distinct = list(dict.fromkeys(_key(value) for value in values))
        if len(distinct) <= max(1, _CODED_SHARE * len(values)):
            position = {key: index for index, key in enumerate(distinct)}
            return {"values": [key[1] for key in distinct], "codes": [position[_key(value)] for value in values]}
        prefixed = _prefixed(values)
        if prefixed is not None:
            return prefixed
    return values


def _key(value: Any) -> tuple[str, Any]:
    # True == 1 and 1 == 1.0 in Python: keep their types apart so they round-trip as sent.
    return (type(value).__name__, value)


def _plain_number(text: str) -> bool:
    """ASCII digits that int() reads back as the same text ('²' and '٣' are digits to str.isdigit, not to int)."""
    return text.isascii() and text.isdigit() and str(int(text)) == text


def _prefixed(values: list[Any]) -> dict[str, Any] | None:
    """Strings sharing a start (gid://shopify/Order/…, 2026-01-15 …): the prefix once, then the rest,
    as numbers when every rest is a plain number."""
    texts = [value for value in values if value is not None]
    if not texts or not all(isinstance(value, str) for value in texts):
        return None
    prefix = os.path.commonprefix(texts)
    base = prefix.rstrip("0123456789")
    rests = [None if value is None else value[len(base) :] for value in values]
    if base and all(rest is None or _plain_number(rest) for rest in rests):
        return {"prefix": base, "numbers": [None if rest is None else int(rest) for rest in rests]}
    if len(prefix) >= _MIN_PREFIX:
        return {"prefix": prefix, "rests": [None if value is None else value[len(prefix) :] for value in values]}
    return None


def _is_reference(column: Any) -> bool:
    inner = column["column"] if isinstance(column, dict) and "absent" in column else column
    return isinstance(inner, dict) and "same_as" in inner


def _reference_column(name: str, records: list[dict[str, Any]], candidates: list[str]) -> Any:
    """The column as "another column's value, except in these rows" (an outcome's `detail` is mostly its
    decision's `reason`), against the candidate it matches most; None without candidates. The caller keeps
    it only when it is smaller than the column stored by value."""
    present = [index for index, record in enumerate(records) if name in record]
    best: list[list[Any]] | None = None
    best_name = ""
    for other in candidates:
        differing = [
            [index, records[index][name]]
            for index in present
            if other not in records[index] or _key(records[index][other]) != _key(records[index][name])
        ]
        if best is None or len(differing) < len(best):
            best, best_name = differing, other
    if best is None or len(best) == len(present):
        return None
    column: dict[str, Any] = {"same_as": best_name, "except": best}
    if len(present) < len(records):
        present_set = set(present)
        return {"absent": [index for index in range(len(records)) if index not in present_set], "column": column}
    return column


def _unpack_reference(column: dict[str, Any], records: list[dict[str, Any]]) -> tuple[list[Any], set[int]]:
    absent: set[int] = set()
    if "absent" in column:
        absent = set(column["absent"])
        column = column["column"]
    other = column["same_as"]
    values = [record.get(other) for record in records]
    for index, value in column["except"]:
        values[index] = value
    return values, absent


def _unpack_column(column: Any, rows: int) -> tuple[list[Any], set[int]]:
    absent: set[int] = set()
    if isinstance(column, dict) and "absent" in column:
        absent = set(column["absent"])
        column = column["column"]
    if isinstance(column, dict) and "codes" in column:
        values = [column["values"][code] for code in column["codes"]]
    elif isinstance(column, dict) and "numbers" in column:
        values = [None if n is None else f"{column['prefix']}{n}" for n in column["numbers"]]
    elif isinstance(column, dict) and "rests" in column:
        values = [None if rest is None else column["prefix"] + rest for rest in column["rests"]]
    else:
        values = list(column)
    if len(values) != rows:
        raise ValueError(f"XCom table column holds {len(values)} values for {rows} rows")
    return values, absent
