"""A material card: thermal, mechanical and electrical properties with their sources.

Values are stored in SI (W/(m·K), kg/m³, J/(kg·K), Pa, 1/K, Ω·m) and °C; cards are
written in the default units of :mod:`sipkit.units` (GPa, ppm/K, ...).

CTE values are *instantaneous* (the slope of the strain-temperature curve, as TMA
data sheets give α1 below and α2 above Tg), so the free thermal strain between two
temperatures is the integral of the CTE over temperature (:meth:`thermal_strain`),
not a single CTE times the temperature change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._schema import Spec, choice, quantity, table, text, vector3
from ..errors import MaterialError

__all__ = ["MATERIAL_KINDS", "Material", "mix"]

MATERIAL_KINDS = ("metal", "semiconductor", "ceramic", "glass", "polymer", "composite",
                  "solder", "gas", "mixture")

#: Numeric properties and their unit kinds (the schema of a card).
PROPERTIES = ("k", "rho", "cp", "E", "nu", "cte", "cte_z", "Tg", "E_above_Tg", "cte_above_Tg",
              "resistivity", "tcr", "melting", "k_exponent")


@dataclass(frozen=True)
class Material(Spec):
    """One material card.

    Parameters
    ----------
    name : str
    k : float or [kx, ky, kz]
        Thermal conductivity, W/(m·K) (at 300 K when `k_exponent` is set).
    rho : float
        Density, kg/m³.
    cp : float
        Specific heat, J/(kg·K).
    E : float
        Young's modulus below Tg, GPa (in-plane for laminates).
    nu : float
        Poisson's ratio.
    cte : float
        Instantaneous CTE below Tg, ppm/K (in-plane for laminates).
    cte_z : float, optional
        Through-thickness CTE where it differs, ppm/K.
    Tg : float, optional
        Glass transition, °C.
    E_above_Tg, cte_above_Tg : float, optional
        Modulus (GPa) and CTE (ppm/K) above Tg.
    resistivity : float, optional
        Electrical resistivity at 20 °C, Ω·m.
    tcr : float, optional
        Temperature coefficient of resistivity, 1/K.
    melting : float, optional
        Melting point (solidus), °C.
    k_exponent : float, optional
        k(T) = k · (300 K / T)^k_exponent (e.g. 1.3 for silicon).
    mix : mapping of name to volume fraction, optional
        A homogenised mixture of other cards (resolved by the library).
    sources : mapping of property to citation
    """

    name: str = text()
    description: str | None = text(None)
    kind: str | None = choice(MATERIAL_KINDS, None)
    k: tuple | None = vector3("conductivity", None, positive=True)
    rho: float | None = quantity("density", None, positive=True)
    cp: float | None = quantity("specific_heat", None, positive=True)
    E: float | None = quantity("modulus", None, positive=True)
    nu: float | None = quantity("dimensionless", None, min=-1.0)
    cte: float | None = quantity("cte", None)
    cte_z: float | None = quantity("cte", None)
    Tg: float | None = quantity("temperature", None)
    E_above_Tg: float | None = quantity("modulus", None, positive=True)
    cte_above_Tg: float | None = quantity("cte", None)
    resistivity: float | None = quantity("resistivity", None, positive=True)
    tcr: float | None = quantity("tcr", None)
    melting: float | None = quantity("temperature", None)
    k_exponent: float | None = quantity("dimensionless", None)
    mix: tuple | None = table("fraction")
    sources: tuple | None = table("text")

    def _validate(self):
        if self.nu is not None and self.nu >= 0.5:
            raise MaterialError(f"Poisson's ratio must be below 0.5, got {self.nu}", "nu")
        if self.mix is not None:
            given = [p for p in PROPERTIES if getattr(self, p) is not None]
            if given:
                raise MaterialError(f"a mixture takes its properties from its parts; remove {given[0]}",
                                    given[0])
            total = math.fsum(f for _, f in self.mix)
            if not math.isclose(total, 1.0, abs_tol=1e-9):
                raise MaterialError(f"mixture fractions must add up to 1, got {total:g}", "mix")
        if (self.E_above_Tg is not None or self.cte_above_Tg is not None) and self.Tg is None:
            raise MaterialError("properties above Tg need Tg", "Tg")

    # -- temperature dependence --------------------------------------------------------
    def _above(self, T: float) -> bool:
        return self.Tg is not None and T > self.Tg

    def require(self, prop: str):
        """The value of `prop`, or a MaterialError saying the card lacks it."""
        value = getattr(self, prop)
        if value is None:
            raise MaterialError(f"material {self.name!r} has no {prop}; add it to the card")
        return value

    def E_at(self, T: float) -> float:  # noqa: N802 - E is the usual symbol
        """Young's modulus at `T` °C (Pa), stepping to E_above_Tg above Tg."""
        if self._above(T) and self.E_above_Tg is not None:
            return self.E_above_Tg
        return self.require("E")

    def cte_at(self, T: float) -> float:
        """Instantaneous in-plane CTE at `T` °C (1/K)."""
        if self._above(T) and self.cte_above_Tg is not None:
            return self.cte_above_Tg
        return self.require("cte")

    def thermal_strain(self, T_from: float, T_to: float) -> float:
        """Free in-plane thermal strain from `T_from` to `T_to` (°C): ∫ α(T) dT."""
        alpha1 = self.require("cte")
        if self.Tg is None or self.cte_above_Tg is None:
            return alpha1 * (T_to - T_from)
        lo, hi, sign = (T_from, T_to, 1.0) if T_to >= T_from else (T_to, T_from, -1.0)
        below = max(0.0, min(hi, self.Tg) - lo)
        above = max(0.0, hi - max(lo, self.Tg))
        return sign * (alpha1 * below + self.cte_above_Tg * above)

    def k_at(self, T: float) -> tuple[float, float, float]:
        """Thermal conductivity [kx, ky, kz] at `T` °C (W/(m·K))."""
        k = self.require("k")
        if self.k_exponent is None:
            return k
        factor = (300.0 / (T + 273.15)) ** self.k_exponent
        return tuple(v * factor for v in k)

    def resistivity_at(self, T: float) -> float:
        """Electrical resistivity at `T` °C (Ω·m): ρ20 (1 + tcr (T − 20))."""
        rho = self.require("resistivity")
        return rho * (1.0 + (self.tcr or 0.0) * (T - 20.0))

    def source(self, prop: str) -> str | None:
        """Citation of `prop` given in the card."""
        return dict(self.sources or ()).get(prop)


def _weighted(parts, fractions, prop):
    values = [getattr(m, prop) for m in parts]
    if any(v is None for v in values):
        return None
    return math.fsum(f * v for f, v in zip(fractions, values, strict=False))


def mix(name: str, parts: list[Material], fractions: list[float]) -> Material:
    """Homogenise `parts` with volume `fractions` into one card.

    Rules (a routing layer: copper lines in resin): conductivity in-plane parallel
    (arithmetic mean) and through-plane series (harmonic mean); density by volume;
    specific heat by mass; modulus and Poisson's ratio by volume (Voigt); CTE
    stiffness-weighted (Turner: α = Σ f E α / Σ f E).  Properties some part lacks are
    left out.  Tg-dependent parts should be mixed at a temperature by the engines; the
    mixture itself has no Tg.
    """
    if len(parts) != len(fractions) or not parts:
        raise MaterialError("a mixture needs one fraction per part", "mix")
    out: dict = {"name": name, "kind": "mixture"}
    if all(m.k is not None for m in parts):
        kx = math.fsum(f * m.k[0] for f, m in zip(fractions, parts, strict=False))
        ky = math.fsum(f * m.k[1] for f, m in zip(fractions, parts, strict=False))
        kz = 1.0 / math.fsum(f / m.k[2] for f, m in zip(fractions, parts, strict=False))
        out["k"] = (kx, ky, kz)
    rho = _weighted(parts, fractions, "rho")
    if rho is not None:
        out["rho"] = rho
        if all(m.cp is not None for m in parts):
            out["cp"] = math.fsum(f * m.rho * m.cp for f, m in zip(fractions, parts, strict=False)) / rho
    E = _weighted(parts, fractions, "E")
    if E is not None:
        out["E"] = E
        nu = _weighted(parts, fractions, "nu")
        if nu is not None:
            out["nu"] = nu
        if all(m.cte is not None for m in parts):
            out["cte"] = math.fsum(f * m.E * m.cte for f, m in zip(fractions, parts, strict=False)) / E
    return Material.from_internal(**out)
