"""Steady thermal solve of a realistic SiP: sipkit's multigrid-preconditioned CG vs pyamg.

Both solve the same finite-volume system (sipkit's assembly of the package in bench/sip_design.py
on the JESD51-7 board in still air) to the same relative residual, 1e-6:

* sipkit: ``sipkit.thermal.solve`` end to end (lowering, grid, voxelisation, assembly,
  multigrid setup, iterations), after one warm-up run that compiles and caches the numba
  kernels (the compile time is measured separately, with an empty cache);
* pyamg: smoothed aggregation (``pyamg.smoothed_aggregation_solver``, defaults) as the
  preconditioner of pyamg's CG on the CSR matrix of the same system, setup included.

It also reports the cost of one memory-bound sweep of the stencil (a residual evaluation)
and the solve in units of it, peak memory of each solve (run in a fresh process), and
sipkit's time versus cells from 1e5 to 1e7.

Usage::

    python bench/thermal_vs_pyamg.py                  # the 2-million-cell comparison
    python bench/thermal_vs_pyamg.py --scaling        # time vs cells, sipkit only
    python bench/thermal_vs_pyamg.py --compile        # numba compile time (clears the cache)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _design(tmp: Path) -> Path:
    from sip_design import write_design

    return write_design(tmp / "bench-sip.yaml")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_sipkit(design: Path, refine: float, repeat: int = 1) -> dict:
    import numpy as np

    import sipkit
    import sipkit.thermal as th
    from sipkit.thermal import _kernels
    from sipkit.thermal.assembly import assemble, voxelize

    res = {"refine": refine}
    times = []
    phases = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        pkg = sipkit.load(design)
        result = th.solve(pkg, resolution={"refine": refine}, nonlinear=False)
        times.append(time.perf_counter() - t0)
        phases.append(result.info.times)
    res["wall_s"] = float(np.median(times))
    res["wall_runs_s"] = times
    res["cells"] = result.grid.size
    res["shape"] = list(result.grid.shape)
    res["iterations"] = result.info.iterations
    res["levels"] = result.info.levels
    res["cycle_precision"] = getattr(result.info, "precision", "float64")
    res["residual"] = result.info.residual
    res["energy_balance"] = result.info.energy_balance
    res["phases_s"] = {k: float(np.median([p[k] for p in phases])) for k in phases[0]}
    res["tj_soc_C"] = result.dies["soc"].tj_max
    # the unit: one residual evaluation of the same stencil (the solver's own kernel)
    model = result.model
    system = assemble(voxelize(model, result.grid, nonlinear=False), model)
    x = np.ascontiguousarray(result.temperature - system.t_ref)
    x[np.isnan(x)] = 0.0
    r = np.zeros_like(x)
    kern = _kernels.kernels(x.size)
    args = (x, system.b, system.gx, system.gy, system.gz, system.diag, r)
    kern["_residual"](*args)
    sweeps = []
    for _ in range(21):
        t0 = time.perf_counter()
        kern["_residual"](*args)
        sweeps.append(time.perf_counter() - t0)
    res["sweep_s"] = float(np.median(sweeps))
    solve_s = res["phases_s"]["multigrid_setup"] + res["phases_s"]["iterations"]
    res["solve_s"] = solve_s
    res["solve_in_sweeps"] = solve_s / res["sweep_s"]
    res["peak_MB"] = _peak_mb()
    return res


def run_pyamg(design: Path, refine: float, repeat: int = 1) -> dict:
    import numpy as np
    import pyamg
    import scipy.sparse as sp

    import sipkit
    import sipkit.thermal as th
    from sipkit.thermal.assembly import assemble, voxelize

    pkg = sipkit.load(design)
    model = th.prepare(pkg)
    grid = th.build_grid(model, {"refine": refine})
    system = assemble(voxelize(model, grid, nonlinear=False), model)
    active = system.vox.owner.ravel() >= 0
    idx = np.arange(system.diag.size).reshape(system.diag.shape)
    rows, cols, vals = [idx.ravel()], [idx.ravel()], [system.diag.ravel()]
    for g, lo, hi in ((system.gx, np.s_[:-1], np.s_[1:]), (system.gy, np.s_[:, :-1], np.s_[:, 1:]),
                      (system.gz, np.s_[:, :, :-1], np.s_[:, :, 1:])):
        a, b, w = idx[lo].ravel(), idx[hi].ravel(), g[lo].ravel()
        keep = w > 0
        rows += [a[keep], b[keep]]
        cols += [b[keep], a[keep]]
        vals += [-w[keep], -w[keep]]
    n = system.diag.size
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    A = A[active][:, active].tocsr()
    b = system.b.ravel()[active]
    out = {"refine": refine, "cells": int(active.sum()), "nnz": int(A.nnz)}
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ml = pyamg.smoothed_aggregation_solver(A)
        t1 = time.perf_counter()
        residuals = []
        x = ml.solve(b, tol=1e-6, accel="cg", maxiter=500, residuals=residuals)
        t2 = time.perf_counter()
        runs.append((t1 - t0, t2 - t1, t2 - t0))
    out["setup_s"], out["solve_s"], out["wall_s"] = (float(v) for v in np.median(runs, axis=0))
    out["wall_runs_s"] = [r[2] for r in runs]
    out["iterations"] = len(residuals) - 1
    out["residual"] = float(np.linalg.norm(b - A @ x) / np.linalg.norm(b))
    out["tj_soc_C"] = float(np.max(x)) + system.t_ref  # the hottest cell; for a sanity check only
    out["peak_MB"] = _peak_mb()
    return out


def _child(kind: str, design: Path, refine: float, repeat: int = 1) -> dict:
    """Run one measurement in a fresh process (clean peak memory)."""
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import thermal_vs_pyamg as b; "
            f"print(json.dumps(b.run_{kind}(b.Path({str(design)!r}), {refine}, repeat={repeat})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import numba
    import numpy
    import pyamg
    import scipy

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": numpy.__version__, "scipy": scipy.__version__, "numba": numba.__version__,
            "numba_threads": numba.get_num_threads(), "pyamg": pyamg.__version__,
            "load_average": os.getloadavg()}


def compile_time(design: Path) -> dict:
    """Seconds to compile the kernels from an empty cache, and to load them from the cache."""
    import sipkit.thermal

    cache = Path(sipkit.thermal.__file__).parent / "__pycache__"
    for f in list(cache.glob("_kernels.*.nbi")) + list(cache.glob("_kernels.*.nbc")):
        f.unlink()
    code = (f"import time, sys; sys.path.insert(0, {str(HERE)!r}); t0 = time.perf_counter(); import sipkit, "
            f"sipkit.thermal as th; th.solve(sipkit.load({str(design)!r}), resolution={{'refine': 0.5}}, "
            "nonlinear=False); print(time.perf_counter() - t0)")
    cold = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split()[-1])
    warm = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout.split()[-1])
    return {"first_run_s": cold, "cached_run_s": warm, "compile_s": cold - warm}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--refine", type=float, default=1.5,
                   help="grid refinement of the comparison (1.5: 2.27 million cells)")
    p.add_argument("--scaling", action="store_true", help="sipkit time versus cells, 1e5 to 1e7")
    p.add_argument("--compile", action="store_true", help="numba compile time (empties the kernel cache)")
    p.add_argument("--no-pyamg", action="store_true")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement; medians are reported")
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        design = _design(Path(tmp))
        report = {"machine": machine()}
        if args.compile:
            report["compile"] = compile_time(design)
            print("compile:", report["compile"], flush=True)
        if args.scaling:
            rows = []
            for refine in (0.1, 0.5, 1.0, 1.5, 2.4, 3.0):
                r = _child("sipkit", design, refine, repeat=args.repeat)
                rows.append(r)
                print(f"cells {r['cells']:>10,}  wall {r['wall_s']:7.2f} s  solve {r['solve_s']:6.2f} s  "
                      f"{r['iterations']} it  {r['solve_in_sweeps']:6.1f} sweeps  peak {r['peak_MB']:.0f} MB",
                      flush=True)
            report["scaling"] = rows
        else:
            _child("sipkit", design, 0.5)  # compile and cache
            mine = _child("sipkit", design, args.refine, repeat=args.repeat)
            report["sipkit"] = mine
            print("sipkit:", json.dumps(mine, indent=1), flush=True)
            if not args.no_pyamg:
                amg = _child("pyamg", design, args.refine, repeat=args.repeat)
                report["pyamg"] = amg
                print("pyamg:", json.dumps(amg, indent=1), flush=True)
                report["ratio_wall"] = mine["wall_s"] / amg["wall_s"]
                print(f"sipkit / pyamg wall time: {report['ratio_wall']:.3f}")
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
