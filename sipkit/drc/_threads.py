"""Running a nogil numba kernel over chunks of a range on a few threads.

numba's ``parallel=True`` compiles slowly; the hot loops that parallelise trivially
(independent cells or slabs) are plain ``nogil`` kernels over an index range instead,
run here on a thread pool sized like numba's.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba


def threads() -> int:
    """Threads to use (numba's setting, ``NUMBA_NUM_THREADS``)."""
    return max(1, numba.get_num_threads())


def run_chunks(fn, n: int, per_thread: int = 8) -> list:
    """Call ``fn(lo, hi)`` over chunks covering ``range(n)``; results in chunk order."""
    t = threads()
    if n <= 0:
        return []
    k = min(n, t * per_thread) if t > 1 else 1
    bounds = [n * i // k for i in range(k + 1)]
    if t == 1 or k == 1:
        return [fn(bounds[i], bounds[i + 1]) for i in range(k)]
    with ThreadPoolExecutor(t) as pool:
        return list(pool.map(lambda i: fn(bounds[i], bounds[i + 1]), range(k)))
