"""Python's cyclic garbage collector paused around bulk work.

Bulk work (an import batch, an audience of 100,000 people) makes hundreds of thousands of
fresh containers, so the collector runs every few hundred allocations and walks them all,
and now and then everything the process holds. Work that makes no reference cycles of its
own loses nothing by pausing it: reference counting frees what it made, and whatever else
accumulates is collected once the collector is back on. The measurements are beside each
caller.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    if not gc.isenabled():  # already paused by a caller: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
