"""Deterministic fault injection shared by both sandboxes.

A rule fires on the Nth matching request or with a probability. The draw for a
given rule and request ordinal is a pure function of (seed, rule, ordinal), so a
run replays identically whatever the thread interleaving of other requests.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

FAULT_KINDS = (
    "http_500",  # server error with the system's error body
    "http_502",
    "http_503",
    "http_429",  # rate limited at HTTP level
    "http_401",  # the credentials refused (revoked token, app uninstalled): the system's 401
    "throttled",  # Shopify: HTTP 200 with a THROTTLED GraphQL error; NetSuite: same as http_429
    "slow",  # reply normally after `delay` seconds (client timeouts)
    "drop",  # close the connection without replying
    "truncate",  # send half of the JSON body, then close
    # Shopify only: run the request, then answer HTTP 200 with a GraphQL INTERNAL_SERVER_ERROR and no data (the
    # error shape of shopify.dev/changelog/improved-graphql-errors; no page says whether a mutation ran before
    # such an error, so the sandbox takes the reading that matters: it did).
    "internal_error",
)


@dataclass(frozen=True)
class FaultRule:
    kind: str
    probability: float = 0.0
    nth: tuple[int, ...] = ()  # 1-based ordinals among requests this rule matches
    path_contains: str = ""
    body_contains: str = ""  # e.g. "orderCancel" to hit only cancel mutations
    delay: float = 2.0  # for "slow"

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"fault probability must be within 0..1, got {self.probability}")

    def matches(self, path: str, body: bytes) -> bool:
        if self.path_contains and self.path_contains not in path:
            return False
        return not (self.body_contains and self.body_contains.encode() not in body)

    @classmethod
    def from_dict(cls, data: dict) -> FaultRule:
        data = dict(data)
        if "nth" in data:
            nth = data["nth"]
            data["nth"] = tuple(nth) if isinstance(nth, list | tuple) else (int(nth),)
        return cls(**data)


@dataclass
class InjectedFault:
    kind: str
    rule_index: int
    ordinal: int
    path: str


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = [0] * len(self.rules)
        self.injected: list[InjectedFault] = []

    def pick(self, path: str, body: bytes) -> FaultRule | None:
        """Return the fault to inject for this request, if any (first firing rule wins)."""
        with self._lock:
            chosen = None
            for index, rule in enumerate(self.rules):
                if not rule.matches(path, body):
                    continue
                self._counts[index] += 1
                ordinal = self._counts[index]
                if chosen is None and self._fires(index, rule, ordinal):
                    chosen = rule
                    self.injected.append(InjectedFault(rule.kind, index, ordinal, path))
            return chosen

    def _fires(self, index: int, rule: FaultRule, ordinal: int) -> bool:
        if ordinal in rule.nth:
            return True
        if rule.probability <= 0.0:
            return False
        return random.Random(f"{self.seed}:{index}:{ordinal}").random() < rule.probability

    def replace(self, rules: list[FaultRule], seed: int | None = None) -> None:
        with self._lock:
            self.rules = list(rules)
            if seed is not None:
                self.seed = seed
            self._counts = [0] * len(self.rules)
            self.injected = []

    def summary(self) -> dict:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [rule.__dict__ | {"nth": list(rule.nth)} for rule in self.rules],
                "injected": [fault.__dict__ for fault in self.injected],
            }
