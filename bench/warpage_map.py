"""Warpage benchmark: a 400 x 400 map and a 50-temperature reflow profile.

Uses the realistic SiP of ``bench/sip_design.py`` (15 mm, six-layer build-up substrate
with routed copper, flip-chip and wire-bonded dies, mold cap), lowered once to the solid
model; the timings below are sipkit.warpage's own work on it:

* ``stack``   sampling the stacks per tile (copper coverage of every layer on the grid);
* ``map``     ``estimate(model, temperature=25, grid=N)``: stacks, plate solves across the
              Tg's between the stress-free temperature and 25 °C, metrics;
* ``profile`` ``estimate(model, profile="reflow-jedec-pbfree", grid=N)``: 50 temperatures
              25 -> 260 -> 25 °C, one plate solve per Tg interval.

Compilation (numba, cached on disk) is triggered first on a small grid and timed apart.
Peak memory is the largest traced Python/numpy allocation during each run (tracemalloc),
and the process's maximum resident set size at the end.

    python bench/warpage_map.py [--grid 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed(fn, repeat):
    best, out = float("inf"), None
    peak = 0
    for _ in range(repeat):
        tracemalloc.start()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return best, peak, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from sip_design import write_design

    from sipkit.io import load
    from sipkit.solid import from_package
    from sipkit.warpage import build_stack, estimate

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sip.yaml"
        write_design(path)
        pkg = load(path)
    t = time.perf_counter()
    model = from_package(pkg)
    lower = time.perf_counter() - t
    t = time.perf_counter()
    estimate(model, profile=[25, 260], grid=16)
    compile_s = time.perf_counter() - t
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    print(f"lowering to the solid model (not warpage's): {lower:.2f} s; first call (compilation): "
          f"{compile_s:.2f} s")
    for grid in sorted({100, args.grid}):
        s, mem_s, stack = timed(lambda g=grid: build_stack(model, g), args.repeat)
        m, mem_m, r = timed(lambda g=grid: estimate(model, temperature=25, grid=g), args.repeat)
        p, mem_p, rp = timed(lambda g=grid: estimate(model, profile="reflow-jedec-pbfree", grid=g),
                             args.repeat)
        ny, nx = stack.shape
        print(f"grid {nx} x {ny} ({stack.owner.shape[0]} slabs):")
        print(f"  stack    {s:6.3f} s   peak {mem_s / 2**20:7.1f} MiB")
        print(f"  map      {m:6.3f} s   peak {mem_m / 2**20:7.1f} MiB   ({r.info['plate_solves']} solves, "
              f"iterations {r.info['iterations']}, warpage {r.signed:+.2f} µm {r.shape})")
        print(f"  profile  {p:6.3f} s   peak {mem_p / 2**20:7.1f} MiB   ({rp.profile.temperatures.size} "
              f"temperatures, {rp.info['plate_solves']} solves, iterations {rp.info['iterations']})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident set size {rss:.0f} MiB; load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
