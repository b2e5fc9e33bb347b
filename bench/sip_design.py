"""A realistic System-in-Package design for the thermal benchmark.

A 15 mm x 15 mm, 1.1 mm thick SiP: a six-layer 2-2-2 build-up substrate with routed signal
layers (fan-out traces from the dies), ground and power planes with anti-pads, thermal via
fields under the SoC, a flip-chip SoC with a power map, a wire-bonded two-die DRAM stack, a
flip-chip PMIC, passives (two lossy inductors), BGA balls and a mold cap.  The routing is
random but reproducible (fixed seed); the point is realistic copper coverage per layer.

``write_design(path)`` writes it as a design file; ``python bench/sip_design.py out.yaml``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

SIZE = 15000.0


def _traces(rng, n, region, width, exclude=None):
    x0, y0, x1, y1 = region
    out = []
    for _ in range(n):
        # Manhattan trace: start at a point, go in x, then in y, then in x
        sx, sy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        pts = [[round(sx, 1), round(sy, 1)]]
        x, y = sx, sy
        for leg in range(3):
            if leg % 2 == 0:
                x = float(np.clip(x + rng.uniform(-2500, 2500), x0, x1))
            else:
                y = float(np.clip(y + rng.uniform(-2500, 2500), y0, y1))
            p = [round(x, 1), round(y, 1)]
            if p != pts[-1]:
                pts.append(p)
        if len(pts) >= 2:
            out.append({"points": pts, "width": width, "net": f"N{len(out)}"})
    return out


def design(seed: int = 1) -> dict:
    """The design as plain data (µm)."""
    rng = np.random.default_rng(seed)
    m = 300.0
    region = (m, m, SIZE - m, SIZE - m)
    antipads = [[[x - 120, y - 120], [x + 120, y - 120], [x + 120, y + 120], [x - 120, y + 120]]
                for x in range(1500, 14000, 1400) for y in range(1500, 14000, 1400)
                if not (1500 <= x <= 10500 and 3000 <= y <= 11000)]
    plane = {"points": {"rect": [100, 100, SIZE - 100, SIZE - 100]}, "holes": antipads, "net": "GND"}
    pwr = {"points": {"rect": [200, 200, SIZE - 200, SIZE - 200]}, "holes": antipads, "net": "VDD"}
    stack = [
        ("SM1", "solder_mask", 20, "solder-mask"), ("L1", "conductor", 15, "cu-plated"),
        ("BU1", "buildup", 30, "abf-gx92"), ("L2", "conductor", 15, "cu-plated"),
        ("BU2", "buildup", 30, "abf-gx92"), ("L3", "conductor", 18, "cu-plated"),
        ("CORE", "core", 400, "bt-core"), ("L4", "conductor", 18, "cu-plated"),
        ("BU3", "buildup", 30, "abf-gx92"), ("L5", "conductor", 15, "cu-plated"),
        ("BU4", "buildup", 30, "abf-gx92"), ("L6", "conductor", 15, "cu-plated"),
        ("SM2", "solder_mask", 20, "solder-mask"),
    ]
    return {
        "sipkit": 1, "units": "um", "name": "bench-sip",
        "description": "realistic SiP for the thermal benchmark (random but reproducible routing)",
        "substrate": {
            "outline": {"rect": [0, 0, SIZE, SIZE]},
            "stackup": [{"name": n, "kind": k, "thickness": t, "material": mat} for n, k, t, mat in stack],
            "routing": {
                "L1": {"traces": _traces(rng, 900, region, 25)},
                "L2": {"shapes": [plane]},
                "L3": {"traces": _traces(rng, 500, region, 30)},
                "L4": {"shapes": [pwr]},
                "L5": {"shapes": [plane]},
                "L6": {"traces": _traces(rng, 600, region, 25)},
            },
            "via_arrays": [
                {"center": [6000, 7000], "pitch": [250, 250], "count": [24, 24], "from": "L1", "to": "L2",
                 "drill": 60, "pad": 110},
                {"center": [6000, 7000], "pitch": [250, 250], "count": [24, 24], "from": "L2", "to": "L3",
                 "drill": 60, "pad": 110},
                {"center": [6000, 7000], "pitch": [500, 500], "count": [12, 12], "from": "L3", "to": "L4",
                 "drill": 150, "pad": 300, "filled": False, "plating": 20},
                {"center": [6000, 7000], "pitch": [250, 250], "count": [24, 24], "from": "L4", "to": "L5",
                 "drill": 60, "pad": 110},
                {"center": [6000, 7000], "pitch": [250, 250], "count": [24, 24], "from": "L5", "to": "L6",
                 "drill": 60, "pad": 110},
            ],
            "land_arrays": [{"center": [7500, 7500], "pitch": [650, 650], "count": [22, 22], "diameter": 300,
                             "ball": {"diameter": 350, "height": 250}}],
        },
        "dies": [
            {"name": "soc", "size": [8000, 7000], "thickness": 250, "at": [6000, 7000],
             "power_map": {"background": 0.6, "rects": [
                 {"name": "cpu0", "min": [500, 4000], "max": [2500, 6500], "power": 1.2},
                 {"name": "cpu1", "min": [2700, 4000], "max": [4700, 6500], "power": 1.2},
                 {"name": "gpu", "min": [500, 500], "max": [4700, 3500], "power": 2.0},
                 {"name": "npu", "min": [5200, 3500], "max": [7500, 6500], "power": 1.5},
                 {"name": "io", "min": [5200, 500], "max": [7500, 3000], "power": 0.5}]},
             "flip_chip": {"bump": {"kind": "copper_pillar", "diameter": 80, "height": 70,
                                    "material": "cu-pillar",
                                    "cap_material": "snag", "cap_height": 20},
                           "arrays": [{"pitch": [180, 180], "count": [42, 36]}],
                           "underfill": {"material": "underfill", "fillet": 300}}},
            {"name": "dram0", "size": [4500, 3500], "thickness": 100, "at": [12600, 12000], "power": 0.4,
             "wire_bond": {"attach": {"material": "daf", "thickness": 20}}},
            {"name": "dram1", "size": [4500, 3500], "thickness": 100, "at": [12600, 12000], "on": "dram0",
             "power": 0.3, "wire_bond": {"attach": {"material": "daf", "thickness": 20}}},
            {"name": "pmic", "size": [2500, 2500], "thickness": 200, "at": [12800, 3500], "power": 0.8,
             "flip_chip": {"bump": {"kind": "solder_ball", "diameter": 120, "height": 90,
                                    "material": "sac305"},
                           "arrays": [{"pitch": [400, 400], "count": [6, 6]}],
                           "underfill": {"material": "underfill", "fillet": 200}}},
        ],
        "passives": [
            *({"name": f"C{i}", "at": [1200 + 900 * (i % 12), 1000 if i < 12 else 14000], "size": [600, 300],
               "height": 300} for i in range(24)),
            {"name": "L1_ind", "at": [12700, 6200], "size": [2000, 1600], "height": 900, "kind": "inductor",
             "power": 0.15},
            {"name": "L2_ind", "at": [12700, 8100], "size": [2000, 1600], "height": 900, "kind": "inductor",
             "power": 0.15},
        ],
        "molds": [{"thickness": 1000}],
    }


def write_design(path, seed: int = 1) -> Path:
    """Write the design file (YAML) and return its path."""
    path = Path(path)
    path.write_text(yaml.safe_dump(design(seed), sort_keys=False))
    return path


if __name__ == "__main__":
    print(write_design(sys.argv[1] if len(sys.argv) > 1 else "bench-sip.yaml"))
