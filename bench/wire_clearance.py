"""Wire-to-wire 3-D clearance and crossings on thousands of bond wires.

Builds N wire loops fanning out from the four edges of dies in a grid (seeded; fans of
neighbouring dies overlap, so there are many crossings to find), then times
``sipkit.interconnect.wire_clearance`` after one call that compiles the kernels.

    python bench/wire_clearance.py [N]
"""

import statistics
import sys
import time

import numpy as np

from sipkit.interconnect import loop_points, wire_clearance


def wires(n: int, seed: int = 7) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    per_die = 400
    for k in range(0, n, per_die):
        cx, cy = 6000.0 * (k // per_die % 5), 6000.0 * (k // per_die // 5)
        for i in range(min(per_die, n - k)):
            side, j = divmod(i, per_die // 4)
            t = -2400 + 4800 * (j + 0.5) / (per_die // 4)
            pad = [(t, -2450), (2450, t), (t, 2450), (-2450, t)][side]
            finger = [(1.25 * t, -3300), (3300, 1.25 * t), (1.25 * t, 3300), (-3300, 1.25 * t)][side]
            first = (cx + pad[0], cy + pad[1], 500.0)
            second = (cx + finger[0] + rng.normal(0, 5), cy + finger[1] + rng.normal(0, 5), 300.0)
            out.append(loop_points(first, second, 150.0 + rng.uniform(0, 60), diameter=20.0))
    return out


def main(n: int = 5000) -> None:
    paths = wires(n)
    points = sum(len(p) for p in paths)
    wire_clearance(paths[:50], 100.0)  # compile (cached after the first run ever)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = wire_clearance(paths, 100.0)
        times.append(time.perf_counter() - t)
    print(f"{n} wires, {points} points: wire_clearance(max_distance=100 µm) median "
          f"{statistics.median(times) * 1e3:.0f} ms over 3 runs; {len(result.crossings())} crossings")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
