"""The result of a thermal solve: the field, per-box and per-die figures, JEDEC metrics.

Temperatures are cell averages of the finite-volume field; face temperatures (used
for probes on faces, plane means and the active face of dies) come from the flux
through the face: T_face = T_cell − R (q_out − q_source), with R = d / (2 k) the
half-cell resistance per area, q_out the heat flux leaving the cell through the face
(to the neighbour cell, or to the ambient of a boundary) and q_source the flux of
power deposited on that face (``power_on: top|bottom``).

JEDEC JESD51 metrics, as this model computes them (P is the package's total power,
T_J a die's junction temperature: the maximum over its active face and its cells):

θJA = (T_J − T_A) / P
    JESD51-1/-2 junction-to-ambient, under the run's own boundaries; a JEDEC θJA
    needs the still-air (JESD51-2) or forced-air (JESD51-6) preset on the
    JESD51-7 2s2p board (the default boundary of a package).
ΨJT = (T_J − T_T) / P
    JESD51-2 characterisation parameter; T_T is the package's top surface above the
    die's centre (the package top centre for the usual centred die), under the run's
    boundaries.
ΨJB = (T_J − T_B) / P
    JESD51-6/-8 characterisation parameter; T_B is the board's top surface 1 mm
    from the package edge at the middle of a side when a board is modelled, else the
    package bottom face at its centre.
θJC = (T_J − T_C) / P
    Junction to case top: a separate solve with the package top (its outermost top
    faces; board and heat sink removed) held at T_A by an ideal cold plate and every
    other face adiabatic, as the classic cold-plate method and JESD51-14's top-side
    value intend; T_C is the cold plate temperature.
θJB = (T_J − T_B) / P
    Junction to board (JESD51-8): a separate solve with the bottom of the solder
    balls (board removed; the package bottom if it has no balls) held at T_A and
    every other face adiabatic; this is the usual compact-model value: JESD51-8's
    ring cold plate also measures some board spreading resistance, which this value
    leaves out.

With several dies each die's θ and Ψ use the total package power; JESD51-31's
thermal resistance matrix of a multi-die package follows from one solve per die
(:func:`sipkit.thermal.resistance_matrix`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DesignError
from .assembly import NORMAL_NAMES, UM
from .grid import SNAP

__all__ = ["DieResult", "ThermalResult"]

#: Roles of boxes that are not part of the package proper (for case and board metrics).
OUTSIDE_ROLES = ("board", "balls", "heatsink", "fin", "heatsink.tim")


@dataclass
class DieResult:
    """Junction temperatures and JEDEC metrics of one die (°C, K/W)."""

    name: str
    tj_max: float
    tj_mean: float
    power: float
    theta_ja: float | None = None
    psi_jt: float | None = None
    psi_jb: float | None = None
    theta_jc: float | None = None
    theta_jb: float | None = None

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        out = {"tj_max_C": self.tj_max, "tj_mean_C": self.tj_mean, "power_W": self.power}
        for key in ("theta_ja", "psi_jt", "psi_jb", "theta_jc", "theta_jb"):
            v = getattr(self, key)
            if v is not None:
                out[f"{key}_K_per_W"] = v
        return out


@dataclass
class ThermalResult:
    """A steady temperature field and what follows from it.

    Attributes
    ----------
    model : SolidModel
        The solved model (boundaries included).
    grid : Grid
    temperature : ndarray, shape (nx, ny, nz)
        Cell temperatures, °C; NaN in void cells.
    info : SolveInfo
        Iterations, relative residual, energy balance and timings.
    heat_out : dict
        Heat leaving through each boundary (W), by boundary label.
    """

    model: object
    grid: object
    temperature: np.ndarray
    info: object
    heat_out: dict
    vox: object = field(repr=False, default=None)
    faces: object = field(repr=False, default=None)
    extra_metrics: dict = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    # -- basic figures --------------------------------------------------------------------
    @property
    def ambient(self) -> float:
        """The model's ambient temperature (°C)."""
        return self.model.ambient

    @property
    def power(self) -> float:
        """Total power (W)."""
        return float(self.vox.power.sum())

    @property
    def max(self) -> float:
        """Highest temperature (°C): cells and faces of powered boxes."""
        peak = float(np.nanmax(self.temperature))
        for d in self.dies.values():
            peak = max(peak, d.tj_max)
        return peak

    @property
    def energy_balance(self) -> float:
        """(power in − heat out) / power of the field."""
        return self.info.energy_balance

    @property
    def centers(self):
        """Cell centres along x, y, z (µm)."""
        return self.grid.centers

    # -- faces ----------------------------------------------------------------------------
    def _face_lookup(self):
        lk = self._cache.get("faces")
        if lk is None:
            f = self.faces
            key = f.cell * 6 + f.normal
            order = np.argsort(key)
            src = self.vox.face_power if getattr(self.vox, "face_power", None) is not None else None
            if src is not None and src[0].size:
                skey = src[0] * 6 + src[1]
                sorder = np.argsort(skey)
                src = (skey[sorder], src[2][sorder])
            else:
                src = (np.zeros(0, dtype=np.int64), np.zeros(0))
            lk = (key[order], order, src)
            self._cache["faces"] = lk
        return lk

    def face_temperature(self, i, j, k, normal: str) -> np.ndarray:
        """Temperature (°C) of the `normal` face of cells (i, j, k) (arrays broadcast)."""
        if normal not in NORMAL_NAMES:
            raise DesignError(f"unknown face {normal!r}; expected one of {', '.join(NORMAL_NAMES)}")
        n_index = NORMAL_NAMES.index(normal)
        axis, sign = n_index // 2, (1 if normal[0] == "+" else -1)
        i, j, k = np.broadcast_arrays(np.asarray(i), np.asarray(j), np.asarray(k))
        ijk = [i.ravel(), j.ravel(), k.ravel()]
        shape = self.grid.shape
        cells = np.ravel_multi_index(ijk, shape)
        T = self.temperature.ravel()
        Tc = T[cells]
        kk = (self.vox.kx, self.vox.ky, self.vox.kz)[axis].ravel()
        widths = self.grid.widths[axis] * UM
        others = [a for a in range(3) if a != axis]
        area = (self.grid.widths[others[0]][ijk[others[0]]] * self.grid.widths[others[1]][ijk[others[1]]]
                * UM * UM)
        Rc = 0.5 * widths[ijk[axis]] / kk[cells]
        q_out = np.zeros(cells.size)
        nb = ijk[axis] + sign
        inside = (nb >= 0) & (nb < shape[axis])
        nijk = [a.copy() for a in ijk]
        nijk[axis] = np.clip(nb, 0, shape[axis] - 1)
        ncell = np.ravel_multi_index(nijk, shape)
        owner = self.vox.owner.ravel()
        active_nb = inside & (owner[ncell] >= 0)
        if active_nb.any():
            m = active_nb
            Rn = 0.5 * widths[nijk[axis][m]] / kk[ncell[m]]
            Rcontact = self._contact(owner[cells[m]], owner[ncell[m]])
            q_out[m] = (Tc[m] - T[ncell[m]]) / (Rc[m] + Rn + Rcontact)
        keys, order, (skeys, swatts) = self._face_lookup()
        fkey = cells * 6 + n_index
        pos = np.searchsorted(keys, fkey)
        pos = np.clip(pos, 0, max(keys.size - 1, 0))
        hit = (~active_nb) & (keys.size > 0) & (keys[pos] == fkey if keys.size else False)
        if np.any(hit):
            fi = order[pos[hit]]
            q_out[hit] = self.faces.g[fi] * (Tc[hit] - self.faces.t[fi]) / area[hit]
        q_src = np.zeros(cells.size)
        if skeys.size:
            sp = np.clip(np.searchsorted(skeys, fkey), 0, skeys.size - 1)
            shit = skeys[sp] == fkey
            q_src[shit] = swatts[sp[shit]] / area[shit]
        out = Tc - Rc * (q_out - q_src)
        return out.reshape(i.shape)

    def _contact(self, oa, ob):
        contacts = self.model.contacts
        out = np.zeros(oa.size)
        if not contacts:
            return out
        boxes = self.model.boxes
        for c in contacts:
            sets = [np.array([b for b in range(len(boxes)) if boxes[b].name == n or boxes[b].owner == n])
                    for n in c.between]
            m = (np.isin(oa, sets[0]) & np.isin(ob, sets[1])) | (np.isin(oa, sets[1]) & np.isin(ob, sets[0]))
            out[m] += c.resistance
        return out

    def _box_face(self, b: int, normal: str):
        """(i, j, k, area) of the cells along a face of box b's region."""
        box = self.model.boxes[b]
        sl = self.grid.span(box.min, box.max)
        axis = NORMAL_NAMES.index(normal) // 2
        layer = sl[axis].stop - 1 if normal[0] == "+" else sl[axis].start
        rng = [np.arange(s.start, s.stop) for s in sl]
        rng[axis] = np.array([layer])
        i, j, k = np.meshgrid(*rng, indexing="ij")
        others = [a for a in range(3) if a != axis]
        w = self.grid.widths
        ijk = (i, j, k)
        area = w[others[0]][ijk[others[0]]] * w[others[1]][ijk[others[1]]]
        return i, j, k, area

    def face_stats(self, box: str, normal: str = "+z") -> dict:
        """Area mean and maximum temperature (°C) over one face of a box's region."""
        b = self._box_index(box)
        i, j, k, area = self._box_face(b, normal)
        T = self.face_temperature(i, j, k, normal)
        return {"mean_C": float((T * area).sum() / area.sum()), "max_C": float(T.max())}

    def plane_mean(self, z: float, region=None) -> float:
        """Area mean temperature (°C) of the horizontal plane at `z` (µm) over `region`.

        `region` is (x0, y0, x1, y1) in µm (the whole grid by default); `z` must be a
        grid line (a box face).  Cells that are void on both sides are left out.
        """
        ze = self.grid.z
        kz = int(np.argmin(np.abs(ze - z)))
        if abs(ze[kz] - z) > max(SNAP, 1e-9 * abs(z)):
            raise DesignError(f"z = {z:g} µm is not a grid plane; use a box face")
        xe, ye = self.grid.x, self.grid.y
        x0, y0, x1, y1 = region if region is not None else (xe[0], ye[0], xe[-1], ye[-1])
        wx = np.clip(np.minimum(xe[1:], x1) - np.maximum(xe[:-1], x0), 0, None)
        wy = np.clip(np.minimum(ye[1:], y1) - np.maximum(ye[:-1], y0), 0, None)
        ii, jj = np.nonzero(wx[:, None] * wy[None, :] > 0)
        w = wx[ii] * wy[jj]
        owner = self.vox.owner
        nz = self.grid.shape[2]
        below = owner[ii, jj, kz - 1] >= 0 if kz > 0 else np.zeros(ii.size, bool)
        above = owner[ii, jj, kz] >= 0 if kz < nz else np.zeros(ii.size, bool)
        T = np.full(ii.size, np.nan)
        if below.any():
            T[below] = self.face_temperature(ii[below], jj[below], np.full(below.sum(), kz - 1), "+z")
        sel = above & ~below
        if sel.any():
            T[sel] = self.face_temperature(ii[sel], jj[sel], np.full(sel.sum(), kz), "-z")
        ok = ~np.isnan(T)
        if not ok.any():
            raise DesignError(f"no solid at z = {z:g} µm in that region")
        return float((T[ok] * w[ok]).sum() / w[ok].sum())

    # -- points ---------------------------------------------------------------------------
    def temperature_at(self, point) -> float:
        """Temperature (°C) at `point` (x, y, z in µm), on a face or inside a cell.

        Inside a cell the field is interpolated linearly towards the neighbouring
        centres (or towards the face temperature next to void) along each axis.
        """
        from ..units import to_internal

        p = [to_internal(v, "length", f"point[{a}]") for a, v in enumerate(point)]
        i, j, k = self.grid.locate(p)
        owner = self.vox.owner
        idx = [i, j, k]
        edges = self.grid.edges
        # a point on a grid plane belongs to the active side
        for a in range(3):
            e = edges[a]
            n = idx[a]
            if abs(p[a] - e[n]) <= SNAP and n > 0:
                lower = idx.copy()
                lower[a] = n - 1
                if owner[tuple(idx)] < 0 and owner[tuple(lower)] >= 0:
                    idx = lower
            if abs(p[a] - e[n + 1]) <= SNAP and n + 1 < e.size - 1:
                upper = idx.copy()
                upper[a] = n + 1
                if owner[tuple(idx)] < 0 and owner[tuple(upper)] >= 0:
                    idx = upper
        if owner[tuple(idx)] < 0:
            raise DesignError(f"point {list(p)} µm lies in no box")
        c = self.centers
        shape = self.grid.shape
        # on a face of the cell: the face temperature, interpolated along the face
        normal = None
        for a in range(3):
            lo_edge, hi_edge = edges[a][idx[a]], edges[a][idx[a] + 1]
            if abs(p[a] - hi_edge) <= SNAP:
                normal = "+" + "xyz"[a]
                break
            if abs(p[a] - lo_edge) <= SNAP:
                normal = "-" + "xyz"[a]
                break

        def value(cell):
            if normal is None:
                return float(self.temperature[tuple(cell)])
            return float(self.face_temperature(*cell, normal))

        base = value(idx)
        total = base
        for a in range(3):
            if normal is not None and normal[1] == "xyz"[a]:
                continue
            off = p[a] - c[a][idx[a]]
            if abs(off) <= SNAP:
                continue
            nb = list(idx)
            nb[a] += 1 if off > 0 else -1
            if 0 <= nb[a] < shape[a] and owner[tuple(nb)] >= 0:
                dist = abs(c[a][nb[a]] - c[a][idx[a]])
                total += (value(nb) - base) * abs(off) / dist
            elif normal is None:
                half = 0.5 * self.grid.widths[a][idx[a]]
                face = float(self.face_temperature(*idx, ("+" if off > 0 else "-") + "xyz"[a]))
                total += (face - base) * min(abs(off) / half, 1.0)
        return total

    @property
    def probes(self) -> dict:
        """Temperatures (°C) at the model's probes."""
        out = self._cache.get("probes")
        if out is None:
            out = {name: self.temperature_at(p) for name, p in self.model.probes}
            self._cache["probes"] = out
        return out

    # -- boxes and dies -------------------------------------------------------------------
    def _box_index(self, name: str) -> int:
        for b, box in enumerate(self.model.boxes):
            if box.name == name:
                return b
        raise DesignError(f"no box {name!r}")

    def _box_cells(self, b: int):
        box = self.model.boxes[b]
        sl = self.grid.span(box.min, box.max)
        mask = self.vox.owner[sl] == b
        return sl, mask

    @property
    def boxes(self) -> dict:
        """Volume mean and maximum temperature (°C) of every box's visible cells."""
        out = self._cache.get("boxes")
        if out is None:
            out = {}
            w = self.grid.widths
            for b, box in enumerate(self.model.boxes):
                sl, mask = self._box_cells(b)
                if not mask.any():
                    continue
                vol = (w[0][sl[0]][:, None, None] * w[1][sl[1]][None, :, None] * w[2][sl[2]][None, None, :])
                T = self.temperature[sl]
                vm = vol * mask
                out[box.name] = {"mean_C": float((T * vm).sum() / vm.sum()),
                                 "max_C": float(T[mask].max())}
            self._cache["boxes"] = out
        return out

    def mean_over(self, names) -> float:
        """Volume mean temperature (°C) over the visible cells of several boxes."""
        w = self.grid.widths
        total = 0.0
        volume = 0.0
        for name in names:
            b = self._box_index(name)
            sl, mask = self._box_cells(b)
            vol = (w[0][sl[0]][:, None, None] * w[1][sl[1]][None, :, None]
                   * w[2][sl[2]][None, None, :]) * mask
            total += float((self.temperature[sl] * vol).sum())
            volume += float(vol.sum())
        return total / volume

    def _die_junction(self, boxes) -> tuple[float, float]:
        """(max, mean) junction temperature of a die made of `boxes`."""
        face_T = []
        face_A = []
        cell_max = -math.inf
        w = self.grid.widths
        total = 0.0
        volume = 0.0
        for box in boxes:
            b = self.model.boxes.index(box)
            sl, mask = self._box_cells(b)
            if mask.any():
                cell_max = max(cell_max, float(self.temperature[sl][mask].max()))
                vol = (w[0][sl[0]][:, None, None] * w[1][sl[1]][None, :, None]
                       * w[2][sl[2]][None, None, :]) * mask
                total += float((self.temperature[sl] * vol).sum())
                volume += float(vol.sum())
            if box.power > 0 and box.power_on in ("top", "bottom"):
                normal = "+z" if box.power_on == "top" else "-z"
                i, j, k, area = self._box_face(b, normal)
                face_T.append(self.face_temperature(i, j, k, normal).ravel())
                face_A.append(area.ravel())
        if face_T:
            T = np.concatenate(face_T)
            A = np.concatenate(face_A)
            return max(cell_max, float(T.max())), float((T * A).sum() / A.sum())
        return cell_max, total / volume

    @property
    def dies(self) -> dict:
        """Per die (or heat source): junction temperatures and JEDEC metrics."""
        out = self._cache.get("dies")
        if out is None:
            out = {}
            P = self.power
            t_board = self._board_temperature()
            for name, boxes in self.model.sources().items():
                tmax, tmean = self._die_junction(boxes)
                d = DieResult(name, tmax, tmean, float(sum(b.power for b in boxes)))
                if P > 0:
                    d.theta_ja = (tmax - self.ambient) / P
                    t_top = self._top_temperature(boxes)
                    if t_top is not None:
                        d.psi_jt = (tmax - t_top) / P
                    if t_board is not None:
                        d.psi_jb = (tmax - t_board) / P
                extra = self.extra_metrics.get(name, {})
                d.theta_jc = extra.get("theta_jc")
                d.theta_jb = extra.get("theta_jb")
                out[name] = d
            self._cache["dies"] = out
        return out

    def _package_boxes(self):
        boxes = [b for b in self.model.boxes if b.role not in OUTSIDE_ROLES and b.owner != "heatsink"]
        return boxes or list(self.model.boxes)

    def _top_temperature(self, die_boxes):
        """T_T: the package's top surface above the die's centre (°C), or None."""
        cx = (min(b.min[0] for b in die_boxes) + max(b.max[0] for b in die_boxes)) / 2
        cy = (min(b.min[1] for b in die_boxes) + max(b.max[1] for b in die_boxes)) / 2
        over = [b for b in self._package_boxes() if b.min[0] <= cx <= b.max[0] and b.min[1] <= cy <= b.max[1]]
        if not over:
            return None
        try:
            return self.temperature_at((cx, cy, max(b.max[2] for b in over)))
        except DesignError:
            return None

    def _board_temperature(self):
        """T_B (°C): the board top 1 mm from the package edge at the middle of a side.

        Without a board, the package bottom at its centre; None if neither exists.
        """
        if "board" in self._cache:
            return self._cache["board"]
        boxes = self._package_boxes()
        lo = [min(b.min[a] for b in boxes) for a in range(3)]
        hi = [max(b.max[a] for b in boxes) for a in range(3)]
        cx, cy = (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2
        t_board = None
        try:
            board = [b for b in self.model.boxes if b.role == "board"]
            if board:
                ztop = max(b.max[2] for b in board)
                x = hi[0] + 1000.0
                if x > max(b.max[0] for b in board):
                    x = lo[0] - 1000.0
                t_board = self.temperature_at((x, cy, ztop))
            else:
                under = [b for b in boxes if b.min[0] <= cx <= b.max[0] and b.min[1] <= cy <= b.max[1]]
                if under:
                    t_board = self.temperature_at((cx, cy, min(b.min[2] for b in under)))
        except DesignError:
            t_board = None
        self._cache["board"] = t_board
        return t_board

    # -- output ---------------------------------------------------------------------------
    def to_dict(self, boxes: bool = True) -> dict:
        """The result as plain data (the thermal JSON of the design notes)."""
        out = {
            "model": self.model.name,
            "max_C": self.max,
            "ambient_C": self.ambient,
            "power_W": self.power,
            "energy_balance": self.info.energy_balance,
            "relative_residual": self.info.residual,
            "dies": {n: d.to_dict() for n, d in self.dies.items()},
            "probes": self.probes,
            "boundaries_W": self.heat_out,
            "grid": {"shape": list(self.grid.shape), "cells": self.grid.size},
            "solver": self.info.to_dict(),
        }
        if boxes:
            out["boxes"] = self.boxes
        return out

    def to_json(self, **options) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(**options), indent=1, allow_nan=False)

    def summary(self) -> str:
        """A short text report."""
        lines = [f"Thermal result: {self.model.name}",
                 f"  grid {' x '.join(map(str, self.grid.shape))} = {self.grid.size:,} cells, "
                 f"{self.info.iterations} iterations, residual {self.info.residual:.1e}, "
                 f"energy balance {self.info.energy_balance:.1e}",
                 f"  power {self.power:.4g} W, ambient {self.ambient:g} °C, max {self.max:.2f} °C"]
        if self.dies:
            lines.append(f"  {'die':16s} {'P (W)':>8s} {'Tj max':>8s} {'Tj mean':>8s} {'θJA':>7s} "
                         f"{'ΨJT':>7s} {'ΨJB':>7s} {'θJC':>7s} {'θJB':>7s}")
            for name, d in self.dies.items():
                def f(v):
                    return f"{v:7.2f}" if v is not None else "      -"
                lines.append(f"  {name:16s} {d.power:8.3f} {d.tj_max:8.2f} {d.tj_mean:8.2f} {f(d.theta_ja)} "
                             f"{f(d.psi_jt)} {f(d.psi_jb)} {f(d.theta_jc)} {f(d.theta_jb)}")
        if self.heat_out:
            lines.append("  heat out: " + ", ".join(f"{k} {v:.3g} W" for k, v in self.heat_out.items()))
        if self.probes:
            lines.append("  probes: " + ", ".join(f"{k} {v:.2f} °C" for k, v in self.probes.items()))
        return "\n".join(lines)

    # -- plots (matplotlib imported lazily) ----------------------------------------------
    def plot_layer(self, z: float | None = None, ax=None, **options):
        """Colour map of the horizontal layer of cells at height `z` (µm); see :mod:`.plots`."""
        from .plots import plot_layer

        return plot_layer(self, z=z, ax=ax, **options)

    def plot_die(self, name: str | None = None, ax=None, **options):
        """Colour map of a die's active face (or its hottest layer)."""
        from .plots import plot_die

        return plot_die(self, name=name, ax=ax, **options)

    def plot_section(self, axis: str = "x", at: float | None = None, ax=None, **options):
        """Colour map of a vertical cross-section along `axis` through `at` (µm)."""
        from .plots import plot_section

        return plot_section(self, axis=axis, at=at, ax=ax, **options)
