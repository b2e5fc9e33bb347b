"""From a solid model on a grid to the conduction system: cell properties and links.

Voxelisation gives every cell the material of the last box whose region holds the
cell's centre (later boxes override earlier ones); cells no box holds are void and
take no part.  Boxes with tiles mix metal into their matrix per cell
(:mod:`sipkit.solid.mixing`).  Power belongs to each box's region: a box's power is
spread over the cells of its region by volume, or over the cells along its top or
bottom face by area, whatever material later boxes put there.

Finite volumes: the conductance between neighbouring cells i and j is
G = A / (d_i / k_i + d_j / k_j), with d the half cell widths (the harmonic mean of
the two half-cell resistances), a convective face adds G = A / (d / k + 1 / h)
to its cell's diagonal and G T_ambient to its right-hand side, a fixed-temperature
face G = A / (d / k).  A contact resistance R between two boxes adds R / A to the
resistance of every link joining them.  Unknowns are temperature rises θ = T − T_ref
over a reference (the model's ambient), so the right-hand side is the power plus
Σ G (T_ambient − T_ref).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DesignError, MaterialError
from ..solid.mixing import effective_conductivity, effective_heat_capacity
from . import _kernels
from .grid import SNAP, Grid

__all__ = ["Faces", "System", "Voxels", "assemble", "combine_faces", "deposit_power", "voxelize"]

UM = 1e-6  # metres per µm

_NORMALS = {"+x": (0, 1), "-x": (0, -1), "+y": (1, 1), "-y": (1, -1), "+z": (2, 1), "-z": (2, -1)}


@dataclass
class Voxels:
    """Cell properties of a solid model on a grid.

    Attributes
    ----------
    grid : Grid
    owner : ndarray of int32, shape (nx, ny, nz)
        Index of the box owning each cell, -1 for void.
    kx, ky, kz : ndarray
        Conductivities, W/(m·K) (0 in void cells).
    rho_cp : ndarray
        Volumetric heat capacity, J/(m³·K) (NaN where a card lacks rho or cp).
    power : ndarray
        Power per cell, W.
    nonlinear : tuple or None
        (flat cell indices, card k (n, 3), exponents) of cells whose k falls with
        temperature (``k_exponent`` cards), or None.
    face_power : tuple
        (flat cell indices, normal index 4 (+z) or 5 (-z), W) of power deposited on
        top or bottom faces, for face temperatures.
    """

    grid: Grid
    owner: np.ndarray
    kx: np.ndarray
    ky: np.ndarray
    kz: np.ndarray
    rho_cp: np.ndarray
    power: np.ndarray
    nonlinear: tuple | None = None
    face_power: tuple | None = None

    def set_temperature(self, T: np.ndarray) -> None:
        """Update the conductivity of temperature-dependent cells to k(T) (T in °C)."""
        if self.nonlinear is None:
            return
        idx, kcard, expo = self.nonlinear
        factor = (300.0 / (T.ravel()[idx] + 273.15)) ** expo
        for a, arr in enumerate((self.kx, self.ky, self.kz)):
            arr.ravel()[idx] = kcard[:, a] * factor


def _material(model, box, name, what="k"):
    card = model.library[name]
    if getattr(card, what) is None:
        label = {"k": "thermal conductivity k", "rho": "density rho", "cp": "specific heat cp"}[what]
        raise MaterialError(f"material {name!r} (box {box.name!r}) has no {label}; add it to the card")
    return card


def voxelize(model, grid: Grid, nonlinear: bool = True) -> Voxels:
    """Cell properties of `model` on `grid` (see module notes).

    Parameters
    ----------
    model : SolidModel
    grid : Grid
    nonlinear : bool
        Record cells whose conductivity depends on temperature.
    """
    shape = grid.shape
    owner = np.full(shape, -1, dtype=np.int32)
    kx = np.zeros(shape)
    ky = np.zeros(shape)
    kz = np.zeros(shape)
    rho_cp = np.zeros(shape)
    power = np.zeros(shape)
    expo = None
    faces: list = []
    xe, ye, _ = grid.edges
    for b, box in enumerate(model.boxes):
        sl = grid.span(box.min, box.max)
        if any(s.stop <= s.start for s in sl):
            if box.power > 0:
                raise DesignError(f"box {box.name!r} is thinner than a grid cell and carries power; "
                                  "refine the grid", f"boxes[{b}]")
            continue
        owner[sl] = b
        mat = _material(model, box, box.material)
        heat = mat.rho * mat.cp if mat.rho is not None and mat.cp is not None else np.nan
        if box.tiles is None:
            kx[sl], ky[sl], kz[sl] = mat.k
            rho_cp[sl] = heat
            if nonlinear and mat.k_exponent:
                if expo is None:
                    expo = np.zeros(shape, dtype=np.float32)
                expo[sl] = mat.k_exponent
            elif expo is not None:
                expo[sl] = 0.0
        else:
            metal = _material(model, box, box.tiles.metal)
            f, c = box.tiles.fractions(xe[sl[0].start:sl[0].stop + 1], ye[sl[1].start:sl[1].stop + 1])
            f, c = f.T[:, :, None], c.T[:, :, None]
            ekx, eky, ekz = effective_conductivity(f, c, metal.k, mat.k)
            kx[sl], ky[sl], kz[sl] = ekx, eky, ekz
            mheat = metal.rho * metal.cp if metal.rho is not None and metal.cp is not None else np.nan
            rho_cp[sl] = effective_heat_capacity(f, mheat, heat)
            if expo is not None:
                expo[sl] = 0.0
        if box.power > 0:
            _deposit(power, grid, box, sl, faces)
    nl = None
    if expo is not None:
        idx = np.flatnonzero(expo)
        if idx.size:
            kcard = np.column_stack([a.ravel()[idx] for a in (kx, ky, kz)])
            nl = (idx, kcard, expo.ravel()[idx].astype(np.float64))
    return Voxels(grid, owner, kx, ky, kz, rho_cp, power, nl, combine_faces(faces))


def _overlap(edges, a, b):
    lo = np.maximum(edges[:-1], a)
    hi = np.minimum(edges[1:], b)
    return np.clip(hi - lo, 0.0, None)


def deposit_power(power, grid, box, faces=None):
    """Add `box`'s power to the cell array `power` (W per cell).

    With a list `faces`, power on a top or bottom face is also recorded there as
    (flat cells, normal index, W) for face temperatures.
    """
    sl = grid.span(box.min, box.max)
    if any(s.stop <= s.start for s in sl):
        raise DesignError(f"box {box.name!r} is thinner than a grid cell and carries power; refine the grid")
    _deposit(power, grid, box, sl, faces if faces is not None else [])


def combine_faces(faces) -> tuple:
    """Face power entries merged into (cells, normals, W) with one entry per face."""
    if not faces:
        return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    cells = np.concatenate([f[0] for f in faces])
    normal = np.concatenate([np.full(f[0].size, f[1], dtype=np.int64) for f in faces])
    watts = np.concatenate([f[2] for f in faces])
    key, inverse = np.unique(cells * 6 + normal, return_inverse=True)
    return (key // 6, key % 6, np.bincount(inverse, watts))


def _deposit(power, grid, box, sl, faces):
    """Spread box.power over the cells of its region (by volume or face area)."""
    xe, ye, ze = grid.edges
    wx = _overlap(xe[sl[0].start:sl[0].stop + 1], box.min[0], box.max[0])
    wy = _overlap(ye[sl[1].start:sl[1].stop + 1], box.min[1], box.max[1])
    if box.power_on == "volume":
        wz = _overlap(ze[sl[2].start:sl[2].stop + 1], box.min[2], box.max[2])
    else:
        wz = np.zeros(sl[2].stop - sl[2].start)
        wz[-1 if box.power_on == "top" else 0] = 1.0
    w = wx[:, None, None] * wy[None, :, None] * wz[None, None, :]
    watts = box.power * w / w.sum()
    power[sl] += watts
    if box.power_on != "volume":
        k = sl[2].stop - 1 if box.power_on == "top" else sl[2].start
        i, j = np.meshgrid(np.arange(sl[0].start, sl[0].stop), np.arange(sl[1].start, sl[1].stop),
                           indexing="ij")
        cells = np.ravel_multi_index((i.ravel(), j.ravel(), np.full(i.size, k)), grid.shape)
        wk = watts[:, :, -1 if box.power_on == "top" else 0].ravel()
        faces.append((cells, 4 if box.power_on == "top" else 5, wk))


@dataclass
class Faces:
    """Boundary faces: one entry per exposed cell face matched by a boundary.

    ``cell`` is the flat cell index, ``g`` the conductance to the ambient (W/K),
    ``t`` the ambient or fixed temperature (°C), ``rule`` the boundary's index,
    ``normal`` the index into ("+x", "-x", "+y", "-y", "+z", "-z"), ``area`` (m²) and
    ``half`` = d / k (m²·K/W), the half-cell resistance per area.
    """

    cell: np.ndarray
    g: np.ndarray
    t: np.ndarray
    rule: np.ndarray
    normal: np.ndarray
    area: np.ndarray
    half: np.ndarray
    fixed: np.ndarray

    def heat_out(self, theta_flat: np.ndarray, t_ref: float) -> np.ndarray:
        """Heat leaving through each face (W) for the temperature rise field."""
        return self.g * (theta_flat[self.cell] + t_ref - self.t)


NORMAL_NAMES = ("+x", "-x", "+y", "-y", "+z", "-z")


def exposed_faces(vox: Voxels, boundaries) -> Faces:
    """Faces of non-void cells that border void or the grid's hull, matched to boundaries.

    Later boundaries win where several match a face.  Faces no boundary matches are
    adiabatic and left out.
    """
    grid = vox.grid
    active = vox.owner >= 0
    centers = grid.centers
    widths = grid.widths
    edges = grid.edges
    out = {k: [] for k in ("cell", "g", "t", "rule", "normal", "area", "half", "fixed")}
    if not boundaries:
        return Faces(*(np.zeros(0, dtype=np.int64 if k in ("cell", "rule", "normal") else
                                bool if k == "fixed" else float) for k in out))
    kk = (vox.kx, vox.ky, vox.kz)
    for n_index, name in enumerate(NORMAL_NAMES):
        axis, sign = _NORMALS[name]
        rules = [(r, bc) for r, bc in enumerate(boundaries) if name in bc.normals]
        if not rules:
            continue
        mask = active.copy()
        src = [slice(None)] * 3
        nbr = [slice(None)] * 3
        if sign > 0:
            src[axis] = slice(0, -1)
            nbr[axis] = slice(1, None)
        else:
            src[axis] = slice(1, None)
            nbr[axis] = slice(0, -1)
        mask[tuple(src)] &= ~active[tuple(nbr)]
        idx = np.nonzero(mask)
        if idx[0].size == 0:
            continue
        pos = [centers[a][idx[a]] for a in range(3)]
        face = edges[axis][idx[axis] + (1 if sign > 0 else 0)]
        pos[axis] = face
        rule = np.full(idx[0].size, -1, dtype=np.int64)
        outer = edges[axis][-1] if sign > 0 else edges[axis][0]
        for r, bc in rules:
            m = np.ones(idx[0].size, dtype=bool)
            if bc.where is not None:
                m &= bc.where.contains(*pos)
            if bc.outermost:
                m &= np.abs(face - outer) <= SNAP
            rule[m] = r
        keep = rule >= 0
        if not keep.any():
            continue
        idx = tuple(a[keep] for a in idx)
        rule = rule[keep]
        others = [a for a in range(3) if a != axis]
        area = widths[others[0]][idx[others[0]]] * widths[others[1]][idx[others[1]]] * UM * UM
        half = 0.5 * widths[axis][idx[axis]] * UM / kk[axis][idx]
        fixed = np.array([boundaries[r].T is not None for r in rule], dtype=bool)
        h = np.array([boundaries[r].h if boundaries[r].h is not None else np.inf for r in rule])
        t = np.array([boundaries[r].T if boundaries[r].T is not None else
                      (boundaries[r].ambient if boundaries[r].ambient is not None else np.nan) for r in rule])
        with np.errstate(divide="ignore"):
            g = area / (half + np.where(fixed, 0.0, 1.0 / h))
        out["cell"].append(np.ravel_multi_index(idx, grid.shape))
        out["g"].append(g)
        out["t"].append(t)
        out["rule"].append(rule)
        out["normal"].append(np.full(rule.size, n_index, dtype=np.int64))
        out["area"].append(area)
        out["half"].append(half)
        out["fixed"].append(fixed)
    parts = {}
    for key, items in out.items():
        if items:
            parts[key] = np.concatenate(items)
        else:
            parts[key] = np.zeros(0, dtype=np.int64 if key in ("cell", "rule", "normal") else
                                  bool if key == "fixed" else float)
    faces = Faces(**parts)
    keep = faces.g > 0
    if not keep.all():
        faces = Faces(**{k: v[keep] for k, v in parts.items()})
    return faces


@dataclass
class System:
    """The linear conduction system A θ = b of a voxelised model.

    ``extra`` holds each cell's boundary conductance (the diagonal beyond its
    links); ``t_ref`` the reference temperature of θ.
    """

    vox: Voxels
    faces: Faces
    gx: np.ndarray
    gy: np.ndarray
    gz: np.ndarray
    diag: np.ndarray
    extra: np.ndarray
    b: np.ndarray
    t_ref: float

    @property
    def power(self) -> float:
        """Total power (W)."""
        return float(self.vox.power.sum())


def _links(vox: Voxels):
    grid = vox.grid
    dx, dy, dz = (w * UM for w in grid.widths)
    shape = grid.shape
    gx, gy, gz = (np.empty(shape) for _ in range(3))
    _kernels.kernels(grid.size)["_conductances"](vox.kx, vox.ky, vox.kz, dx, dy, dz, gx, gy, gz)
    return gx, gy, gz


def _apply_contacts(vox: Voxels, model, gx, gy, gz):
    if not model.contacts:
        return
    grid = vox.grid
    widths = grid.widths
    names = [b.name for b in model.boxes]
    owners = [b.owner for b in model.boxes]
    for c in model.contacts:
        sets = []
        for n in c.between:
            sets.append(np.array([i for i in range(len(names)) if names[i] == n or owners[i] == n],
                                 dtype=np.int32))
        if c.resistance == 0:
            continue
        for axis, g in enumerate((gx, gy, gz)):
            lo = [slice(None)] * 3
            hi = [slice(None)] * 3
            lo[axis] = slice(0, -1)
            hi[axis] = slice(1, None)
            oa = vox.owner[tuple(lo)]
            ob = vox.owner[tuple(hi)]
            m = ((np.isin(oa, sets[0]) & np.isin(ob, sets[1]))
                 | (np.isin(oa, sets[1]) & np.isin(ob, sets[0])))
            if not m.any():
                continue
            others = [a for a in range(3) if a != axis]
            shape_a = [1, 1, 1]
            shape_a[others[0]] = -1
            shape_b = [1, 1, 1]
            shape_b[others[1]] = -1
            area = (widths[others[0]] * UM).reshape(shape_a) * (widths[others[1]] * UM).reshape(shape_b)
            area = np.broadcast_to(area, oa.shape)
            view = g[tuple(lo)]
            sel = m & (view > 0)
            view[sel] = 1.0 / (1.0 / view[sel] + c.resistance / area[sel])


def assemble(vox: Voxels, model, t_ref: float | None = None, faces: Faces | None = None) -> System:
    """Links, boundary terms and right-hand side of the steady conduction system.

    Parameters
    ----------
    vox : Voxels
    model : SolidModel
        For its boundaries, contacts and default ambient.
    t_ref : float, optional
        Reference temperature of the unknowns (°C); the model's ambient by default.
    faces : Faces, optional
        Reuse boundary faces found before (their conductances are recomputed).
    """
    if t_ref is None:
        t_ref = model.ambient
    gx, gy, gz = _links(vox)
    _apply_contacts(vox, model, gx, gy, gz)
    if faces is None:
        faces = exposed_faces(vox, model.boundaries)
        faces.t = np.where(np.isnan(faces.t), model.ambient, faces.t)
    else:
        faces = _refresh(faces, vox, model.boundaries)
    n = vox.grid.size
    extra = np.bincount(faces.cell, faces.g, minlength=n).reshape(vox.grid.shape)
    b = vox.power + np.bincount(faces.cell, faces.g * (faces.t - t_ref), minlength=n).reshape(vox.grid.shape)
    diag = np.empty(vox.grid.shape)
    _kernels.kernels(n)["_link_diagonal"](gx, gy, gz, extra, diag)
    return System(vox, faces, gx, gy, gz, diag, extra, b, float(t_ref))


def _refresh(faces: Faces, vox: Voxels, boundaries) -> Faces:
    """Recompute face conductances after the cell conductivities changed."""
    kk = (vox.kx, vox.ky, vox.kz)
    axis = faces.normal // 2
    kcell = np.empty(faces.cell.size)
    for a in range(3):
        m = axis == a
        kcell[m] = kk[a].ravel()[faces.cell[m]]
    widths = [w * UM for w in vox.grid.widths]
    ijk = np.unravel_index(faces.cell, vox.grid.shape)
    d = np.empty(faces.cell.size)
    for a in range(3):
        m = axis == a
        d[m] = widths[a][ijk[a][m]]
    half = 0.5 * d / kcell
    h = np.array([boundaries[r].h if boundaries[r].h is not None else np.inf for r in faces.rule])
    with np.errstate(divide="ignore"):
        g = faces.area / (half + np.where(faces.fixed, 0.0, 1.0 / h))
    return Faces(faces.cell, g, faces.t, faces.rule, faces.normal, faces.area, half, faces.fixed)


def check_connected(system: System, model) -> None:
    """Raise DesignError if some box has no conduction path to a cooled face."""
    vox = system.vox
    nb = len(model.boxes)
    root = _kernels.owner_components(vox.owner, system.gx, system.gy, system.gz, nb)
    present = np.zeros(nb, dtype=bool)
    present[np.unique(vox.owner[vox.owner >= 0])] = True
    cooled = np.zeros(nb, dtype=bool)
    if system.faces.cell.size:
        cooled_boxes = np.unique(vox.owner.ravel()[system.faces.cell])
        cooled[np.unique(root[cooled_boxes])] = True
    bad = [model.boxes[i].name for i in range(nb) if present[i] and not cooled[root[i]]]
    if bad:
        if not system.faces.cell.size:
            raise DesignError("no boundary cools the model: add boundaries (h or T on some faces)",
                              "boundaries")
        shown = ", ".join(repr(n) for n in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise DesignError(f"box(es) {shown} have no conduction path to a cooled face (they touch no "
                          "boundary and no box that does): add a boundary or check their positions",
                          "boxes")
