"""Write the CalculiX deck of the die-on-substrate-under-mold reference package.

A 12 x 12 mm package, modelled as a quarter with symmetry planes at x = 0 and y = 0:

* substrate 12 x 12 x 0.30 mm (E 25 GPa, nu 0.2, CTE 15 ppm/K) at z = 0 .. 0.30 mm;
* silicon die 6 x 6 x 0.25 mm (E 130 GPa, nu 0.28, CTE 2.6 ppm/K) centred on it,
  z = 0.30 .. 0.55 mm;
* mold compound (E 20 GPa, nu 0.3, CTE 10 ppm/K) over everything up to z = 1.00 mm.

Linear elasticity, small displacements, temperature-independent properties, a uniform
temperature change from 175 degC (stress free) to 25 degC.  Quadratic bricks with
reduced integration (C3D20R).

Usage::

    python make_deck.py [--refine N] [-o package.inp]
    ccx package            # writes package.dat with the displacements of the bottom face

By default the quarter is meshed with 24 x 24 elements in plane and 10 through the
thickness; ``--refine F`` multiplies the in-plane count by F, ``--refine-z N`` the count
through the thickness by N.  ``--no-die`` puts mold
where the die was: a uniform two-layer laminate, to separate the finite-element model's
own difference from classical lamination theory.
"""

from __future__ import annotations

import argparse

import numpy as np

SUB = dict(E=25e3, nu=0.2, cte=15e-6)     # MPa (N/mm^2), -, 1/K
SI = dict(E=130e3, nu=0.28, cte=2.6e-6)
MOLD = dict(E=20e3, nu=0.3, cte=10e-6)
HALF = 6.0        # mm, half the package side
DIE_HALF = 3.0    # mm, half the die side
Z = (0.0, 0.30, 0.55, 1.00)   # substrate, die, mold tops (mm)
T0, T1 = 175.0, 25.0

# C3D20 node order: corners (-,-,-) (+,-,-) (+,+,-) (-,+,-) then the top face, then the
# mid-edge nodes of the bottom face, of the top face and of the vertical edges.
CORNERS = [(0, 0, 0), (2, 0, 0), (2, 2, 0), (0, 2, 0), (0, 0, 2), (2, 0, 2), (2, 2, 2), (0, 2, 2)]
MIDS = [(1, 0, 0), (2, 1, 0), (1, 2, 0), (0, 1, 0), (1, 0, 2), (2, 1, 2), (1, 2, 2), (0, 1, 2),
        (0, 0, 1), (2, 0, 1), (2, 2, 1), (0, 2, 1)]


def lines(refine: float, refine_z: int):
    n = round(24 * refine)
    if n % 2:
        raise SystemExit("24 x refine must be even (the die edge is a mesh line)")
    x = np.linspace(0.0, HALF, n + 1)
    z = np.concatenate([np.linspace(Z[0], Z[1], 3 * refine_z + 1),
                        np.linspace(Z[1], Z[2], 3 * refine_z + 1)[1:],
                        np.linspace(Z[2], Z[3], 4 * refine_z + 1)[1:]])
    return x, x.copy(), z


def half_points(a):
    out = np.empty(2 * a.size - 1)
    out[0::2] = a
    out[1::2] = 0.5 * (a[1:] + a[:-1])
    return out


def build(refine: float, refine_z: int, die: bool = True):
    x, y, z = lines(refine, refine_z)
    xh, yh, zh = half_points(x), half_points(y), half_points(z)
    ids: dict = {}
    nodes = []

    def node(i, j, k):
        key = (i, j, k)
        if key not in ids:
            ids[key] = len(nodes) + 1
            nodes.append((ids[key], xh[i], yh[j], zh[k]))
        return ids[key]

    elements = {"SUB": [], "SI": [], "MOLD": []}
    eid = 0
    for k in range(z.size - 1):
        for j in range(y.size - 1):
            for i in range(x.size - 1):
                eid += 1
                conn = [node(2 * i + a, 2 * j + b, 2 * k + c) for a, b, c in CORNERS + MIDS]
                zc = 0.5 * (z[k] + z[k + 1])
                xc, yc = 0.5 * (x[i] + x[i + 1]), 0.5 * (y[j] + y[j + 1])
                if zc < Z[1]:
                    mat = "SUB"
                elif die and zc < Z[2] and xc < DIE_HALF and yc < DIE_HALF:
                    mat = "SI"
                else:
                    mat = "MOLD"
                elements[mat].append((eid, conn))
    return nodes, elements


def write(path: str, refine: float, refine_z: int, die: bool = True, solver: str | None = None) -> None:
    nodes, elements = build(refine, refine_z, die)
    xyz = {n: (a, b, c) for n, a, b, c in nodes}
    tol = 1e-9
    title = "die-on-substrate-under-mold" if die else "substrate-under-mold (no die)"
    out = ["*HEADING", f"{title} quarter package, refine {refine} x {refine_z}", "*NODE"]
    out += [f"{n}, {a:.9g}, {b:.9g}, {c:.9g}" for n, a, b, c in nodes]
    for mat, els in elements.items():
        out.append(f"*ELEMENT, TYPE=C3D20R, ELSET=E{mat}")
        for e, conn in els:
            # 16 node numbers per line at most
            out.append(f"{e}, " + ", ".join(map(str, conn[:15])) + ",")
            out.append(", ".join(map(str, conn[15:])))
    def nset(name, pred):
        ids = [n for n, p in xyz.items() if pred(*p)]
        out.append(f"*NSET, NSET={name}")
        for i in range(0, len(ids), 12):
            out.append(", ".join(map(str, ids[i:i + 12])))
    nset("NALL", lambda a, b, c: True)
    nset("XSYM", lambda a, b, c: abs(a) < tol)
    nset("YSYM", lambda a, b, c: abs(b) < tol)
    nset("ORIGIN", lambda a, b, c: abs(a) < tol and abs(b) < tol and abs(c) < tol)
    nset("BOTTOM", lambda a, b, c: abs(c) < tol)
    for mat, props in (("SUB", SUB), ("SI", SI), ("MOLD", MOLD)):
        out += [f"*MATERIAL, NAME={mat}", "*ELASTIC", f"{props['E']:.9g}, {props['nu']:.9g}",
                "*EXPANSION", f"{props['cte']:.9g}", f"*SOLID SECTION, ELSET=E{mat}, MATERIAL={mat}"]
    out += ["*BOUNDARY", "XSYM, 1, 1, 0.", "YSYM, 2, 2, 0.", "ORIGIN, 3, 3, 0.",
            "*INITIAL CONDITIONS, TYPE=TEMPERATURE", f"NALL, {T0}",
            "*STEP", "*STATIC" + (f", SOLVER={solver}" if solver else ""), "*TEMPERATURE", f"NALL, {T1}",
            "*NODE PRINT, NSET=BOTTOM", "U", "*END STEP"]
    with open(path, "w") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refine", type=float, default=1.0, help="in-plane refinement (24 x this elements)")
    ap.add_argument("--refine-z", type=int, default=1, help="refinement through the thickness (10 x this)")
    ap.add_argument("--no-die", action="store_true", help="mold instead of the die (a uniform laminate)")
    ap.add_argument("--solver", help="CalculiX equation solver (the default direct solver needs about "
                                     "10 GB at --refine 2 --refine-z 2)")
    ap.add_argument("-o", "--output", default="package.inp")
    args = ap.parse_args()
    write(args.output, args.refine, args.refine_z, die=not args.no_die, solver=args.solver)
