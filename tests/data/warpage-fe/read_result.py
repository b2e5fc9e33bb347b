"""Turn CalculiX's ``.dat`` output into ``fe_result.json`` (bottom-face deflection).

Usage::

    python read_result.py package.inp package.dat [-o fe_result.json]

Keeps the nodes of the bottom face (z = 0) on the element corners of the quarter
model and writes their coordinates (mm) and vertical displacement (µm).
"""

from __future__ import annotations

import argparse
import json


def read_nodes(inp: str) -> dict:
    nodes = {}
    with open(inp) as fh:
        inside = False
        for line in fh:
            if line.startswith("*"):
                inside = line.upper().startswith("*NODE") and not line.upper().startswith("*NODE PRINT")
                continue
            if inside:
                n, x, y, z = line.split(",")
                nodes[int(n)] = (float(x), float(y), float(z))
    return nodes


def read_displacements(dat: str) -> dict:
    out = {}
    with open(dat) as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 4 and parts[0].isdigit():
                out[int(parts[0])] = tuple(float(v) for v in parts[1:])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inp")
    ap.add_argument("dat")
    ap.add_argument("-o", "--output", default="fe_result.json")
    ap.add_argument("--note", default="")
    args = ap.parse_args()
    nodes = read_nodes(args.inp)
    disp = read_displacements(args.dat)
    xs = sorted({round(nodes[n][0], 9) for n in disp})
    corner_x = xs[0::2]  # element corner lines (mid-side nodes in between)
    rows = []
    for n, (_, _, uz) in disp.items():
        x, y, _ = nodes[n]
        if round(x, 9) in corner_x and round(y, 9) in corner_x:
            rows.append((round(x, 6), round(y, 6), uz * 1000.0))
    rows.sort()
    data = {"description": "CalculiX 2.20, C3D20R, quarter model; bottom-face (z = 0) vertical "
                           "displacement at element corner nodes; 175 -> 25 degC",
            "note": args.note, "nodes": len(nodes),
            "x_mm": [r[0] for r in rows], "y_mm": [r[1] for r in rows],
            "uz_um": [round(r[2], 6) for r in rows]}
    with open(args.output, "w") as fh:
        fh.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()) + "\n}\n")


if __name__ == "__main__":
    main()
