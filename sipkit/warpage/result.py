"""Warpage results: coplanarity, sign and shape, curvatures, maps, JSON and text.

Conventions (JEDEC JESD22-B112A and JEITA ED-7306, see :data:`CONVENTION`):

* z up, the substrate at the bottom, the package seen from the top;
* **warpage** (coplanarity) is the distance between the highest and the lowest point
  of the surface after its least-squares plane is removed, always ≥ 0;
* its **sign** is positive for a *convex* package (the centre above the corners, a
  "frown" or "cry" seen from the side) and negative for a *concave* one (the centre
  below the corners, a "smile");
* the **shape** is ``convex``, ``concave``, ``saddle`` (principal curvatures of
  opposite signs, both significant), ``mixed`` (not a quadric: e.g. W- or M-shaped
  profiles), or ``flat`` when there is no warpage to speak of;
* **curvatures** kx, ky, kxy (1/m) are the least-squares quadric's, with the sign of
  classical lamination theory, κ = −∂²w/∂x² (positive is convex, like the warpage),
  and kxy = −∂²w/∂x∂y (the engineering twist is 2 kxy).

The deflection is the same through the thickness (Kirchhoff plate), so the top and the
bottom surfaces warp alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CONVENTION", "Band", "WarpageResult", "from_response", "node_map", "warpage_metrics"]

CONVENTION = ("z up, seen from the top; warpage = max - min after the least-squares plane "
              "(JEDEC JESD22-B112A, JEITA ED-7306); positive = convex (centre above the corners)")

#: Below this coplanarity (µm) a surface is reported ``flat``.
FLAT_UM = 1e-6
#: A saddle needs its weaker principal curvature at least this fraction of the stronger.
SADDLE_RATIO = 0.25
#: A surface whose quadric fit leaves more than this fraction of its RMS is ``mixed``.
MIXED_RESIDUAL = 0.5


@dataclass(frozen=True)
class Band:
    """An allowed warpage band (µm): signed warpage must lie in [lower, upper]."""

    lower: float
    upper: float
    standard: str = "custom"
    pitch: float | None = None
    source: str | None = None

    def contains(self, signed: float) -> bool:
        """Whether a signed warpage (µm) is inside the band."""
        return self.lower <= signed <= self.upper

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        return {"standard": self.standard, "lower_um": self.lower, "upper_um": self.upper,
                "pitch_um": self.pitch, "source": self.source}


class _Fitter:
    """Least-squares plane and quadric over the valid points of a grid.

    Also the points nearest the centre and the corners; all precomputed once per grid.
    """

    def __init__(self, x, y, valid):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        X, Y = np.meshgrid(x, y)
        self.valid = valid
        xm, ym = X[valid], Y[valid]
        # centre and corners of the valid region
        jj, ii = np.nonzero(valid)
        cx, cy = 0.5 * (x[ii].min() + x[ii].max()), 0.5 * (y[jj].min() + y[jj].max())
        self.center = int(np.argmin((xm - cx) ** 2 + (ym - cy) ** 2))
        self.corners = {}
        x0, x1, y0, y1 = x[ii].min(), x[ii].max(), y[jj].min(), y[jj].max()
        points = {"x0y0": (x0, y0), "x1y0": (x1, y0), "x0y1": (x0, y1), "x1y1": (x1, y1)}
        for name, (px, py) in points.items():
            self.corners[name] = int(np.argmin((xm - px) ** 2 + (ym - py) ** 2))
        xm, ym = (xm - xm.mean()) * 1e-6, (ym - ym.mean()) * 1e-6
        # scaled coordinates keep the 6 x 6 normal equations well conditioned
        s = max(float(np.abs(xm).max()), float(np.abs(ym).max()), 1e-12)
        u, v = xm / s, ym / s
        self._scale = s
        self.basis = np.stack([np.ones_like(u), u, v, 0.5 * u * u, u * v, 0.5 * v * v])
        self._gram_plane = np.linalg.inv(np.einsum("an,bn->ab", self.basis[:3], self.basis[:3]))
        self._gram_quad = np.linalg.inv(np.einsum("an,bn->ab", self.basis, self.basis))

    def plane(self, w):
        """The valid values `w` minus their least-squares plane."""
        c = self._gram_plane @ np.einsum("an,n->a", self.basis[:3], w)
        return w - np.einsum("a,an->n", c, self.basis[:3])

    def quadric(self, w):
        """(pxx, pxy, pyy) of the fitted quadric and the RMS of the misfit.

        Second derivatives per m² for `w` in m; the misfit in the unit of `w`.
        """
        bw = np.einsum("an,n->a", self.basis, w)
        c = self._gram_quad @ bw
        s2 = self._scale ** 2
        misfit = max(0.0, float(np.dot(w, w) - np.dot(c, bw)))  # |w - fit|^2 for least squares
        return (c[3] / s2, c[4] / s2, c[5] / s2), np.sqrt(misfit / max(w.size, 1))


def warpage_metrics(x, y, w, valid=None, _fitter=None) -> dict:
    """Coplanarity, sign, shape and curvatures of a deflection map.

    Parameters
    ----------
    x, y : ndarray
        Grid coordinates (µm), lengths nx and ny.
    w : ndarray, shape (ny, nx)
        Deflection (µm), z up.
    valid : ndarray of bool, optional
        Points that belong to the package.

    Returns
    -------
    dict
        ``w`` (the map with its least-squares plane removed, NaN outside), ``warpage``
        (µm, ≥ 0), ``signed`` (µm), ``shape``, ``curvature`` (kx, ky, kxy in 1/m),
        ``center`` and ``corners`` (µm, relative to the plane), ``center_to_corners``
        (centre minus each corner, µm), ``fit_residual`` (RMS misfit of the quadric
        relative to the RMS of the map).

    Examples
    --------
    >>> import numpy as np
    >>> x = y = np.linspace(-5000, 5000, 21)
    >>> X, Y = np.meshgrid(x, y)
    >>> m = warpage_metrics(x, y, -0.5 * 2.0 * ((X * 1e-6) ** 2 + (Y * 1e-6) ** 2) * 1e6)
    >>> m["shape"], round(m["warpage"], 6), [round(k, 9) for k in m["curvature"][:2]]
    ('convex', 50.0, [2.0, 2.0])
    """
    w = np.asarray(w, dtype=float)
    if valid is None:
        valid = np.isfinite(w)
    valid = valid & np.isfinite(w)
    fitter = _fitter
    if fitter is None or fitter.valid.shape != valid.shape or not np.array_equal(fitter.valid, valid):
        fitter = _Fitter(x, y, valid)
    wv = fitter.plane(w[valid])
    out_map = np.full(w.shape, np.nan)
    out_map[valid] = wv
    coplanarity = float(wv.max() - wv.min()) if wv.size else 0.0
    (pxx, pxy, pyy), resid = fitter.quadric(wv * 1e-6)
    resid *= 1e6
    kx, ky, kxy = -pxx, -pyy, -pxy
    center = float(wv[fitter.center])
    corners = {name: float(wv[k]) for name, k in fitter.corners.items()}
    rel = center - float(np.mean(list(corners.values())))
    # shape
    lam = np.linalg.eigvalsh(np.array([[kx, kxy], [kxy, ky]]))  # principal curvatures, convex > 0
    rms = float(np.sqrt(np.mean(wv ** 2))) if wv.size else 0.0
    if coplanarity < FLAT_UM:
        shape = "flat"
    elif resid > MIXED_RESIDUAL * rms:
        shape = "mixed"
    elif lam[0] < 0 < lam[1] and min(-lam[0], lam[1]) >= SADDLE_RATIO * max(-lam[0], lam[1]):
        shape = "saddle"
    elif (lam.sum() > 0) != (rel > 0):
        shape = "mixed"
    else:
        shape = "convex" if rel > 0 else "concave"
    sign = 1.0 if rel > 0 else -1.0
    return {"w": out_map, "warpage": coplanarity, "signed": sign * coplanarity if shape != "flat" else 0.0,
            "shape": shape, "curvature": (float(kx), float(ky), float(kxy)), "center": center,
            "corners": corners, "center_to_corners": {k: center - v for k, v in corners.items()},
            "fit_residual": resid / rms if rms > 0 else 0.0}


@dataclass(eq=False)
class WarpageResult:
    """Warpage of a package or solid model at one temperature, and across a profile.

    Attributes
    ----------
    name : str
    temperature : float
        Temperature of this map (°C); for a profile, the one with the largest warpage.
    stress_free : float
        Stress-free temperature (°C).
    x, y : ndarray
        Grid node coordinates (µm): the map is given at the corners of the plate's
        cells, the package edges included.
    w : ndarray, shape (ny + 1, nx + 1)
        Deflection (µm), z up, least-squares plane removed, NaN outside the package.
    warpage : float
        Coplanarity (µm, ≥ 0).
    signed : float
        Warpage with its sign: positive convex, negative concave.
    shape : str
        ``convex``, ``concave``, ``saddle``, ``mixed`` or ``flat``.
    curvature : (kx, ky, kxy)
        Curvatures (1/m) of the least-squares quadric, convex positive.
    center_to_corners : dict
        Centre minus each corner (µm): ``x0y0`` is the corner at the smallest x and y.
    band : Band or None
        The allowed band, when known (ball pitch and standard, or given).
    profile : WarpageProfile or None
        Warpage across a temperature profile.
    """

    name: str
    temperature: float
    stress_free: float
    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    warpage: float
    signed: float
    shape: str
    curvature: tuple
    center_to_corners: dict
    band: Band | None = None
    profile: object = None
    info: dict = field(default_factory=dict)
    _response: object = field(default=None, repr=False)

    # -- derived ----------------------------------------------------------------------
    @property
    def warpage_um(self) -> float:
        """Coplanarity (µm)."""
        return self.warpage

    @property
    def passed(self) -> bool | None:
        """Whether the warpage stays inside the band (at every profile temperature); None without a band."""
        if self.profile is not None:
            return self.profile.passed
        if self.band is None:
            return None
        return self.band.contains(self.signed)

    def at(self, temperature) -> WarpageResult:
        """The result at another temperature in the solved range (°C; cheap, no new solve)."""
        from ..units import to_internal

        if self._response is None:  # pragma: no cover - results are built by estimate()
            raise ValueError("this result has no response to evaluate")
        T = to_internal(temperature, "temperature", "temperature")
        return from_response(self._response.extended(T), T, self.name, band=self.band, info=self.info)

    # -- output -----------------------------------------------------------------------
    def to_dict(self, include_map: bool = False) -> dict:
        """Plain data (the JSON of ``sipkit warpage --format json``)."""
        kx, ky, kxy = self.curvature
        out = {
            "name": self.name,
            "temperature_C": self.temperature,
            "stress_free_C": self.stress_free,
            "warpage_um": self.warpage,
            "signed_warpage_um": self.signed,
            "shape": self.shape,
            "curvature_per_m": [kx, ky],
            "twist_per_m": kxy,
            "center_to_corners_um": dict(self.center_to_corners),
            "convention": CONVENTION,
            "grid": [int(self.x.size) - 1, int(self.y.size) - 1],
            "limits": self.band.to_dict() if self.band is not None else None,
            "pass": self.passed,
        }
        if self.profile is not None:
            out["profile"] = self.profile.to_dict()
        out["solver"] = dict(self.info)
        if include_map:
            out["map"] = {"x_um": self.x.tolist(), "y_um": self.y.tolist(),
                          "w_um": [[None if not np.isfinite(v) else float(v) for v in row] for row in self.w]}
        return out

    def to_json(self, include_map: bool = False) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(include_map), indent=1, allow_nan=False)

    def summary(self) -> str:
        """A short text report."""
        kx, ky, kxy = self.curvature
        lines = [f"Warpage of {self.name} at {self.temperature:g} °C (stress-free {self.stress_free:g} °C, "
                 f"{self.x.size - 1} x {self.y.size - 1} cells)",
                 f"  warpage   {self.signed:+.2f} µm  ({self.shape}; coplanarity {self.warpage:.2f} µm)",
                 f"  curvature kx {kx:+.4g} 1/m, ky {ky:+.4g} 1/m, kxy {kxy:+.4g} 1/m (convex > 0)",
                 "  centre - corners  "
                 + ", ".join(f"{k} {v:+.2f}" for k, v in self.center_to_corners.items()) + " µm"]
        if self.band is None and self.info.get("limits_note"):
            lines.append(f"  {self.info['limits_note']}")
        if self.profile is not None:
            lines.append(self.profile.summary())
        elif self.band is not None:
            verdict = "PASS" if self.passed else "FAIL"
            pitch = f", pitch {self.band.pitch:g} µm" if self.band.pitch else ""
            lines.append(f"  allowed   [{self.band.lower:+.0f}, {self.band.upper:+.0f}] µm "
                         f"({self.band.standard}{pitch}): {verdict}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"WarpageResult({self.name!r}, T={self.temperature:g} °C, warpage={self.signed:+.3g} µm, "
                f"shape={self.shape!r})")

    # -- plots ------------------------------------------------------------------------
    def plot_map(self, ax=None, kind: str = "contour", **options):
        """Plot the map: ``contour`` (filled, top view) or ``surface`` (3-D); see :mod:`.plots`."""
        from .plots import plot_map

        return plot_map(self, ax=ax, kind=kind, **options)

    def plot_profile(self, ax=None, **options):
        """Plot warpage against temperature with the allowed band; see :mod:`.plots`."""
        from .plots import plot_profile

        return plot_profile(self, ax=ax, **options)

    def save_figure(self, path, **options):
        """Write a figure (map, and the profile curve when there is one) to PNG/SVG/PDF."""
        from .plots import save_warpage_figure

        return save_warpage_figure(self, path, **options)


def node_map(stack, w_cells: np.ndarray):
    """(x, y, w, valid) on the grid nodes (the cell corners).

    The cell-centred map is interpolated to the corners of the cells, so that the
    package's edges and corners are part of the map.
    """
    from .plate import to_nodes

    w = to_nodes(w_cells)
    v = np.pad(stack.valid, 1)
    valid = v[:-1, :-1] | v[1:, :-1] | v[:-1, 1:] | v[1:, 1:]
    return stack.x_edges, stack.y_edges, w, valid


def from_response(response, T: float, name: str, band: Band | None = None, profile=None,
                  info: dict | None = None) -> WarpageResult:
    """Build a result from a solved :class:`~sipkit.warpage.response.ThermalResponse` at T."""
    x, y, w, valid = node_map(response.stack, response.deflection(T))
    m = warpage_metrics(x, y, w, valid)
    return WarpageResult(name=name, temperature=float(T), stress_free=response.stress_free, x=x, y=y,
                         w=m["w"], warpage=m["warpage"], signed=m["signed"], shape=m["shape"],
                         curvature=m["curvature"], center_to_corners=m["center_to_corners"], band=band,
                         profile=profile, info=dict(info or {}), _response=response)
