"""Errors the sync raises; messages never carry secrets."""


class SyncError(RuntimeError):
    """The run cannot go on; the message says what to fix."""


class NetSuiteError(SyncError):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"NetSuite answered HTTP {status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class ShopifyError(SyncError):
    """Shopify answered with errors that retrying will not fix."""


class TransientError(Exception):
    """Worth retrying: rate limits, 5xx, dropped connections, truncated replies."""

    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait  # seconds the server asked us to wait, if it said


class AmbiguousMutationError(SyncError):
    """A mutation may or may not have been applied (the reply was lost): re-read before acting again."""
