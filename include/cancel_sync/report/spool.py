"""A run's report rows kept on disk while its outcomes stream in, read back problems first.

100,000 rows held as objects cost the report task hundreds of MB. SQLite's temporary database (an
empty file name) keeps a small page cache, spills the rest to a file deleted on close, and sorts
there. Its BINARY collation compares UTF-8 bytes, which orders text as Python does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import fields

from include.cancel_sync.report.rows import OrderRow, sort_key

_COLUMNS = [f.name for f in fields(OrderRow)]
_REFUND = _COLUMNS.index("refund")
# Built from OrderRow's own field names, never from data.
_KEYS = ("key_rank", "key_tranid", "key_id")  # report.rows.sort_key's parts, sorted by SQLite
_CREATE = f"CREATE TABLE row ({', '.join(_KEYS + tuple(_COLUMNS))})"
_INSERT = f"INSERT INTO row VALUES ({', '.join('?' * (len(_KEYS) + len(_COLUMNS)))})"  # noqa: S608
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM row ORDER BY {', '.join(_KEYS)} LIMIT ?"  # noqa: S608


class RowSpool:
    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute(_CREATE)
        self.count = 0

    def add(self, rows: list[OrderRow]) -> None:
        self._db.executemany(_INSERT, ((*sort_key(r), *(getattr(r, name) for name in _COLUMNS)) for r in rows))
        self.count += len(rows)

    def sorted_rows(self, limit: int | None = None) -> Iterator[OrderRow]:
        """In report.rows.sort_key's order."""
        for values in self._db.execute(_SELECT, (-1 if limit is None else limit,)):  # -1: no limit
            row = list(values)
            row[_REFUND] = bool(row[_REFUND])  # SQLite keeps booleans as 0/1
            yield OrderRow(*row)

    def close(self) -> None:
        self._db.close()
