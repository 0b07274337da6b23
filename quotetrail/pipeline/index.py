"""The storage protocol the matcher needs: candidate canonical quotes by shared index keys.

The pipeline defines it; db/ implements it (a postings table that works the same on SQLite and
PostgreSQL). Keys are informative word shingles of normalised text (see pipeline.match), so a
lookup touches only the postings of those keys and never scans every stored quote.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class QuoteIndex(Protocol):
    """Finds canonical quotes that share index keys with a text."""

    def candidate_ids(self, keys: Collection[str], *, limit: int) -> list[int]:
        """Ids of canonical quotes sharing the most keys with `keys`, best first."""
        ...

    def add(self, quote_id: int, keys: Collection[str]) -> None:
        """Index a canonical quote under `keys`."""
        ...

    def remove(self, quote_id: int) -> None:
        """Drop every posting of a canonical quote (it was merged into another)."""
        ...
