"""Shopify: the Admin GraphQL client, its hook, cost pacing, order reads and cancel requests."""
