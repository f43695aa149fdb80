"""A local stand-in for Shopify's Admin GraphQL API: orders, orderCancel, cost and throttling.

Start it with `SandboxServer(ShopifyApp(access_token="..."))`; see app.py for the HTTP surface
and control.py for the `/_sandbox/...` endpoints tests use to inspect and steer it.
"""

from sandbox.shopify.app import ShopifyApp

__all__ = ["ShopifyApp"]
