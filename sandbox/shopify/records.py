"""What the sandbox saw and did, kept for tests: cancel calls, money movements, request stats."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CancelCall:
    """One orderCancel mutation, accepted or not, exactly as the client sent it."""

    sequence: int  # 1-based, in arrival order
    order_id: Any  # the orderId argument as received (normally a GID string)
    arguments: dict[str, Any]  # only the arguments the client supplied, after variable substitution
    received_at: str  # ISO 8601 UTC
    accepted: bool
    user_errors: list[dict[str, Any]]  # [{"field": [...], "message": ..., "code": ...}]
    job_id: str | None
    # Effective values after schema defaults, so tests need not re-derive them:
    notify_customer: bool
    restock: bool
    staff_note: str | None
    refund_requested: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MoneyMovement:
    """A refund or void the sandbox performed when a cancel job completed."""

    order_id: str  # GID
    kind: str  # "refund" (original payment methods), "store_credit", or "void" (authorization released)
    amount: str  # plain decimal, two places, e.g. "25.00"
    currency: str
    job_id: str
    performed_at: str  # ISO 8601 UTC

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Stats:
    """Counters over GraphQL requests (control endpoints are not counted)."""

    requests: int = 0
    unauthorized: int = 0
    invalid_documents: int = 0  # parse, validation and variable errors
    max_cost_exceeded: int = 0
    throttled: int = 0  # bucket refusals; injected "throttled" faults are in app.faults.injected
    executed: int = 0
    internal_errors: int = 0  # sandbox bugs answered with HTTP 500; should stay 0
    points_requested: int = 0  # over executed requests
    points_spent: int = 0  # actual cost over executed requests
    operations: Counter = field(default_factory=Counter)  # "query"/"mutation" → count
    root_fields: Counter = field(default_factory=Counter)  # e.g. "nodes", "orderCancel" → count

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Any:
        """`app.stats["throttled"]`, like the NetSuite sandbox's dict of stats."""
        return self.to_dict()[name]

    def bump(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def count_operation(self, operation: str, root_fields: list[str]) -> None:
        with self._lock:
            self.operations[operation] += 1
            self.root_fields.update(root_fields)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            data = {name: value for name, value in vars(self).items() if not name.startswith("_")}
            data["operations"] = dict(self.operations)
            data["root_fields"] = dict(self.root_fields)
            return data
