"""A run's report rows kept on disk while its outcomes stream in, read back problems first.

100,000 rows held as objects cost the report task hundreds of MB. SQLite's temporary database (an
empty file name) keeps a small page cache, spills the rest to a file deleted on close, and sorts
there. Its BINARY collation compares UTF-8 bytes, which orders text as Python does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import fields

from include.cancel_sync.report.rows import OrderRow, row_rank

_COLUMNS = [f.name for f in fields(OrderRow)]
_REFUND = _COLUMNS.index("refund")
# Built from OrderRow's own field names, never from data.
_CREATE = f"CREATE TABLE row (rank INTEGER, {', '.join(_COLUMNS)})"
_INSERT = f"INSERT INTO row VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"  # noqa: S608
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM row ORDER BY rank, tranid, netsuite_id LIMIT ?"  # noqa: S608


class RowSpool:
    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute(_CREATE)
        self.count = 0

    def add(self, rows: list[OrderRow]) -> None:
        self._db.executemany(_INSERT, ((row_rank(r.outcome), *(getattr(r, name) for name in _COLUMNS)) for r in rows))
        self.count += len(rows)

    def sorted_rows(self, limit: int | None = None) -> Iterator[OrderRow]:
        """Problems first, then by tranid and NetSuite id (as report_rows.order_rows sorts)."""
        for values in self._db.execute(_SELECT, (-1 if limit is None else limit,)):  # -1: no limit
            row = list(values)
            row[_REFUND] = bool(row[_REFUND])  # SQLite keeps booleans as 0/1
            yield OrderRow(*row)

    def close(self) -> None:
        self._db.close()
