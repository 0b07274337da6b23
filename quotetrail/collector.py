"""How often the cyclic garbage collector runs during long work: an ingest stream, a server.

Python collects its youngest generation whenever 700 more container objects (tuples, lists,
dicts...) have been made than freed, and its older generations every tenth collection of the one
below. Lookups and ingested articles make and free such objects by the thousand (rows,
candidates, analyses), so with the default the collector ran all the time: in an ingest stream's
writer every 4 articles, in a server's worker 220-240 times in 30 seconds of load. Reference
counting frees almost every object at once anyway; what waits for a collection (objects in
reference cycles) stays under the threshold's number of objects. Measured with gc.callbacks,
the CPU time of the collecting thread (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# An ingest stream: only throughput counts (a collection of this many young objects pauses the
# writer for tens of milliseconds, which only delays its batch). Its writer's collections took
# 0.39-0.51 ms of CPU an article with the default (5% of its work), 0.05 with this (1,000
# articles at 10k quotes).
STREAM_YOUNG_OBJECTS = 50_000
# A serving process: a collection holds the interpreter while the worker's other requests wait.
# Under benchmarks.http_lookup (1M quotes on PostgreSQL, 2 workers, 2 x 15 s), a worker's
# collections took 14-15% of its CPU with the default (220-240 collections, a young one 26 ms
# long at the median); with this, 1.8-1.9% (10 collections, 43 ms at the median); with 50,000,
# 0.8% (2 collections of 150 ms: too long a wait for the requests behind them).
SERVING_YOUNG_OBJECTS = 10_000


@contextmanager
def collect_young_every(objects: int) -> Iterator[None]:
    """Collect the youngest generation every `objects` objects until the block ends."""
    threshold = gc.get_threshold()
    gc.set_threshold(objects, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
