"""The run's orders as CSV, for spreadsheets and scripts."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from include.cancel_sync.report.rows import OrderRow

COLUMNS = (
    "store",
    "netsuite_tranid",
    "netsuite_internal_id",
    "shopify_order",
    "shopify_gid",
    "decision",
    "refund",
    "outcome",
    "reason",
    "netsuite_url",
    "shopify_url",
    "caught_by_sweep",
)
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(out: TextIO, rows: Iterable[OrderRow]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.store,
                spreadsheet_safe(row.tranid),
                row.netsuite_id,
                spreadsheet_safe(row.shopify_order),
                spreadsheet_safe(row.shopify_gid),
                row.decision,
                "yes" if row.refund else "no",
                row.outcome,
                spreadsheet_safe(row.reason),
                row.netsuite_url or "",
                row.shopify_url or "",
                spreadsheet_safe(row.caught),
            ]
        )
