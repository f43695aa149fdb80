"""The SQLite store, Oracle date format models, and the DAG query checked against a plain-Python model."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.model import SalesOrder, SalesOrderLine
from sandbox.netsuite import oracle_dates
from sandbox.netsuite.executor import SuiteQLExecutor
from sandbox.netsuite.store import QueryFailed, SalesOrderStore

WINDOW_START = datetime(2026, 1, 15, 0, 0)


def rows(store: SalesOrderStore, query: str) -> list[tuple]:
    outcome = SuiteQLExecutor(store).run(query)
    width = len(outcome.query.columns)
    return [row[:width] for row in outcome.rows]


def test_loading_writes_one_mainline_and_negative_item_quantities(make_order):
    store = SalesOrderStore()
    store.load_sales_orders([make_order(1, "H", WINDOW_START, shipped=(1, 0))])
    lines = rows(
        store,
        "SELECT tl.id, tl.linesequencenumber, tl.mainline, tl.taxline, tl.item, tl.quantity, tl.quantityshiprecv, tl.isclosed "
        "FROM transactionline tl ORDER BY tl.id",
    )
    assert lines == [
        (0, 0, "T", "F", None, None, None, "F"),
        (1, 1, "F", "F", "SKU-1", -2, -1, "F"),
        (2, 2, "F", "F", "SKU-2", -2, 0, "F"),
    ]


def test_loading_again_replaces_the_order_and_its_lines(make_order):
    store = SalesOrderStore()
    store.load_sales_orders([make_order(1, "B", WINDOW_START, shipped=(0, 0, 0))])
    store.load_sales_orders([make_order(1, "C", WINDOW_START, shipped=(0,))])
    assert rows(store, "SELECT t.status FROM transaction t") == [("C",)]
    assert rows(store, "SELECT COUNT(*) FROM transactionline") == [(2,)]


def test_custom_body_fields_become_columns_and_empty_text_is_null(make_order):
    store = SalesOrderStore()
    store.load_sales_orders([make_order(1, "C", WINDOW_START, link="", link_field="custbody_shop_ref")])
    assert "custbody_shop_ref" in store.schema.columns("transaction")
    assert rows(store, "SELECT t.custbody_shop_ref FROM transaction t") == [(None,)]
    store.add_body_field("custbody_other")
    assert rows(store, "SELECT t.custbody_other FROM transaction t") == [(None,)]
    with pytest.raises(ValueError, match="custbody_"):
        store.add_body_field("entity; DROP TABLE transaction")


def test_updates_validate_before_writing(make_order):
    store = SalesOrderStore()
    store.load_sales_orders([make_order(1, "B", WINDOW_START, shipped=(0,))])
    version = store.version
    with pytest.raises(ValueError, match="A..H"):
        store.update_sales_order(1, status="X")
    with pytest.raises(KeyError):
        store.update_sales_order(2, status="C")
    with pytest.raises(ValueError, match="cannot ship 3"):
        store.update_sales_order(1, status="C", quantity_shipped={1: 3})
    assert store.version == version
    assert rows(store, "SELECT t.status FROM transaction t") == [("B",)]
    store.update_sales_order(1, status="H", last_modified="2026-01-15 10:00:00", quantity_shipped={1: 2})
    assert rows(store, "SELECT t.status, TO_CHAR(t.lastmodifieddate, 'HH24:MI') FROM transaction t") == [("H", "10:00")]
    assert rows(store, "SELECT tl.quantityshiprecv FROM transactionline tl WHERE tl.id = 1") == [(-2,)]


@pytest.mark.parametrize(
    ("text", "model", "expected"),
    [
        ("2026-01-15 13:04:05", "YYYY-MM-DD HH24:MI:SS", "2026-01-15 13:04:05"),
        ("2026/1/5", "YYYY-MM-DD", "2026-01-05 00:00:00"),  # punctuation need not match, zeros may be dropped
        ("2026-01-15", "YYYY-MM-DD HH24:MI:SS", "2026-01-15 00:00:00"),  # trailing elements may be missing
        ("01/15/2026 01:30 PM", "MM/DD/YYYY HH12:MI AM", "2026-01-15 13:30:00"),
        ("12/31/2025 12:00 AM", "mm/dd/yyyy hh:mi pm", "2025-12-31 00:00:00"),
        ("2026-01-15T08:00:00", 'YYYY-MM-DD"T"HH24:MI:SS', "2026-01-15 08:00:00"),
    ],
)
def test_oracle_date_parsing(text, model, expected):
    assert oracle_dates.parse(text, model) == expected


@pytest.mark.parametrize(
    ("text", "model", "error"),
    [
        ("2026-02-30", "YYYY-MM-DD", "ORA-01847"),
        ("2026-01-15 25:00:00", "YYYY-MM-DD HH24:MI:SS", "ORA-01847"),
        ("2026-01-15 extra", "YYYY-MM-DD", "ORA-01830"),
        ("2026-01-15", "YYYY-MON-DD", "ORA-01821"),
        ("2026-01-15", "YYYY-MM-DD-MM", "ORA-01810"),
        ("15/01/2026 13:00 XM", "DD/MM/YYYY HH:MI AM", "ORA-01855"),
    ],
)
def test_oracle_date_parsing_errors(text, model, error):
    with pytest.raises(oracle_dates.DateFormatError, match=error):
        oracle_dates.parse(text, model)


def test_oracle_date_formatting():
    assert oracle_dates.to_char("2026-01-05 00:07:09", "YYYY-MM-DD HH24:MI:SS") == "2026-01-05 00:07:09"
    assert oracle_dates.to_char("2026-01-05 00:07:09", "DD.MM.YYYY HH12:MI PM") == "05.01.2026 12:07 AM"
    assert oracle_dates.to_char("2026-01-05 15:07:09", 'YYYY"T"HH24') == "2026T15"
    assert oracle_dates.user_date("2026-01-05 15:07:09") == "1/5/2026"
    assert oracle_dates.parse_user_date("12/31/2025") == "2025-12-31 00:00:00"


# --- the DAG query against a plain-Python reading of "canceled" ---------------------------------------

_orders = st.lists(
    st.tuples(
        st.sampled_from("ABCDEFGH"),
        st.integers(min_value=-120, max_value=1200),  # seconds from the window start
        st.lists(st.tuples(st.integers(1, 3), st.integers(0, 3)), max_size=3),  # (ordered, shipped) per line
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(orders=_orders, window_minutes=st.integers(min_value=1, max_value=20))
def test_the_dag_query_matches_the_definition_of_canceled(dag_query, orders, window_minutes):
    records = [
        SalesOrder(
            id=index + 1,
            tranid=f"SO{index + 1}",
            status=status,
            last_modified=WINDOW_START + timedelta(seconds=offset),
            trandate=date(2026, 1, 15),
            fields={"custbody_fa_channel_order": str(index)},
            lines=[
                SalesOrderLine(n, "SKU", ordered, min(shipped, ordered))
                for n, (ordered, shipped) in enumerate(lines, 1)
            ],
        )
        for index, (status, offset, lines) in enumerate(orders)
    ]
    store = SalesOrderStore()
    store.load_sales_orders(records)
    window_end = WINDOW_START + timedelta(minutes=window_minutes)
    query = dag_query.replace("2026-01-15 00:15:00", window_end.strftime("%Y-%m-%d %H:%M:%S"))
    expected = [
        record.id
        for record in records
        if WINDOW_START <= record.last_modified < window_end
        and (
            record.status == "C" or (record.status == "H" and all(line.quantity_shipped == 0 for line in record.lines))
        )
    ]
    assert [row[0] for row in rows(store, query)] == expected


_models = st.lists(
    st.sampled_from(["YYYY", "MM", "DD", "HH24", "HH12", "HH", "MI", "SS", "AM", "-", "/", ":", " ", '"T"']),
    min_size=1,
    max_size=8,
    unique=True,
).map("".join)


@settings(max_examples=80, deadline=None)
@given(moment=st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2999, 12, 31)), model=_models)
def test_dates_rendered_in_sql_match_the_python_reference(moment, model):
    try:
        oracle_dates.compile_format(model)
    except oracle_dates.DateFormatError:
        return  # e.g. HH and HH12 together: refused before any SQL is built
    store = SalesOrderStore()
    store.load_sales_orders([SalesOrder(1, "SO1", "C", moment, moment.date())])
    canonical = oracle_dates.canonical(moment)
    query = f"SELECT TO_CHAR(t.lastmodifieddate, '{model}'), TO_CHAR(t.lastmodifieddate) FROM transaction t"
    [(rendered, user)] = rows(store, query)
    assert (rendered, user) == (oracle_dates.to_char(canonical, model), oracle_dates.user_date(canonical))


@pytest.mark.parametrize(
    ("model", "sql"),
    [
        ("YYYY-MM-DD HH24:MI:SS", "SUBSTR(d, 1, 19)"),  # the DAG's: one substr per row, not six and five literals
        ("YYYY-MM-DD", "SUBSTR(d, 1, 10)"),
        ("MI:SS", "SUBSTR(d, 15, 5)"),
        ("MM-DD", "SUBSTR(d, 6, 5)"),
        ("DD-MM", "CASE WHEN d IS NULL THEN NULL ELSE SUBSTR(d, 9, 2) || '-' || SUBSTR(d, 6, 2) END"),
        ("YYYY/MM", "CASE WHEN d IS NULL THEN NULL ELSE SUBSTR(d, 1, 4) || '/' || SUBSTR(d, 6, 2) END"),
    ],
)
def test_to_char_copies_stretches_of_the_canonical_text_in_one_substr(model, sql):
    from sqlglot import exp

    from sandbox.netsuite import date_sql

    assert date_sql.to_char(exp.column("d"), model).sql("sqlite") == sql


@pytest.mark.parametrize("model", ["YYYY-MM-DD HH24:MI:SS", "YYYY-MM-DD", "MI:SS", "DD-MM", "HH24:MI:SS AM", "SS"])
def test_to_char_in_sql_matches_the_reference_and_keeps_null(model):
    store = SalesOrderStore()
    moment = datetime(2026, 1, 5, 15, 7, 9)
    store.load_sales_orders([SalesOrder(1, "SO1", "C", moment, moment.date())])
    query = f"SELECT TO_CHAR(t.lastmodifieddate, '{model}'), TO_CHAR(t.trandate, '{model}') FROM transaction t"
    assert rows(store, query)[0][0] == oracle_dates.to_char(oracle_dates.canonical(moment), model)
    store.load_sales_orders([SalesOrder(1, "SO1", "C", moment, None)])
    assert rows(store, query)[0][1] is None


# --- results kept in the store (StoredRows) -----------------------------------------------------------


def temp_tables(store: SalesOrderStore) -> int:
    return store._connection.execute("SELECT COUNT(*) FROM sqlite_temp_master WHERE type = 'table'").fetchone()[0]


def test_a_kept_result_reads_like_a_list_and_keeps_values_as_they_are():
    store = SalesOrderStore()
    at = datetime(2026, 1, 15)
    store.load_sales_orders(
        [SalesOrder(n, f"00{n}", "C", at, at.date(), total="2.50", fields={"custbody_x": "0042"}) for n in range(1, 8)]
    )
    outcome = SuiteQLExecutor(store).run(
        "SELECT t.id, t.tranid, t.custbody_x, t.foreigntotal FROM transaction t ORDER BY t.id DESC"
    )
    rows = outcome.rows
    assert (len(rows), outcome.total) == (7, 7)
    assert rows[0][:4] == (7, "007", "0042", 2.5)  # text that looks like a number stays text
    assert rows[-1][0] == 1 and [row[0] for row in rows[2:4]] == [5, 4] and rows[5:99] == rows[5:]
    assert [row[0] for row in rows] == [7, 6, 5, 4, 3, 2, 1]
    with pytest.raises(IndexError):
        rows[7]


def test_a_query_asked_for_at_once_is_run_once_and_old_results_are_dropped(monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    store = SalesOrderStore()
    store.load_sales_orders([SalesOrder(1, "SO1", "C", WINDOW_START, WINDOW_START.date())])
    executor = SuiteQLExecutor(store, cached_results=3)
    runs, keep = [], store.keep_result
    gate = threading.Event()

    def slow_keep(*args):
        runs.append(args[0])
        gate.wait(1)
        return keep(*args)

    monkeypatch.setattr(store, "keep_result", slow_keep)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(executor.run, "SELECT t.id FROM transaction t") for _ in range(4)]
        gate.set()
        outcomes = [future.result() for future in futures]
    assert len(runs) == 1 and all(outcome is outcomes[0] for outcome in outcomes)
    for n in range(5):
        executor.run(f"SELECT t.id + {n} FROM transaction t")
    assert temp_tables(store) == 3  # the cache's three, the others dropped
    with pytest.raises(QueryFailed):
        outcomes[0].rows[0]  # dropped long ago: the sandbox runs the query again (app._suiteql)
