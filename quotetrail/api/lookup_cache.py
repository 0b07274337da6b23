"""Lookup answers kept per process, valid only while the database has not changed at all.

Fact-checkers paste the same viral sentence again and again; its answer only changes when an
article is ingested. Each lookup first reads the database's change marker
(db.lookups.ChangeMarker: PostgreSQL's snapshot, SQLite's data_version on a connection that
never writes), and an answer is reused only under the same marker. Any write anywhere moves it,
which only costs a recomputation.

`clear` drops every answer (this process's writes call it after their commit, although the
marker moves for them too); an answer computed from a read begun before the latest drop is not
stored (the epoch check), so a lookup racing an ingestion cannot put a stale answer back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

# Per worker process; a lookup answer is a few kilobytes.
MAX_BYTES = 32 * 1024 * 1024


class LookupCache:
    """Answers (JSON bytes) by (database version, text, limit), least recently used dropped."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._entries: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._epoch = 0
        self._lock = threading.Lock()

    @property
    def epoch(self) -> int:
        """Increases at every drop; pass the value read before computing to `put`."""
        return self._epoch

    def get(self, key: tuple[str, str, int]) -> bytes | None:
        """The stored answer, if any."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, str, int], value: bytes, epoch: int) -> None:
        """Store an answer computed after reading `epoch`, unless answers were dropped since."""
        if len(value) > self._max_bytes // 16:
            return  # one huge answer must not push out hundreds of ordinary ones
        with self._lock:
            if epoch != self._epoch or key in self._entries:
                return
            self._entries[key] = value
            self._bytes += len(value)
            while self._bytes > self._max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        """Drop every answer (after this process wrote to the database)."""
        with self._lock:
            self._clear_locked()

    def _clear_locked(self) -> None:
        self._entries.clear()
        self._bytes = 0
        self._epoch += 1

    def __len__(self) -> int:
        return len(self._entries)
