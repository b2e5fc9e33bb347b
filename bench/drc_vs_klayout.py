"""Width + space on a flat substrate strip: sipkit against KLayout in the same run.

Generates a flat GDS strip of package units (two routing layers; each unit has a plane
with anti-pads stored as keyhole polygons and fractured into abutting pieces, pads in
the anti-pads, and a bundle of 25/25 µm traces with 45° jogs drawn as GDS paths of
arbitrary width, with a few deliberate violations), then times in separate processes:

* sipkit: merge of each layer + width, notch and isolated space in one pass
  (``sipkit.drc.layers.merge_rings`` + ``sipkit.drc.spacing.distance_checks``);
* KLayout: ``Region.width_check``, ``notch_check`` and ``isolated_check`` on the
  unmerged region of each layer, flat mode (KLayout merges internally, once).

Reading the file is timed apart for both.  Each figure is the median of ``--repeat``
runs; peak memory is the child process's maximum resident set size.

Usage::

    python bench/drc_vs_klayout.py --edges 1e6 --repeat 3          # the headline case
    python bench/drc_vs_klayout.py --edges 1e6 --scale 10 --repeat 1   # 10x scaling (sipkit only)
    python bench/drc_vs_klayout.py --panel --repeat 3               # 600 x 600 mm panel
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

UNIT = 1000.0  # µm, one package unit of the strip
LAYERS = {"L1": (1, 0), "L2": (2, 0)}
RULE = 25.0  # µm, width and space


# --------------------------------------------------------------------------------------
# layout generation


def _ngon(cx, cy, r, n, **kw):
    """A regular n-gon of circumradius r with flat sides facing the axes."""
    import gdstk

    a = np.pi / n + 2 * np.pi * np.arange(n) / n
    return gdstk.Polygon(np.column_stack((cx + r * np.cos(a), cy + r * np.sin(a))).round(3), **kw)


#: Perpendicular pitch of the trace bundle (25 µm lines, 26 µm spaces) and the stagger
#: of the 45° bends that keeps it along the jogs.
PITCH = 51.0
STAGGER = round(PITCH * math.sqrt(2) - PITCH, 3)


def _unit(cell, ox, oy, layer, mirror, rng):
    """One 1 x 1 mm unit of one layer at (ox, oy); clean but for a few deliberate errors."""
    import gdstk

    la, dt = LAYERS[layer]
    px0, px1 = (0.0, 500.0) if not mirror else (500.0, 1000.0)
    tx0 = 540.0 if not mirror else 40.0
    # plane with octagonal anti-pads on a 125 µm grid, 16-gon pads in half of them
    holes = []
    pads = []
    for i in range(3):
        for j in range(7):
            cx = ox + px0 + 125.0 * (i + 1)
            cy = oy + 125.0 * (j + 1)
            holes.append(_ngon(cx, cy, round(float(rng.uniform(49.5, 50.5)), 3), 8))
            if rng.random() < 0.5:
                pr = 20.0 if rng.random() > 0.002 else 22.5  # a rare pad too close to its anti-pad
                pads.append(_ngon(cx, cy, pr, 16, layer=la, datatype=dt))
    plane = gdstk.rectangle((ox + px0, oy), (ox + px1, oy + UNIT))
    keyed = gdstk.boolean(plane, holes, "not", precision=1e-3, layer=la, datatype=dt)
    mid = ox + (px0 + px1) / 2
    for lo, hi in ((ox + px0, mid), (mid, ox + px1)):  # fractured into abutting pieces
        box = gdstk.rectangle((lo, oy - 1), (hi, oy + UNIT + 1))
        cell.add(*gdstk.boolean(keyed, box, "and", precision=1e-3, layer=la, datatype=dt))
    cell.add(*pads)
    # a bundle of 8 traces (25 µm lines, 26 µm spaces) jogging out and back at 45°, GDS paths
    for k in range(8):
        x = ox + tx0 + PITCH * k
        w = 25.0
        u = rng.random()
        if u < 0.003:
            w = 24.999  # 1 nm too narrow (an odd width in nm)
        elif u < 0.2:
            w = round(float(rng.uniform(25.0, 25.9)), 3)  # any width, odd in nm or not
        b1 = oy + 300.0 - STAGGER * k
        b2 = oy + 600.0 + STAGGER * k
        pts = [(x, oy), (x, b1), (x + 60, b1 + 60), (x + 60, b2), (x, b2 + 60), (x, oy + UNIT)]
        if k == 7 and rng.random() < 0.03:  # the last trace a little nearer its neighbour
            dx = round(float(rng.uniform(0.0, 1.5)), 3)
            pts = [(px - dx, py) for px, py in pts]
        cell.add(gdstk.FlexPath(pts, w, simple_path=True, layer=la, datatype=dt))


def make_strip(nx: int, ny: int, seed: int = 1):
    """A flat strip of nx x ny units (1 mm each) on two layers as a gdstk Library."""
    import gdstk

    rng = np.random.default_rng(seed)
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("STRIP")
    for i in range(nx):
        for j in range(ny):
            _unit(cell, i * UNIT, j * UNIT, "L1", False, rng)
            _unit(cell, i * UNIT, j * UNIT, "L2", True, rng)
    return lib


def units_for(edges: float) -> tuple[int, int]:
    """Strip size (units along x, y) for about `edges` merged edges (~1,000 per unit)."""
    n = max(1, math.ceil(edges / 1000.0))
    ny = max(1, round(math.sqrt(n / 3.0)))  # a strip three times as long as wide
    return math.ceil(n / ny), ny


# --------------------------------------------------------------------------------------
# the timed runs, each in its own process


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_sipkit(path: str, repeat: int) -> dict:
    import gdstk

    from sipkit.drc.layers import merge_rings
    from sipkit.drc.sources import read_layout_rings
    from sipkit.drc.spacing import distance_checks

    # compile (or load from the cache) on a tiny layout first
    tiny = merge_rings("t", np.array([0, 100, 100, 0]), np.array([0, 0, 100, 100]), np.array([0, 4]))
    distance_checks(tiny, width=RULE, notch=RULE, isolated=RULE)
    t = time.perf_counter()
    lib = gdstk.read_gds(path, unit=1e-6)
    rings, _ = read_layout_rings(lib, LAYERS)
    t_read = time.perf_counter() - t
    del lib
    rss_read = _rss_mb()
    merge_t, check_t, total_t, cpu_t = [], [], [], []
    counts = {}
    for _ in range(repeat):
        tm = tc = 0.0
        n_edges = n_viol = 0
        cpu0 = time.process_time()
        for name in LAYERS:
            t0 = time.perf_counter()
            layer = merge_rings(name, *rings[name])
            t1 = time.perf_counter()
            pairs = distance_checks(layer, width=RULE, notch=RULE, isolated=RULE)
            t2 = time.perf_counter()
            tm += t1 - t0
            tc += t2 - t1
            n_edges += layer.n_edges
            n_viol += len(pairs)
            counts[name] = {"edges_in": int(rings[name][0].size), "edges_merged": layer.n_edges,
                            "polygons": layer.n_polygons,
                            "width": int((pairs.rel == 0).sum()), "notch": int((pairs.rel == 1).sum()),
                            "isolated": int((pairs.rel == 2).sum())}
            del layer, pairs
        cpu_t.append(time.process_time() - cpu0)
        merge_t.append(tm)
        check_t.append(tc)
        total_t.append(tm + tc)
    return {"read_s": t_read, "merge_s": statistics.median(merge_t), "checks_s": statistics.median(check_t),
            "total_s": statistics.median(total_t), "runs_s": total_t, "cpu_s": statistics.median(cpu_t),
            "counts": counts,
            "peak_rss_mb": _rss_mb(), "peak_rss_after_read_mb": rss_read}


def run_klayout(path: str, repeat: int) -> dict:
    import klayout.db as kdb

    t = time.perf_counter()
    ly = kdb.Layout()
    ly.read(path)
    t_read = time.perf_counter() - t
    top = ly.top_cell()
    d = round(RULE / ly.dbu)
    total_t, cpu_t = [], []
    counts = {}
    for _ in range(repeat):
        tt = cpu = 0.0
        for name, (la, dt) in LAYERS.items():
            reg = kdb.Region(top.begin_shapes_rec(ly.layer(la, dt)))  # unmerged, flat
            c0 = time.process_time()
            t0 = time.perf_counter()
            w = reg.width_check(d)
            n = reg.notch_check(d)
            s = reg.isolated_check(d)
            tt += time.perf_counter() - t0
            cpu += time.process_time() - c0
            counts[name] = {"width": w.count(), "notch": n.count(), "isolated": s.count()}
            del reg, w, n, s
        total_t.append(tt)
        cpu_t.append(cpu)
    return {"read_s": t_read, "total_s": statistics.median(total_t), "runs_s": total_t,
            "cpu_s": statistics.median(cpu_t), "counts": counts, "peak_rss_mb": _rss_mb()}


def _child(which: str, path: str, repeat: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", which, path, "--repeat", str(repeat)],
                         capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(edges: float, repeat: int, klayout: bool = True, workdir: Path | None = None) -> dict:
    nx, ny = units_for(edges)
    t = time.perf_counter()
    lib = make_strip(nx, ny)
    tmp = Path(workdir or tempfile.mkdtemp())
    path = tmp / f"strip_{nx}x{ny}.gds"
    lib.write_gds(str(path))
    t_gen = time.perf_counter() - t
    del lib
    res = {"units": [nx, ny], "size_mm": [nx * UNIT / 1000, ny * UNIT / 1000], "generate_s": t_gen,
           "file_mb": path.stat().st_size / 1e6, "sipkit": _child("sipkit", str(path), repeat)}
    if klayout:
        res["klayout"] = _child("klayout", str(path), repeat)
        res["ratio"] = res["sipkit"]["total_s"] / res["klayout"]["total_s"]
        rel = ("width", "notch", "isolated")
        ours = {n: {k: c[k] for k in rel} for n, c in res["sipkit"]["counts"].items()}
        res["same_violation_counts"] = ours == res["klayout"]["counts"]
    path.unlink()
    return res


# --------------------------------------------------------------------------------------
# panel


SITE_UNITS = 14  # a 14 x 14 mm package site
SITE_PITCH = 15000.0  # µm: sites stepped every 15 mm
PANEL_SITES = 40  # 40 x 40 sites: 600 x 600 mm


def make_panel(path: Path) -> dict:
    """A 600 x 600 mm panel: one 14 x 14 mm site cell stepped 40 x 40 times (a GDS array)."""
    import gdstk

    site = make_strip(SITE_UNITS, SITE_UNITS, seed=3)
    unit = site.cells[0]
    unit.name = "SITE"
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    lib.add(unit)
    lib.new_cell("PANEL").add(gdstk.Reference(unit, (0, 0), columns=PANEL_SITES, rows=PANEL_SITES,
                                              spacing=(SITE_PITCH, SITE_PITCH)))
    lib.write_gds(str(path))
    n = sum(len(p.points) for p in unit.get_polygons(include_paths=True))
    return {"sites": PANEL_SITES ** 2, "site_mm": SITE_UNITS, "panel_mm": PANEL_SITES * SITE_PITCH / 1000,
            "edges_per_site": n, "flat_edges": n * PANEL_SITES ** 2,
            "file_mb": path.stat().st_size / 1e6}


def run_sipkit_panel(path: str, repeat: int) -> dict:
    import sipkit.drc as drc

    deck = drc.Deck(name="bench", layers=tuple(LAYERS.items()), rules=tuple(
        drc.Rule(id=f"{n}.{c}", check=c, layer=n, min=RULE) for n in LAYERS for c in ("width", "space")))
    drc.check(make_tiny_gds(), deck=deck)  # compile or load the kernels first
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        report = drc.check(path, deck=deck)
        runs.append(time.perf_counter() - t)
    counts = {r.rule.id: len(r.violations) for r in report.results}
    return {"total_s": statistics.median(runs), "runs_s": runs, "violations": len(report), "counts": counts,
            "merged_edges_checked": sum(la.n_edges for la in report.layout.values()),
            "peak_rss_mb": _rss_mb()}


def make_tiny_gds() -> str:
    import gdstk

    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    c = lib.new_cell("T")
    for la, dt in LAYERS.values():
        c.add(gdstk.rectangle((0, 0), (10, 100), layer=la, datatype=dt))
    path = Path(tempfile.mkdtemp()) / "tiny.gds"
    lib.write_gds(str(path))
    return str(path)


def run_klayout_panel(path: str, repeat: int) -> dict:
    """KLayout's deep (hierarchical) mode on the panel."""
    import klayout.db as kdb

    ly = kdb.Layout()
    ly.read(path)
    top = ly.top_cell()
    d = round(RULE / ly.dbu)
    runs = []
    counts = {}
    for _ in range(repeat):
        dss = kdb.DeepShapeStore()
        tt = 0.0
        for name, (la, dt) in LAYERS.items():
            reg = kdb.Region(top.begin_shapes_rec(ly.layer(la, dt)), dss)
            t0 = time.perf_counter()
            w = reg.width_check(d)
            n = reg.notch_check(d)
            s = reg.isolated_check(d)
            counts[name] = {"width": w.count(), "notch": n.count(), "isolated": s.count()}
            tt += time.perf_counter() - t0
        runs.append(tt)
        del dss
    return {"total_s": statistics.median(runs), "runs_s": runs, "counts": counts, "peak_rss_mb": _rss_mb()}


def bench_panel(repeat: int, klayout: bool = True) -> dict:
    path = Path(tempfile.mkdtemp()) / "panel.gds"
    res = make_panel(path)
    res["sipkit"] = _child("sipkit-panel", str(path), repeat)
    if klayout:
        res["klayout_deep"] = _child("klayout-panel", str(path), repeat)
        kl = res["klayout_deep"]["counts"]
        res["same_violation_counts"] = all(
            res["sipkit"]["counts"][f"{n}.width"] == kl[n]["width"]
            and res["sipkit"]["counts"][f"{n}.space"] == kl[n]["notch"] + kl[n]["isolated"] for n in LAYERS)
    path.unlink()
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--edges", type=float, default=1e6, help="approximate number of edges (default 1e6)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scale", type=float, default=0, help="also run sipkit alone at this multiple of --edges")
    p.add_argument("--no-klayout", action="store_true")
    p.add_argument("--panel", action="store_true", help="the 600 x 600 mm panel case")
    p.add_argument("--child", nargs=2, metavar=("WHICH", "GDS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        which, path = args.child
        runner = {"sipkit": run_sipkit, "klayout": run_klayout, "sipkit-panel": run_sipkit_panel,
                  "klayout-panel": run_klayout_panel}[which]
        print(json.dumps(runner(path, args.repeat)))
        return
    if args.panel:
        print(json.dumps(bench_panel(args.repeat, klayout=not args.no_klayout), indent=1))
        return
    res = bench(args.edges, args.repeat, klayout=not args.no_klayout)
    print(json.dumps(res, indent=1))
    if args.scale:
        big = bench(args.edges * args.scale, args.repeat, klayout=False)
        big["time_ratio_to_base"] = big["sipkit"]["total_s"] / res["sipkit"]["total_s"]
        big["cpu_ratio_to_base"] = big["sipkit"]["cpu_s"] / res["sipkit"]["cpu_s"]
        big["edge_ratio_to_base"] = (sum(c["edges_merged"] for c in big["sipkit"]["counts"].values())
                                     / sum(c["edges_merged"] for c in res["sipkit"]["counts"].values()))
        print(json.dumps(big, indent=1))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
