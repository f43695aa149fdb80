"""Cancel Shopify orders whose NetSuite sales orders were canceled.

Plain Python, testable without a scheduler; the DAG file only wires these steps.
"""
