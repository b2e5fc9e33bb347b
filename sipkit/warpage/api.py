"""The public entry point: ``estimate(design, temperature=... | profile=...)``."""

from __future__ import annotations

import math
import os

import numpy as np

from ..errors import DesignError
from ..solid.model import load_design
from ..units import to_internal
from .profile import DEFAULT_STANDARD, WarpageProfile, load_limits, load_profile
from .response import ThermalResponse
from .result import Band, WarpageResult, _Fitter, from_response, node_map, warpage_metrics
from .stack import build_stack

__all__ = ["DEFAULT_STRESS_FREE", "ball_pitch", "estimate", "load_design", "to_solid"]

#: Stress-free temperature (°C) when neither the call nor the model gives one: the usual
#: cure temperature of epoxy mold compounds (molding and post-mold cure at about 175 °C).
DEFAULT_STRESS_FREE = 175.0
ROOM = 25.0


def to_solid(design):
    """(solid model, package or None) for a Package, a SolidModel or a file of either."""
    from ..model import Package
    from ..solid import SolidModel, from_package

    if isinstance(design, (str, os.PathLike)):
        design = load_design(design)
    if isinstance(design, Package):
        return from_package(design), design
    if isinstance(design, SolidModel):
        return design, None
    raise DesignError(f"expected a Package, a SolidModel or a file, got {type(design).__name__}", "design")


def ball_pitch(pkg) -> float | None:
    """The finest ball (or land) pitch of a package (µm), or None without lands."""
    pitches = [min(a.pitch) for a in pkg.substrate.land_arrays]
    lands = list(pkg.substrate.lands)
    if len(lands) > 1:
        from scipy.spatial import cKDTree

        pts = np.array([land.at for land in lands], dtype=float)
        d, _ = cKDTree(pts).query(pts, k=2)
        pitches.append(float(d[:, 1].min()))
    return min(pitches) if pitches else None


def _temperature(value, field: str) -> float:
    T = to_internal(value, "temperature", field)
    if not math.isfinite(T) or T < -273.15:
        raise DesignError(f"expected a temperature above absolute zero, got {value!r}", field)
    return T


def _band(limits, standard, pitch, pkg) -> tuple[Band | None, str | None]:
    """(band, note): the allowed band and, when there is none, why.

    The band comes from explicit limits, or from the standard's table and the ball pitch.
    """
    if limits is not None:
        if isinstance(limits, Band):
            return limits, None
        try:
            lo, hi = limits
        except (TypeError, ValueError):
            raise DesignError(f"expected limits (lower, upper) in µm, got {limits!r}", "limits") from None
        lo = to_internal(lo, "length", "limits[0]")
        hi = to_internal(hi, "length", "limits[1]")
        if not lo <= 0 <= hi:
            raise DesignError(f"expected lower <= 0 <= upper (µm), got ({lo:g}, {hi:g})", "limits")
        return Band(lower=lo, upper=hi), None
    table = load_limits().standard(standard or DEFAULT_STANDARD)
    if pitch is None:
        # the package's own pitch: without a row for it there is simply no band
        p = ball_pitch(pkg) if pkg is not None else None
        if p is None:
            return None, "no allowed band: no ball pitch (give pitch or limits)"
        try:
            return table.band(p), None
        except DesignError as err:
            return None, f"no allowed band: {err.message}"
    p = to_internal(pitch, "length", "pitch")
    if not p > 0:
        raise DesignError(f"a ball pitch must be greater than zero, got {pitch!r}", "pitch")
    return table.band(p), None


def estimate(design, temperature=None, *, profile=None, stress_free=None, grid=None, pitch=None,
             standard=None, limits=None, rtol: float = 1e-6) -> WarpageResult:
    """Warpage of a package or a solid model at a temperature or across a reflow profile.

    Parameters
    ----------
    design : Package, SolidModel, str or path
        A package (lowered with :func:`sipkit.solid.from_package`), a solid model, or a
        file of either.
    temperature : float or str, optional
        Temperature (°C) of the map; 25 °C when neither it nor `profile` is given.
    profile : str, path, ReflowProfile or sequence of temperatures, optional
        A reflow profile preset (``reflow-jedec-pbfree``: J-STD-020 Pb-free, 25 → 260 →
        25 °C), a profile file, or temperatures (°C) in order.  The result's map is at
        the temperature of the largest warpage; :meth:`WarpageResult.at` gives others.
    stress_free : float or str, optional
        Stress-free temperature (°C): the call's, else the solid model's, else
        :data:`DEFAULT_STRESS_FREE`.
    grid : int or (nx, ny), optional
        Plate grid: cells along the longer side (default 100) or along x and y.
    pitch : float or str, optional
        Ball pitch (µm) for the allowed band; a package's own finest land pitch by default.
    standard : str, optional
        Standard of the band (``jeita-ed-7306`` by default, or ``jedec-spp-024``); see
        ``thermal/warpage-limits.yaml``.
    limits : (lower, upper), optional
        An explicit allowed band of signed warpage (µm) instead of a standard's.
    rtol : float
        Relative residual of the plate solver.

    Returns
    -------
    WarpageResult

    Raises
    ------
    DesignError
        For unusable input (naming the file, line and field where there is one).

    Examples
    --------
    >>> from sipkit.solid import SolidModel
    >>> model = SolidModel(boxes=[
    ...     {"name": "sub", "min": [0, 0, 0], "max": [10000, 10000, 300], "material": "bt"},
    ...     {"name": "mold", "min": [0, 0, 300], "max": [10000, 10000, 900], "material": "emc"}],
    ...     materials=[{"name": "bt", "E": 25, "nu": 0.2, "cte": 15},
    ...                {"name": "emc", "E": 20, "nu": 0.3, "cte": 9}])
    >>> r = estimate(model, temperature=25, stress_free=175, grid=20)
    >>> r.shape, round(r.signed, 1)          # the substrate below shrinks more: convex
    ('convex', 33.9)
    """
    model, pkg = to_solid(design)
    if temperature is not None and profile is not None:
        raise DesignError("give a temperature or a profile, not both", "profile")
    if stress_free is not None:
        T0 = _temperature(stress_free, "stress_free")
    elif model.stress_free is not None:
        T0 = float(model.stress_free)
    else:
        T0 = DEFAULT_STRESS_FREE
    band, note = _band(limits, standard, pitch, pkg)
    times = None
    prof_name = None
    if profile is not None:
        if isinstance(profile, (str, os.PathLike)) or hasattr(profile, "sample"):
            prof = load_profile(profile)
            times, temps = prof.sample()
            prof_name = prof.name
        else:
            try:
                temps = np.array([_temperature(v, f"profile[{i}]") for i, v in enumerate(profile)])
            except TypeError:
                raise DesignError(f"expected a profile name, file or list of temperatures, got {profile!r}",
                                  "profile") from None
            if temps.size == 0:
                raise DesignError("a profile needs at least one temperature", "profile")
            times = np.full(temps.size, np.nan)
            prof_name = "custom"
    else:
        temps = np.array([ROOM if temperature is None else _temperature(temperature, "temperature")])
    stack = build_stack(model, grid)
    response = ThermalResponse.solve(stack, T0, temps, rtol=rtol)
    info = {"seconds": round(response.seconds, 4), "plate_solves": response.solves,
            "iterations": list(response.iterations),
            "intervals_C": [[iv.lo, iv.hi] for iv in response.intervals]}
    if note:
        info["limits_note"] = note
    name = model.name if pkg is None else pkg.name
    if profile is None:
        return from_response(response, float(temps[0]), name, band=band, info=info)
    x, y, _, valid = node_map(stack, np.zeros(stack.shape))
    fitter = _Fitter(x, y, valid)
    rows = [warpage_metrics(x, y, w, valid, _fitter=fitter) for w in response.deflections(temps, nodes=True)]
    curve = WarpageProfile(name=prof_name, times=np.asarray(times, dtype=float), temperatures=temps,
                           signed=np.array([r["signed"] for r in rows]),
                           warpage=np.array([r["warpage"] for r in rows]), shapes=[r["shape"] for r in rows],
                           kx=np.array([r["curvature"][0] for r in rows]),
                           ky=np.array([r["curvature"][1] for r in rows]), band=band)
    return from_response(response, float(temps[curve.worst]), name, band=band, profile=curve, info=info)
