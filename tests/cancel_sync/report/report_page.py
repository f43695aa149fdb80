"""Read a saved HTML report back as a person sees it: banners, headline numbers, chart bars, table rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class ReportPage:
    banners: list[tuple[str, str]] = field(default_factory=list)  # (id, text) in page order
    headline: dict[str, int] = field(default_factory=dict)  # data-count → number
    bars: dict[str, int] = field(default_factory=dict)  # the run's chart: bucket → count
    store_bars: dict[str, dict[str, int]] = field(default_factory=dict)  # a store section's chart: store → its bars
    stores: dict[str, dict[str, int]] = field(default_factory=dict)  # the stores table: store → data-count → number
    rows: list[list[str]] = field(default_factory=list)  # per orders-table cell: its code (data-code), else its text
    texts: list[list[str]] = field(default_factory=list)  # per cell: the text a person reads
    links: list[list[str | None]] = field(default_factory=list)  # per row: href of each cell (None: no link)
    first_body_element: str = ""  # id or tag of the first thing in <body>
    scripts: int = 0


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ReportPage()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] | None = None
        self.href: str | None = None
        self.in_body = False
        self.in_orders = False
        self.row: list[str] | None = None
        self.row_texts: list[str] = []
        self.code: str | None = None
        self.row_links: list[str | None] = []
        self.capture: tuple[str, str] | None = None  # (kind, key) being read
        self.chart: dict[str, int] | None = None  # the bars of the chart being read
        self.store_row: str | None = None  # the stores table's row being read

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.page.scripts += 1
        if tag == "body":
            self.in_body = True
        elif self.in_body and not self.page.first_body_element:
            self.page.first_body_element = a.get("id") or tag
        if tag == "div" and "banner" in (a.get("class") or ""):
            self.capture, self.text = ("banner", a.get("id") or ""), []
        if tag == "span" and a.get("data-count"):
            self.capture, self.text = ("count", a["data-count"]), []
        if tag == "svg":
            chart_id = a.get("id") or ""
            if chart_id == "outcome-chart":
                self.chart = self.page.bars
            elif chart_id.startswith("outcome-chart-"):
                self.chart = self.page.store_bars.setdefault(chart_id.removeprefix("outcome-chart-"), {})
        if tag == "tr" and a.get("data-store") is not None and not self.in_orders:
            self.store_row = a["data-store"]
        if tag == "td" and self.store_row is not None and a.get("data-count"):
            self.capture, self.text = ("store_count", a["data-count"]), []
        if tag == "g" and a.get("data-bucket"):
            self.capture, self.text = ("bar", a["data-bucket"]), []
        if tag == "table" and a.get("id") == "orders":
            self.in_orders = True
        if self.in_orders and tag == "tr":
            self.row, self.row_links, self.row_texts = [], [], []
        if self.row is not None and tag == "td":
            self.text, self.href, self.code = [], None, a.get("data-code")
        if tag == "a" and self.row is not None:
            self.href = a.get("href")

    def handle_endtag(self, tag):
        if tag == "tr":
            self.store_row = None
        if self.capture and self.capture[0] == "store_count" and tag == "td":
            text = "".join(self.text or []).strip()
            self.page.stores.setdefault(self.store_row or "", {})[self.capture[1]] = int(text)
            self.capture, self.text = None, None
        if self.capture and tag in ("div", "span", "g"):
            kind, key = self.capture
            text = " ".join("".join(self.text or []).split())
            if kind == "banner" and tag == "div":
                self.page.banners.append((key, text))
            elif kind == "count" and tag == "span":
                self.page.headline[key] = int(text)
            elif kind == "bar" and tag == "g":
                (self.chart if self.chart is not None else self.page.bars)[key] = int(text.split()[-1])
            else:
                return
            self.capture, self.text = None, None
        if self.row is not None and tag == "td":
            text = "".join(self.text or []).strip()
            self.row.append(text if self.code is None else self.code)
            self.row_texts.append(text)
            self.row_links.append(self.href)
            self.text = None
        if self.row is not None and tag == "tr":
            if self.row:
                self.page.rows.append(self.row)
                self.page.texts.append(self.row_texts)
                self.page.links.append(self.row_links)
            self.row = None
        if tag == "table":
            self.in_orders = False

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def read_report_page(html: str) -> ReportPage:
    reader = _Reader()
    reader.feed(html)
    return reader.page
