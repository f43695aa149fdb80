"""The run's reconciliation report as one self-contained HTML page (inline CSS and SVG, no script).

Every value goes through Jinja's autoescaping: tranids and reasons are data from NetSuite and
Shopify and may hold markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from include.cancel_sync.labels import STOPPED_RUN_NEXT_STEP
from include.cancel_sync.report.rows import OrderRow, RowTally, bucket_counts

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTML_ROWS = 20_000  # beyond this a browser struggles; the CSV keeps every order

_COLORS = {
    "cancelled_with_refund": "#2f855a",
    "cancelled_without_refund": "#48bb78",
    "cancelled_with_other_order": "#68d391",
    "would_cancel": "#3182ce",
    "cancelling_in_other_run": "#90cdf4",
    "already_cancelled": "#a0aec0",
    "cannot_cancel": "#dd6b20",
    "not_found": "#d69e2e",
    "invalid_link": "#b7791f",
    "linked_to_open_order": "#c05621",
    "billed_in_netsuite": "#975a16",
    "several_stores": "#9c4221",
    "failed": "#c53030",
    "no_store": "#cbd5e0",
}


@cache
def template_environment(*extra_folders: Path) -> jinja2.Environment:
    folders = [*map(str, extra_folders), str(TEMPLATES)]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders), autoescape=True, undefined=jinja2.StrictUndefined
    )


def plan_notice(settings: dict[str, Any]) -> str | None:
    """Why nothing was changed, when nothing could be: a dry run or the cancel toggle off (no settings: the run
    stopped before reading them, which the page says instead)."""
    if not settings:
        return None
    if settings.get("dry_run"):
        return "This was a dry run (param dry_run)."
    if not settings.get("cancel_enabled"):
        return "The cancel sync is off (Variable netsuite_shopify_cancel_enabled)."
    return None


def outcome_chart(
    tally: RowTally, width: int = 720, label_width: int = 270, bar_height: int = 24, only_present: bool = False
) -> dict:
    counts = bucket_counts(tally.buckets)
    if only_present:  # a store's chart: its outcomes only
        counts = [entry for entry in counts if entry[2]]
    room = width - label_width - 60  # space for the count after the longest bar
    most = max((count for _, _, count in counts), default=0) or 1
    bars = [
        {
            "key": key,
            "label": label,
            "count": count,
            "y": index * bar_height,
            "width": round(room * count / most) if count else 0,
            "color": _COLORS.get(key, "#718096"),
        }
        for index, (key, label, count) in enumerate(counts)
    ]
    return {"width": width, "height": len(bars) * bar_height + 4, "label_width": label_width, "bars": bars}


def store_sections(report: dict[str, Any], tally: RowTally) -> list[dict[str, Any]]:
    """A section per store when the run had several (or one failed): its counts and its own chart."""
    stores = report.get("stores") or {}
    if len(stores) < 2 and not report.get("failed_stores"):
        return []
    sections = []
    for name, counts in stores.items():
        store_tally = tally.by_store.get(name, RowTally())
        sections.append(
            counts
            | {
                "name": name,
                "would_cancel": store_tally.would_cancel,
                "attention": store_tally.attention,
                "chart": outcome_chart(store_tally, only_present=True),
            }
        )
    return sections


def html_chunks(
    report: dict[str, Any],
    shown: list[OrderRow],
    tally: RowTally,
    settings: dict[str, Any],
    dag_id: str,
    run_id: str,
    csv_name: str,
    generated_at: datetime | None = None,
) -> Iterator[str]:
    """The page in pieces, to be written as they come: `shown` are the table's rows (at most MAX_HTML_ROWS),
    `tally` counts every row of the run."""
    return (
        template_environment()
        .get_template("report.html.j2")
        .generate(
            report=report,
            rows=shown,
            hidden=sum(tally.buckets.values()) - len(shown),
            plan=plan_notice(settings),
            would_cancel=tally.would_cancel,
            would_refund=tally.would_refund,
            attention=tally.attention,
            chart=outcome_chart(tally),
            stores=store_sections(report, tally),
            stopped_next_step=STOPPED_RUN_NEXT_STEP,
            dag_id=dag_id,
            run_id=run_id,
            csv_name=csv_name,
            generated_at=(generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC"),
        )
    )
