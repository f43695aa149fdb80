"""The cancel sync's pages inside the Airflow UI (mounted by plugins/netsuite_shopify_cancel_sync_plugin.py)."""
