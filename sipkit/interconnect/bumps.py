"""Flip-chip bumps and pillars: resistance, inductance, current density, electromigration life.

Geometry per bump kind (:class:`sipkit.model.BumpSpec`):

* ``solder_ball``: a sphere of the bump diameter D truncated symmetrically to the
  stand-off height h (h < D).  Its resistance is exact for that shape,
  ``R = (2ρ / (π R_s)) artanh(h / (2 R_s))`` with R_s = D/2, and the current density is
  taken at the pad contact, the smallest section, of diameter ``2 sqrt(R_s² - h²/4)``.
* ``copper_pillar`` and ``micro_bump``: a cylinder of the bump diameter, the body
  material below an optional solder cap (``cap_material``, ``cap_height``); current
  density over the cylinder's section.

The inductance is the partial self-inductance of a straight round conductor of the
bump's height (:func:`.parasitics.partial_self_inductance`); a ball uses the cylinder
of equal resistance.  Resistivities follow the material cards at the given
temperature.

Electromigration: Black's equation (J. R. Black, "Electromigration - a brief survey and
some recent results", IEEE Trans. Electron Devices ED-16(4), 338-347, 1969),
``t50 = A J^-n exp(Ea / kT)``, anchored at the catalog's reference test condition so that
``t50 = t50_ref (J/J_ref)^-n exp(Ea/k (1/T - 1/T_ref))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError
from .catalog import BOLTZMANN_EV
from .parasitics import partial_self_inductance

__all__ = [
    "BumpGroup",
    "black_acceleration",
    "black_life",
    "bump_analysis",
    "bump_contact_area",
    "bump_inductance",
    "bump_resistance",
]

_UM = 1e-6


def black_life(J, T, *, n: float, Ea: float, J_ref: float, T_ref: float, t50_ref: float):
    """Median EM life from Black's equation anchored at a reference condition.

    Parameters
    ----------
    J : float or array
        Current density (A/m²); zero gives an infinite life.
    T : float or array
        Temperature (°C).
    n, Ea : float
        Current-density exponent and activation energy (eV).
    J_ref, T_ref, t50_ref : float
        Reference current density (A/m²), temperature (°C) and median life (any time
        unit: the result is in the same unit).

    Examples
    --------
    Halving the current density at the reference temperature with n = 2 quadruples
    the life:

    >>> float(black_life(0.5e8, 150, n=2, Ea=0.8, J_ref=1e8, T_ref=150, t50_ref=1000))
    4000.0
    """
    J = np.abs(np.asarray(J, dtype=float))
    T = np.asarray(T, dtype=float)
    Tk, Tk_ref = T + 273.15, T_ref + 273.15
    if np.any(Tk <= 0) or Tk_ref <= 0:
        raise DesignError("temperatures must be above absolute zero")
    with np.errstate(divide="ignore"):
        out = t50_ref * (J / J_ref) ** (-n) * np.exp(Ea / BOLTZMANN_EV * (1 / Tk - 1 / Tk_ref))
    return out if out.ndim else float(out)


def black_acceleration(J_use, T_use, J_test, T_test, *, n: float, Ea: float) -> float:
    """Acceleration factor t50(use) / t50(test) of Black's equation (J in any one unit, T in °C).

    Examples
    --------
    >>> round(black_acceleration(1, 150, 2, 150, n=2, Ea=0.8), 6)
    4.0
    """
    return float(black_life(J_use, T_use, n=n, Ea=Ea, J_ref=J_test, T_ref=T_test, t50_ref=1.0))


def _resistivity(pkg, name, T):
    return pkg.material(name).resistivity_at(T)


def bump_resistance(spec, pkg, temperature: float = 25.0) -> float:
    """Resistance (Ω) of one bump of `spec` with the package's material cards at `temperature` °C."""
    r = spec.diameter / 2 * _UM
    if spec.kind == "solder_ball" and spec.height < spec.diameter:
        rho = _resistivity(pkg, spec.material, temperature)
        return 2 * rho / (math.pi * r) * math.atanh(spec.height * _UM / (2 * r))
    area = math.pi * r * r
    cap = spec.cap_height if spec.cap_material else 0.0
    body = (spec.height - cap) * _UM * _resistivity(pkg, spec.material, temperature)
    top = cap * _UM * _resistivity(pkg, spec.cap_material, temperature) if cap else 0.0
    return (body + top) / area


def bump_contact_area(spec) -> float:
    """Smallest current-carrying section of a bump (m²): a ball's pad contact, else the section."""
    r = spec.diameter / 2
    if spec.kind == "solder_ball" and spec.height < spec.diameter:
        return math.pi * (r * r - spec.height * spec.height / 4) * _UM * _UM
    return math.pi * r * r * _UM * _UM


def bump_inductance(spec) -> float:
    """Low-frequency partial self-inductance (H) of one bump."""
    r = spec.diameter / 2
    if spec.kind == "solder_ball" and spec.height < spec.diameter:
        # the cylinder of equal resistance: h / (π r_eq²) = ∫ dz / (π r(z)²)
        g = 2 / r * math.atanh(spec.height / (2 * r))
        r = math.sqrt(spec.height / g)
    return partial_self_inductance(spec.height, r)


@dataclass(frozen=True, eq=False)
class BumpGroup:
    """The bumps of one flip-chip body with their electrical and EM figures.

    Attributes
    ----------
    body : str
        Die or interposer name.
    kind : str
        Bump kind.
    resistance : float
        Per bump (Ω).
    inductance : float
        Per bump (H).
    area : float
        Current-carrying section (m²).
    xy : ndarray, shape (n, 2)
        Bump centres in package coordinates (µm).
    nets : tuple
        Net of each bump (or None).
    current : ndarray
        Current per bump (A).
    J : ndarray
        Current density (A/m²).
    t50 : ndarray
        Median EM life (s); inf without current.
    underfill : bool
    """

    body: str
    kind: str
    resistance: float
    inductance: float
    area: float
    xy: np.ndarray
    nets: tuple
    current: np.ndarray
    J: np.ndarray
    t50: np.ndarray
    underfill: bool

    @property
    def count(self) -> int:
        """Number of bumps."""
        return len(self.xy)

    @property
    def J_max(self) -> float:  # noqa: N802 - J is the usual symbol
        """Largest current density (A/m²)."""
        return float(self.J.max()) if self.count else 0.0

    @property
    def t50_min(self) -> float:
        """Shortest median EM life (s)."""
        return float(self.t50.min()) if self.count else math.inf

    @property
    def parallel_resistance(self) -> float:
        """Resistance of all bumps in parallel (Ω)."""
        return self.resistance / self.count if self.count else math.inf


def _nets(fc, size):
    nets = [b.net for b in fc.bumps]
    for a in fc.arrays:
        nets += [a.net] * (a.count[0] * a.count[1])
    return tuple(nets)


def _currents(body, nets, current, currents) -> np.ndarray:
    table = dict(currents or {})
    out = np.empty(len(nets))
    for k, net in enumerate(nets):
        for key in (f"{body}.{net}" if net else None, net, body):
            if key is not None and key in table:
                out[k] = float(table[key])
                break
        else:
            out[k] = float(current)
    if not np.all(np.isfinite(out)):
        raise DesignError(f"bump currents of {body!r} must be finite numbers")
    return out


def bump_analysis(pkg, *, current: float = 0.0, currents=None, temperature: float = 25.0,
                  catalog=None) -> list[BumpGroup]:
    """Resistance, inductance, current density and EM life of every flip-chip bump.

    Parameters
    ----------
    pkg : Package
    current : float
        Current per bump (A) where `currents` does not say otherwise.
    currents : mapping, optional
        Current per bump (A) by ``"body.net"``, net name or body name (most specific
        first).
    temperature : float
        Bump temperature (°C) for resistivity and EM.
    catalog : Catalog, optional
        Bump reliability parameters; the built-in catalog by default.

    Returns
    -------
    list of BumpGroup
        One per flip-chip die or interposer.
    """
    from .catalog import builtin_catalog

    catalog = catalog or builtin_catalog()
    out = []
    for b in (*pkg.dies, *pkg.interposers):
        fc = b.flip_chip
        if fc is None:
            continue
        spec = fc.bump
        xy = b.to_package(fc.positions(b.size))
        nets = _nets(fc, b.size)
        cur = _currents(b.name, nets, current, currents)
        area = bump_contact_area(spec)
        J = np.abs(cur) / area
        t50 = catalog.bump(spec.kind).black.life(J, temperature)
        t50 = np.broadcast_to(np.asarray(t50, dtype=float), J.shape).copy()
        out.append(BumpGroup(b.name, spec.kind, bump_resistance(spec, pkg, temperature),
                             bump_inductance(spec), area, xy, nets, cur, J, t50, fc.underfill is not None))
    return out
