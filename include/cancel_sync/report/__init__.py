"""Each run's report: the summary, the per-order rows, and the HTML, CSV and JSON files."""
