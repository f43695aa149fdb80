"""SQLite tables `transaction`, `transactionline` and `nexttransactionlinelink`, filled from SalesOrder records.

Each sales order brings its lines and the documents made from them (`documents`): a bill (invoice or cash
sale) when something was billed, and, when the store is asked to, an item fulfillment when something
shipped. `lastmodifieddate` is kept as a UTC instant; the token user's time zone (`session_zone`) decides
how queries read and show it.

One connection guarded by a lock: SuiteQL pages are short reads, so serialising
them costs little and keeps SQLite's threading rules out of the picture.
`version` changes with every write, so cached query results never outlive the
data they were computed from.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, overload

from sandbox.model import SalesOrder
from sandbox.netsuite import documents, oracle_dates, sqlite_functions
from sandbox.netsuite.documents import Document, LineDone
from sandbox.netsuite.schema import LIST_COLUMNS, SALES_ORDER_STATUS_LABELS, SALES_ORDER_TYPE, Schema
from sandbox.netsuite.session_zone import SessionTimeZone

_SCHEMA_SQL = """
CREATE TABLE "transaction" (
    id INTEGER PRIMARY KEY, tranid TEXT, type TEXT NOT NULL, status TEXT NOT NULL,
    trandate TEXT, lastmodifieddate TEXT NOT NULL, foreigntotal NUMERIC, currency TEXT,
    custbody_fa_channel_order TEXT, custbody_celigo_etail_order_id TEXT, custbody_fa_channel TEXT,
    custbody_celigo_shopify_store INTEGER, custbody_celigo_etail_channel INTEGER
);
CREATE TABLE transactionline (
    "transaction" INTEGER NOT NULL, id INTEGER NOT NULL, linesequencenumber INTEGER,
    mainline TEXT NOT NULL, taxline TEXT NOT NULL, item TEXT, quantity NUMERIC,
    quantityshiprecv NUMERIC, quantitybilled NUMERIC, isclosed TEXT NOT NULL, rate NUMERIC, subsidiary INTEGER,
    PRIMARY KEY ("transaction", id)
) WITHOUT ROWID;
-- The names BUILTIN.DF shows for List/Record columns (schema.LIST_COLUMNS). Not a SuiteQL table: the
-- translator only lets queries name the schema's tables.
CREATE TABLE list_value (
    tbl TEXT NOT NULL, col TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (tbl, col, id)
) WITHOUT ROWID;
CREATE TABLE nexttransactionlinelink (
    previousdoc INTEGER NOT NULL, previousline INTEGER NOT NULL, previoustype TEXT NOT NULL,
    nextdoc INTEGER NOT NULL, nextline INTEGER NOT NULL, nexttype TEXT NOT NULL, linktype TEXT NOT NULL
);
CREATE INDEX link_previous ON nexttransactionlinelink (previousdoc);
-- No index on lastmodifieddate: SQLite would take it for any date range and sort by id after,
-- 2-3x slower than a scan in id order for a window holding much of the table (100,000 orders:
-- 0.26 s against 0.5-0.65 s), while a narrow window scanned costs ~10 ms per 100,000 orders.
"""

_LINE_INSERT = """
INSERT INTO transactionline (
    "transaction", id, linesequencenumber, mainline, taxline, item, quantity, quantityshiprecv, quantitybilled,
    isclosed, rate, subsidiary
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_LINK_INSERT = "INSERT INTO nexttransactionlinelink VALUES (?, ?, ?, ?, ?, ?, ?)"

# transactionline.quantitybilled on a sales order: NetSuite's sign is not documented (positive on purchase
# orders: blog.prolecto.com/2024/02/03; /work/research/netsuite.md section 2: UNVERIFIED). The sandbox stores it
# negative by default, like quantity and quantityshiprecv on sales-order lines; `billed_sign=1` stores it positive.
BILLED_SIGNS = (-1, 1)


class QueryFailed(Exception):
    """SQLite refused or aborted a translated query; the message is safe to show the client."""


class StoredRows(Sequence[tuple[Any, ...]]):
    """A query's rows kept in a temporary table, in ORDER BY order, read a range at a time: building a
    page reads its rows only (turning 100,000 rows into Python objects took longer than running the query)."""

    def __init__(self, store: SalesOrderStore, table: str, width: int, count: int) -> None:
        self.store = store
        self.table = table
        self.width = width
        self.count = count
        self.dropped = False

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.count)
            if step != 1:
                raise ValueError("stored rows are read in ranges")
            return self.store._read_stored(self, start, stop) if start < stop else []
        position = index + self.count if index < 0 else index
        if not 0 <= position < self.count:
            raise IndexError(index)
        return self.store._read_stored(self, position, position + 1)[0]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self[:])

    def ties_within(self, start: int, stop: int, sort_keys: int) -> bool:
        """Whether rows start..stop-1, or one of them and its neighbour, have the same sort keys."""
        keys = ", ".join(f"x{index}" for index in range(self.width - sort_keys, self.width))
        found = self.store._read_stored(self, max(start - 1, 0), min(stop + 1, self.count), keys)
        return len(set(found)) < len(found)

    def rendered(self, start: int, stop: int, item_sql: str) -> list[str] | None:
        """Rows start..stop-1 rendered by SQL (`paging.item_json_sql`); None if one needs Python."""
        found = self.store._read_stored(self, start, stop, item_sql)
        if any(odd for _, odd in found):
            return None
        return [item for item, _ in found]


class SalesOrderStore:
    """`zone`: the token user's time zone (default UTC). `billed_sign`: sign quantitybilled is stored with.
    `fulfillment_documents`: also make an Item Fulfillment (linked `ShipRcpt`) for shipped lines, as
    NetSuite has one behind every shipped quantity; off by default, so older tests keep their row counts."""

    def __init__(
        self,
        db_path: str = ":memory:",
        query_timeout: float = 30.0,
        zone: SessionTimeZone | None = None,
        billed_sign: int = -1,
        fulfillment_documents: bool = False,
    ) -> None:
        if billed_sign not in BILLED_SIGNS:
            raise ValueError(f"billed_sign must be -1 or 1, got {billed_sign!r}")
        self.schema = Schema()
        self.zone = zone or SessionTimeZone()
        self.billed_sign = billed_sign
        self.fulfillment_documents = fulfillment_documents
        self.version = 0
        self.query_timeout = query_timeout
        self._lock = threading.RLock()
        self._billing: dict[int, str] = {}  # order id → "invoice" / "cash_sale"
        self._function_errors = sqlite_functions.FunctionErrors()
        self._connection = sqlite3.connect(db_path, check_same_thread=False)
        sqlite_functions.register(self._connection, self._function_errors)
        self.zone.register(self._connection, self._function_errors.wrap)
        # Oracle's LIKE is case-sensitive; SQLite's is not unless told.
        self._connection.execute("PRAGMA case_sensitive_like = ON")
        self._connection.execute("PRAGMA temp_store = MEMORY")  # kept query results (StoredRows)
        self._stored = itertools.count()
        with self._connection:
            self._connection.executescript(_SCHEMA_SQL)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    # --- writes -----------------------------------------------------------------------------------

    def load_sales_orders(self, records: Iterable[SalesOrder]) -> int:
        """Insert (or replace) sales orders with their lines; returns how many were loaded."""
        records = list(records)
        with self._lock:
            for name in sorted({name for record in records for name in record.fields}):
                self._add_body_field(name)
            columns = list(self.schema.columns("transaction"))
            for record in records:
                documents.check_order(record.id, record.billing)
            order_rows = [_order_row(record, columns) for record in records]
            line_rows = [row for record in records for row in _line_rows(record, self.billed_sign)]
            with self._connection:
                reloading = self._connection.execute('SELECT EXISTS (SELECT 1 FROM "transaction")').fetchone()[0]
                if reloading:
                    self._connection.executemany(
                        'DELETE FROM transactionline WHERE "transaction" = ?', [(row[0],) for row in order_rows]
                    )
                self._insert_transactions(columns, order_rows)
                self._connection.executemany(_LINE_INSERT, line_rows)
                self._billing.update({record.id: record.billing for record in records})
                # A reloaded order may lose documents it had; a new one only needs them when something was done.
                changed = [record.id for record in records if reloading or _has_documents(record)]
                self._write_documents(changed, columns)
            self.version += 1
        return len(records)

    def _insert_transactions(self, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        placeholders = ", ".join("?" for _ in columns)
        self._connection.executemany(
            f'INSERT OR REPLACE INTO "transaction" ({_quoted(columns)}) VALUES ({placeholders})',  # noqa: S608 - names from the schema
            rows,
        )

    def _write_documents(self, order_ids: list[int], columns: list[str]) -> None:
        """(Re)make the fulfillment and bill of each order from its lines as stored, within the caller's transaction."""
        old = [(document_id,) for order_id in order_ids for document_id in documents.document_ids(order_id)]
        self._connection.executemany('DELETE FROM "transaction" WHERE id = ?', old)
        self._connection.executemany('DELETE FROM transactionline WHERE "transaction" = ?', old)
        self._connection.executemany(
            "DELETE FROM nexttransactionlinelink WHERE previousdoc = ?", [(order_id,) for order_id in order_ids]
        )
        for order_id in order_ids:
            made = documents.documents_for(
                order_id, self._lines_done(order_id), self._billing.get(order_id, "invoice"), self.fulfillment_documents
            )
            if not made:
                continue
            query = f'SELECT {_quoted(columns)} FROM "transaction" WHERE id = ?'  # noqa: S608 - names from the schema
            order = dict(zip(columns, self._connection.execute(query, (order_id,)).fetchone(), strict=True))
            self._insert_transactions(columns, [_document_row(order, document, columns) for document in made])
            subsidiary = self._connection.execute(
                "SELECT subsidiary FROM transactionline WHERE \"transaction\" = ? AND mainline = 'T'", (order_id,)
            ).fetchone()[0]
            for document in made:
                self._connection.executemany(_LINE_INSERT, documents.line_rows(document, subsidiary))
                self._connection.executemany(_LINK_INSERT, documents.link_rows(order_id, document))

    def _lines_done(self, order_id: int) -> list[LineDone]:
        found = self._connection.execute(
            "SELECT id, item, rate, -quantityshiprecv, quantitybilled FROM transactionline "
            "WHERE \"transaction\" = ? AND mainline = 'F' ORDER BY id",
            (order_id,),
        ).fetchall()
        return [
            LineDone(line, item, rate, int(shipped or 0), int((billed or 0) * self.billed_sign))
            for line, item, rate, shipped, billed in found
        ]

    def load_list_values(self, table: str, column: str, names: dict[int, str]) -> None:
        """The records a List/Record column (schema.LIST_COLUMNS) may point at: internal id → the name
        BUILTIN.DF shows. Loading an id again renames it."""
        if (table, column) not in LIST_COLUMNS:
            raise ValueError(f"{table}.{column} is not a List/Record column")
        with self._lock:
            with self._connection:
                self._connection.executemany(
                    "INSERT OR REPLACE INTO list_value VALUES (?, ?, ?, ?)",
                    [(table, column, int(record_id), name) for record_id, name in names.items()],
                )
            self.version += 1

    def add_body_field(self, name: str) -> None:
        """Make a custom body field queryable before any order carries it."""
        with self._lock:
            self._add_body_field(name)

    def _add_body_field(self, name: str) -> None:
        if self.schema.add_body_field(name):
            with self._connection:
                self._connection.execute(f'ALTER TABLE "transaction" ADD COLUMN "{name}" TEXT')
            self.version += 1

    def update_sales_order(
        self,
        order_id: int,
        status: str | None = None,
        last_modified: datetime | str | None = None,
        fields: dict[str, str | None] | None = None,
        quantity_shipped: dict[int, int] | None = None,
        quantity_billed: dict[int, int] | None = None,
    ) -> None:
        """Change an order in one step: status, lastmodifieddate (a UTC instant), body fields, shipped and
        billed quantities per line (positive); its fulfillment and bill follow.

        Raises KeyError for an unknown order or line and ValueError for a bad value, before writing anything.
        """
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = _checked_status(status)
        if last_modified is not None:
            changes["lastmodifieddate"] = _timestamp(last_modified)
        with self._lock:
            if not self._exists(order_id):
                raise KeyError(f"no sales order with id {order_id}")
            shipments = self._checked_quantities(order_id, quantity_shipped or {}, "ship", -1)
            bills = self._checked_quantities(order_id, quantity_billed or {}, "bill", self.billed_sign)
            for name, value in (fields or {}).items():
                self._add_body_field(name)
                changes[name] = _stored_text(value)
            assignments = ", ".join(f'"{name}" = ?' for name in changes)
            with self._connection:
                if changes:
                    self._connection.execute(
                        f'UPDATE "transaction" SET {assignments} WHERE id = ?',  # noqa: S608 - names from the schema
                        [*changes.values(), order_id],
                    )
                self._connection.executemany(
                    'UPDATE transactionline SET quantityshiprecv = ? WHERE "transaction" = ? AND id = ?', shipments
                )
                self._connection.executemany(
                    'UPDATE transactionline SET quantitybilled = ? WHERE "transaction" = ? AND id = ?', bills
                )
                self._write_documents([order_id], list(self.schema.columns("transaction")))
            self.version += 1

    def set_quantity_shipped(self, order_id: int, shipped: dict[int, int]) -> None:
        """Record shipped quantities (positive) per line number, as item fulfillments would."""
        self.update_sales_order(order_id, quantity_shipped=shipped)

    def set_quantity_billed(self, order_id: int, billed: dict[int, int]) -> None:
        """Record billed quantities (positive) per line number, as an invoice or cash sale would."""
        self.update_sales_order(order_id, quantity_billed=billed)

    def _checked_quantities(
        self, order_id: int, done: dict[int, int], verb: str, sign: int
    ) -> list[tuple[int, int, int]]:
        ordered = dict(
            self._connection.execute(
                "SELECT id, -quantity FROM transactionline WHERE \"transaction\" = ? AND mainline = 'F'", (order_id,)
            ).fetchall()
        )
        for line, quantity in done.items():
            if line not in ordered:
                raise KeyError(f"sales order {order_id} has no line {line}")
            if not 0 <= quantity <= ordered[line]:
                raise ValueError(f"line {line} ordered {ordered[line]}; cannot {verb} {quantity}")
        return [(sign * quantity, order_id, line) for line, quantity in done.items()]

    def _exists(self, order_id: int) -> bool:
        query = 'SELECT 1 FROM "transaction" WHERE id = ? AND type = ?'
        found = self._connection.execute(query, (order_id, SALES_ORDER_TYPE)).fetchone()
        return found is not None

    # --- reads ------------------------------------------------------------------------------------

    def count_sales_orders(self) -> int:
        with self._lock:
            query = 'SELECT COUNT(*) FROM "transaction" WHERE type = ?'
            return self._connection.execute(query, (SALES_ORDER_TYPE,)).fetchone()[0]

    def keep_result(self, sql: str, width: int, max_rows: int) -> tuple[StoredRows, int]:
        """Run translated SQL into a temporary table: the first `max_rows` rows, in order, and how many
        rows the query matches in all."""
        table = f"result_{next(self._stored)}"
        columns = ", ".join(f"x{index}" for index in range(width))  # no declared types: values kept as they are
        with self._lock:
            deadline = time.monotonic() + self.query_timeout
            self._connection.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
            try:
                self._connection.execute(f"CREATE TEMP TABLE {table} ({columns})")
                # INSERT … SELECT stores rows in the SELECT's order: rowid 1, 2, … follows ORDER BY.
                self._connection.execute(f"INSERT INTO temp.{table} {sql}")  # noqa: S608 - translated SQL
                total = self._connection.execute(f"SELECT COUNT(*) FROM temp.{table}").fetchone()[0]  # noqa: S608
            except sqlite3.Error as exc:
                self._connection.execute(f"DROP TABLE IF EXISTS temp.{table}")
                raise QueryFailed(self._explain(exc, deadline)) from None
            finally:
                self._connection.set_progress_handler(None, 0)
        return StoredRows(self, table, width, min(total, max_rows)), total

    def drop_result(self, rows: StoredRows) -> None:
        with self._lock:
            if not rows.dropped:
                rows.dropped = True
                self._connection.execute(f"DROP TABLE IF EXISTS temp.{rows.table}")

    def _read_stored(self, rows: StoredRows, start: int, stop: int, select: str = "*") -> list[tuple[Any, ...]]:
        with self._lock:
            if rows.dropped:
                raise QueryFailed("the query's result was discarded; run it again")
            return self._connection.execute(
                f"SELECT {select} FROM temp.{rows.table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",  # noqa: S608
                (start, stop),
            ).fetchall()

    def _explain(self, error: sqlite3.Error, deadline: float) -> str:
        function_error = self._function_errors.take()
        if function_error is not None:
            return str(function_error)
        if isinstance(error, sqlite3.OperationalError) and time.monotonic() > deadline:
            return f"the query ran longer than {self.query_timeout:g} s and was cancelled"
        return str(error)


def _checked_status(status: str) -> str:
    if status not in SALES_ORDER_STATUS_LABELS:
        raise ValueError(f"sales order status must be one letter A..H, got {status!r}")
    return status


def _stored_text(value: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"body field values are text or null, got {value!r}")
    return value if value != "" else None  # Oracle stores '' as NULL


def _timestamp(value: datetime | str) -> str:
    if isinstance(value, str):
        value = datetime.strptime(value, oracle_dates.CANONICAL_FORMAT)
    return oracle_dates.canonical(value)


def _order_row(record: SalesOrder, columns: list[str]) -> tuple[Any, ...]:
    trandate: date = record.trandate
    values = {
        "id": int(record.id),
        "tranid": record.tranid,
        "type": SALES_ORDER_TYPE,
        "status": _checked_status(record.status),
        "trandate": oracle_dates.canonical(trandate) if trandate else None,
        "lastmodifieddate": _timestamp(record.last_modified),
        "foreigntotal": record.total,
        "currency": record.currency,
        **{name: _stored_text(value) for name, value in record.fields.items()},
        **{name: _list_id(name, value) for name, value in record.list_fields.items()},
    }
    return tuple(values.get(name) for name in columns)


def _list_id(name: str, value: int | None) -> int | None:
    if ("transaction", name) not in LIST_COLUMNS:
        raise ValueError(f"{name} is not a List/Record body field")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{name} holds an internal id (an integer) or null, got {value!r}")
    return value


def _line_rows(record: SalesOrder, billed_sign: int) -> list[tuple[Any, ...]]:
    # NetSuite keeps one mainline row per transaction (line 0) besides the item lines.
    subsidiary = record.subsidiary
    rows: list[tuple[Any, ...]] = [(record.id, 0, 0, "T", "F", None, None, None, None, "F", None, subsidiary)]
    for line in record.lines:
        if line.line < 1:
            raise ValueError(f"sales order {record.id}: item line numbers start at 1, got {line.line}")
        if not 0 <= line.quantity_shipped <= line.quantity:
            raise ValueError(f"sales order {record.id} line {line.line}: shipped must be within 0..quantity")
        if not 0 <= line.quantity_billed <= line.quantity:
            raise ValueError(f"sales order {record.id} line {line.line}: billed must be within 0..quantity")
        rows.append(
            (
                record.id,
                line.line,
                line.line,
                "F",
                "F",
                line.item,
                -line.quantity,  # sales-order quantities are stored negative
                -line.quantity_shipped,
                billed_sign * line.quantity_billed,
                "T" if line.is_closed else "F",
                line.rate,
                subsidiary,
            )
        )
    return rows


def _has_documents(record: SalesOrder) -> bool:
    return any(line.quantity_shipped or line.quantity_billed for line in record.lines)


def _document_row(order: dict[str, Any], document: Document, columns: list[str]) -> tuple[Any, ...]:
    """A fulfillment's or bill's body: the order's, with its own id, number, type, status and total. Custom
    body fields (the Shopify link among them) are copied from the order, as a transform carries them
    (UNVERIFIED for every field; the stricter reading: a query that forgets `type = 'SalesOrd'` sees them)."""
    total = sum((Decimal(str(line.rate or 0)) * quantity for line, quantity in document.lines), Decimal(0))
    values = order | {
        "id": document.id,
        "tranid": document.tranid,
        "type": document.type,
        "status": document.status,
        "foreigntotal": str(total),
    }
    return tuple(values[name] for name in columns)


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in columns)
