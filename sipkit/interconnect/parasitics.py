"""Wire and conductor parasitics: resistance with temperature and frequency, inductance.

Formulas (lengths in µm at the API, results in SI):

* DC resistance ``R = ρ(T) ℓ / (π r²)`` with ``ρ(T) = ρ20 (1 + tcr (T - 20))`` from the
  wire's material card.
* Internal impedance per length of a round wire at frequency f, exact for a straight
  round conductor: ``Z = (k ρ / (2π r)) J0(k r) / J1(k r)`` with ``k = sqrt(-j ω µ0 / ρ)``
  (Bessel functions; e.g. S. Ramo, J. R. Whinnery, T. Van Duzer, *Fields and Waves in
  Communication Electronics*, 3rd ed., 1994, section 5.5).  Its real part is the AC
  resistance (skin effect); its imaginary part / ω the internal inductance, µ0/(8π)
  per length at DC.
* Self-inductance of a straight round wire at low frequency (E. B. Rosa, "The self and
  mutual inductances of linear conductors", Bulletin of the Bureau of Standards 4(2),
  301-344, 1908; also F. W. Grover, *Inductance Calculations*, 1946):
  ``L = (µ0 ℓ / 2π) [ln(2ℓ/r) - 3/4]``.
* Mutual inductance of two parallel filaments of length ℓ at distance d (Rosa 1908;
  Grover 1946): ``M = (µ0 ℓ / 2π) [ln(ℓ/d + sqrt(1 + ℓ²/d²)) - sqrt(1 + d²/ℓ²) + d/ℓ]``.
* 3-D loops: Neumann's double integral ``(µ0/4π) ∮∮ dl·dl' / |r - r'|`` over the
  polylines of :mod:`.loops`.  Inside one wire the kernel is regularised with the wire
  radius, ``1/sqrt(|r - r'|² + r_w²)``, which gives the *external* inductance of a round
  wire exactly for a straight piece (``(µ0 ℓ / 2π)[ln(2ℓ/r) - 1]`` for ℓ ≫ r); the
  internal inductance is added from the Bessel solution, so a straight wire reproduces
  Rosa's ``- 3/4`` at low frequency.  Mutual inductances between wires use the plain
  kernel.  Partial inductances are returned (the return path is not modelled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError
from .loops import pack_paths

__all__ = [
    "MU0",
    "MutualInductances",
    "internal_impedance",
    "mutual_inductance",
    "mutual_inductances",
    "parallel_wire_mutual_inductance",
    "partial_self_inductance",
    "self_inductance",
    "self_inductances",
    "straight_wire_inductance",
    "wire_resistance",
]

#: Vacuum permeability (H/m), CODATA 2018.
MU0 = 1.25663706212e-6
_UM = 1e-6
_GAUSS = 8


def _gauss():
    x, w = np.polynomial.legendre.leggauss(_GAUSS)
    return np.ascontiguousarray(x), np.ascontiguousarray(w)


def _positive(value, name):
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise DesignError(f"{name} must be a positive number, got {value!r}")
    return value


def wire_resistance(length: float, diameter: float, resistivity: float) -> float:
    """DC resistance (Ω) of a round wire.

    Parameters
    ----------
    length, diameter : float
        µm.
    resistivity : float
        Ω·m, e.g. ``card.resistivity_at(T)``.

    Examples
    --------
    >>> round(wire_resistance(1000, 25, 2.3e-8), 5)   # 1 mm of 25 µm gold
    0.04686
    """
    length = _positive(length, "length")
    r = _positive(diameter, "diameter") / 2 * _UM
    return _positive(resistivity, "resistivity") * length * _UM / (math.pi * r * r)


def internal_impedance(radius: float, resistivity: float, frequency: float) -> complex:
    """Internal impedance per metre (Ω/m) of a straight round wire at `frequency` (Hz).

    ``Re`` is the AC resistance per metre (skin effect), ``Im / (2πf)`` the internal
    inductance per metre (µ0/8π at low frequency).  `radius` in µm, `resistivity` in Ω·m.

    Examples
    --------
    >>> z = internal_impedance(12.5, 2.3e-8, 1.0)       # DC limit
    >>> bool(np.isclose(z.real, 2.3e-8 / (np.pi * 12.5e-6**2)))
    True
    """
    from scipy.special import jve

    a = _positive(radius, "radius") * _UM
    rho = _positive(resistivity, "resistivity")
    f = float(frequency)
    if not (f >= 0 and math.isfinite(f)):
        raise DesignError(f"frequency must be zero or positive, got {frequency!r}")
    r_dc = rho / (math.pi * a * a)
    w = 2 * math.pi * f
    if w * MU0 * a * a / rho < 1e-6:  # series limit: R_dc + jω µ0/(8π)
        return complex(r_dc, w * MU0 / (8 * math.pi))
    k = np.sqrt(-1j * w * MU0 / rho)
    ka = k * a
    # exponentially scaled Bessel functions: the scale factors cancel in the ratio
    ratio = jve(0, ka) / jve(1, ka)
    return complex(k * rho / (2 * math.pi * a) * ratio)


def straight_wire_inductance(length: float, radius: float) -> float:
    """Low-frequency self-inductance (H) of a straight round wire (Rosa 1908).

    ``L = (µ0 ℓ / 2π) [ln(2ℓ/r) - 3/4]``, valid for ℓ ≫ r.  Lengths in µm.

    Examples
    --------
    >>> round(straight_wire_inductance(1000, 12.5) * 1e9, 3)   # nH, 1 mm of 25 µm wire
    0.865
    """
    length = _positive(length, "length")
    radius = _positive(radius, "radius")
    return MU0 * length * _UM / (2 * math.pi) * (math.log(2 * length / radius) - 0.75)


def partial_self_inductance(length: float, radius: float) -> float:
    """Low-frequency partial self-inductance (H) of a straight round conductor of any aspect.

    The external part is the exact regularised integral (two filaments a radius apart),
    ``(µ0/2π)[ℓ asinh(ℓ/r) - sqrt(ℓ² + r²) + r]``, plus the internal µ0 ℓ / 8π; for
    ℓ ≫ r it tends to :func:`straight_wire_inductance`.  Used for bumps and pillars.
    """
    length = _positive(length, "length") * _UM
    r = _positive(radius, "radius") * _UM
    ext = MU0 / (2 * math.pi) * (length * math.asinh(length / r) - math.hypot(length, r) + r)
    return ext + MU0 * length / (8 * math.pi)


def parallel_wire_mutual_inductance(length: float, distance: float) -> float:
    """Mutual inductance (H) of two parallel filaments of equal length, side by side.

    Rosa (1908), Grover (1946): ``M = (µ0 ℓ/2π)[ln(ℓ/d + sqrt(1 + ℓ²/d²)) - sqrt(1 + d²/ℓ²) + d/ℓ]``.
    Lengths in µm.

    Examples
    --------
    >>> round(parallel_wire_mutual_inductance(1000, 100) * 1e9, 4)   # nH
    0.4186
    """
    ell = _positive(length, "length")
    d = _positive(distance, "distance")
    x = ell / d
    return MU0 * ell * _UM / (2 * math.pi) * (math.asinh(x) - math.sqrt(1 + 1 / (x * x)) + 1 / x)


def _as_polyline(points, name="points") -> np.ndarray:
    pts = np.ascontiguousarray(np.asarray(points, dtype=np.float64))
    if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) < 2:
        raise DesignError(f"{name} must be an array of at least two 3-D points, shape (n, 3)")
    if not np.all(np.isfinite(pts)):
        raise DesignError(f"{name} must be finite")
    return pts


def self_inductance(points, radius: float, *, resistivity: float | None = None,
                    frequency: float = 0.0) -> float:
    """Self-inductance (H) of a round wire along a 3-D polyline.

    External part by the regularised Neumann integral, internal part from the
    Bessel solution (µ0/8π per length at DC; it needs `resistivity` at f > 0).

    Parameters
    ----------
    points : array_like, shape (n, 3)
        Centreline (µm).
    radius : float
        Wire radius (µm).
    resistivity : float, optional
        Ω·m, for the internal inductance at `frequency`.
    frequency : float
        Hz; 0 for the low-frequency value.
    """
    from ._kernels import neumann_self

    pts = _as_polyline(points)
    r = _positive(radius, "radius")
    gx, gw = _gauss()
    ext = MU0 / (4 * math.pi) * neumann_self(pts, r * r, gx, gw) * _UM
    length = float(np.linalg.norm(np.diff(pts, axis=0), axis=1).sum()) * _UM
    return ext + length * _internal_per_metre(r, resistivity, frequency)


def _internal_per_metre(radius, resistivity, frequency) -> float:
    if not frequency:
        return MU0 / (8 * math.pi)
    if resistivity is None:
        raise DesignError("the internal inductance at a frequency needs the wire's resistivity")
    z = internal_impedance(radius, resistivity, frequency)
    return z.imag / (2 * math.pi * frequency)


def mutual_inductance(points_a, points_b) -> float:
    """Mutual inductance (H) between two wires given as 3-D polylines (µm), Neumann's formula."""
    from ._kernels import neumann_mutual

    a = _as_polyline(points_a, "points_a")
    b = _as_polyline(points_b, "points_b")
    gx, gw = _gauss()
    return MU0 / (4 * math.pi) * neumann_mutual(a, b, 0.0, gx, gw) * _UM


def self_inductances(paths, *, resistivities=None, frequency: float = 0.0) -> np.ndarray:
    """Self-inductance (H) of every wire of `paths` (WirePath objects), in parallel.

    `resistivities` (Ω·m per wire) are needed for ``frequency > 0``.
    """
    from ._kernels import neumann_self_batch

    paths = list(paths)
    if not paths:
        return np.zeros(0)
    pts, starts = pack_paths(paths)
    radii = np.array([p.radius for p in paths], dtype=np.float64)
    out = np.empty(len(paths))
    gx, gw = _gauss()
    neumann_self_batch(pts, starts, np.ascontiguousarray(radii * radii), gx, gw, out)
    ext = MU0 / (4 * math.pi) * out * _UM
    lengths = np.array([p.length for p in paths]) * _UM
    if frequency:
        if resistivities is None:
            raise DesignError("the internal inductance at a frequency needs the wires' resistivities")
        internal = np.array([_internal_per_metre(r, rho, frequency)
                             for r, rho in zip(radii, resistivities, strict=True)])
    else:
        internal = np.full(len(paths), MU0 / (8 * math.pi))
    return ext + lengths * internal


@dataclass(frozen=True, eq=False)
class MutualInductances:
    """Mutual inductances between pairs of wires closer than a cut-off.

    Attributes
    ----------
    i, j : ndarray of int
        Wire indices, i < j.
    M : ndarray of float
        Mutual inductance (H); its sign follows the wires' directions (pad to far end).
    n : int
        Number of wires.
    cutoff : float
        Pairs whose bounding boxes lie further apart than this (µm) were skipped.
    """

    i: np.ndarray
    j: np.ndarray
    M: np.ndarray
    n: int
    cutoff: float

    def dense(self) -> np.ndarray:
        """The symmetric n × n matrix of mutual inductances (H), zero on the diagonal."""
        out = np.zeros((self.n, self.n))
        out[self.i, self.j] = self.M
        out[self.j, self.i] = self.M
        return out

    def strongest(self) -> tuple[np.ndarray, np.ndarray]:
        """For each wire, the neighbour with the largest |M| and that M (H); -1 and 0 if none."""
        best = np.full(self.n, -1, dtype=np.int64)
        value = np.zeros(self.n)
        for a, b, m in zip(self.i, self.j, self.M, strict=True):
            for u, v in ((a, b), (b, a)):
                if abs(m) > abs(value[u]):
                    value[u] = m
                    best[u] = v
        return best, value


def candidate_pairs(paths, cutoff: float) -> tuple[np.ndarray, np.ndarray]:
    """Wire pairs (i < j) whose 3-D bounding boxes lie within `cutoff` (µm) of each other."""
    n = len(paths)
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    boxes = np.array([p.bbox for p in paths])
    lo, hi = boxes[:, :3], boxes[:, 3:]
    ii, jj = [], []
    order = np.argsort(lo[:, 0])
    lo_s, hi_s = lo[order], hi[order]
    # sweep along x: pairs whose x intervals come within cutoff
    for a in range(n):
        end = np.searchsorted(lo_s[:, 0], hi_s[a, 0] + cutoff, side="right")
        if end <= a + 1:
            continue
        cand = np.arange(a + 1, end)
        gap = np.maximum(0.0, np.maximum(lo_s[cand] - hi_s[a], lo_s[a] - hi_s[cand]))
        near = np.sqrt((gap * gap).sum(axis=1)) <= cutoff
        ii.append(np.full(int(near.sum()), order[a]))
        jj.append(order[cand[near]])
    if not ii:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    i = np.concatenate(ii).astype(np.int64)
    j = np.concatenate(jj).astype(np.int64)
    swap = i > j
    i[swap], j[swap] = j[swap], i[swap]
    return i, j


def mutual_inductances(paths, cutoff: float = 500.0) -> MutualInductances:
    """Mutual inductances of all wire pairs within `cutoff` (µm), Neumann's formula.

    Pairs are found by a sweep over bounding boxes and integrated in parallel by the
    numba kernel.  Mutual inductance falls off only logarithmically with distance, so
    choose the cut-off to cover the neighbours that matter (a few wire pitches).
    """
    from ._kernels import neumann_pairs_batch

    paths = list(paths)
    cutoff = float(cutoff)
    if not (cutoff >= 0 and math.isfinite(cutoff)):
        raise DesignError(f"cutoff must be a non-negative distance, got {cutoff!r}")
    i, j = candidate_pairs(paths, cutoff)
    out = np.empty(len(i))
    if len(i):
        pts, starts = pack_paths(paths)
        gx, gw = _gauss()
        neumann_pairs_batch(pts, starts, i, j, gx, gw, out)
    return MutualInductances(i, j, MU0 / (4 * math.pi) * out * _UM, len(paths), cutoff)
