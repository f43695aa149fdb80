"""Run the sync's steps as separate processes, the way Airflow task processes would (for kill tests).

    python tests/cancel_sync/sync_steps_script.py plan '<run json>' decisions.json
    python tests/cancel_sync/sync_steps_script.py cancel '<run json>' decisions.json LEDGER_URL TRY

`plan` is extract + compare (their XCom is the file); `cancel` is one try of the cancel
task over those decisions. Connections come from AIRFLOW_CONN_* variables; `cancel`
prints the outcomes as JSON on its last line.
"""

import json
import sys
from pathlib import Path

from include.cancel_sync import tasks
from include.cancel_sync.constants import SYNC_DAG_ID
from include.cancel_sync.ledger import Ledger, RunKey
from include.cancel_sync.netsuite.hook import NetSuiteHook
from include.cancel_sync.shopify.hook import ShopifyHook
from include.cancel_sync.xcom_table import as_records


def main() -> None:
    step, run, decisions_file = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    shopify, netsuite = ShopifyHook().get_client(), NetSuiteHook().get_client()
    if step == "plan":
        batches = tasks.extract(netsuite, run)
        decisions = [d for batch in batches for d in as_records(tasks.compare(shopify, netsuite, run, batch))]
        decisions_file.write_text(json.dumps(decisions))
    else:
        ledger_url, try_number = sys.argv[4], int(sys.argv[5])
        key = RunKey(SYNC_DAG_ID, "kill-test", try_number, 0)
        decisions = json.loads(decisions_file.read_text())
        try:
            outcomes = tasks.cancel(
                shopify,
                netsuite,
                run,
                decisions,
                ledger=Ledger(ledger_url),
                run_key=key,
                concurrency=1,
                confirm_timeout=10,
            )
        except tasks.BatchFailed as failed:
            outcomes = failed.outcomes
        print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
