"""One try of the cancel task as a process of its own, the way Airflow runs a task process (for kill tests).

    python tests/cancel_sync/cancel_step_script.py '<run json>' decisions.json LEDGER_URL TRY CONFIRM_TIMEOUT

The decisions (the compare step's XCom) come from the file; the Shopify connection from an
AIRFLOW_CONN_* variables (NetSuite too: the re-check reads every order linking a Shopify order). Prints the outcomes as JSON on its last line.
"""

import json
import sys
from pathlib import Path

from include.cancel_sync import tasks
from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.shopify.hook import ShopifyHook


def main() -> None:
    run, decisions_file = json.loads(sys.argv[1]), Path(sys.argv[2])
    ledger_url, try_number, confirm_timeout = sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    key = RunKey(SYNC_DAG_ID, "kill-test", try_number, 0)
    decisions = json.loads(decisions_file.read_text())
    try:
        outcomes = tasks.cancel(
            ShopifyHook().get_client(),
            NetSuiteHook().get_client(),
            run,
            decisions,
            concurrency=1,
            confirm_timeout=confirm_timeout,
            ledger=Ledger(ledger_url),
            run_key=key,
        )
    except tasks.BatchFailed as failed:
        outcomes = failed.outcomes
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
