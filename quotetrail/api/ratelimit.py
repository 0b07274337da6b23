"""In-process rate limits: a token bucket per client address and per API key, per class of request.

Each worker process keeps its own buckets (no shared store to run): with N workers a client gets
up to N times the limit, which is what the limits are sized for. Buckets are kept in a bounded
LRU so a flood of addresses cannot exhaust memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_BUCKETS = 50_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets: `per_minute` tokens refill evenly over a minute; bursts up to `per_minute`."""

    def __init__(
        self,
        *,
        max_buckets: int = MAX_BUCKETS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self._max_buckets = max_buckets
        self._clock = clock
        self._lock = threading.Lock()  # sync endpoints run in a thread pool

    def hit(self, kind: str, client: str, per_minute: int) -> float:
        """Take a token from the bucket (kind, client); 0.0 if allowed, else seconds to wait."""
        if per_minute <= 0:
            return 0.0
        rate = per_minute / 60.0
        now = self._clock()
        key = (kind, client)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(tokens=float(per_minute), updated=now)
                self._buckets[key] = bucket
                if len(self._buckets) > self._max_buckets:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key)
                bucket.tokens = min(
                    float(per_minute), bucket.tokens + (now - bucket.updated) * rate
                )
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The Retry-After header value (whole seconds, at least 1) for a wait."""
        return str(max(1, math.ceil(wait)))
