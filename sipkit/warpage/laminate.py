"""Classical lamination theory for stacks of in-plane isotropic layers.

A layer (:class:`Ply`) is a material card between two heights, optionally with a metal
mixed in by its in-plane area fraction (a routing layer's copper in its dielectric).
Layers are in plane stress and isotropic in the plane, with reduced stiffness

    Q11 = Q22 = E / (1 − ν²),  Q12 = ν E / (1 − ν²),  Q66 = E / (2 (1 + ν)),

and the laminate's resultants about a reference plane z_ref are

    [N; M] = [A B; B D] [ε0; κ] − [N_T; M_T],   (A, B, D) = ∫ Q (1, z, z²) dz,

with strain ε = ε0 + z κ and curvature κ = (−w_xx, −w_yy, −2 w_xy): positive κ bends
the laminate convex, its centre above its edges seen from the top (z up).

**Mixing.** A metal of in-plane area fraction f in a matrix is mixed by the rule of
mixtures at equal in-plane strain (Voigt): Q = f Q_metal + (1 − f) Q_matrix, and the
thermal stress per kelvin Qα mixes the same way, which makes the effective CTE the
stiffness-weighted (Turner) mean.  This is exact for a layer of parallel lamellae
loaded along them and an upper bound otherwise.

**Temperature.** CTEs are *instantaneous* (the slope of the free strain, as TMA data
sheets give α1 below and α2 above Tg), and moduli change at Tg.  The state at T is
integrated incrementally from the stress-free temperature T0,

    dσ = C(T) (dε − α(T) dT),

so that for a free laminate (N = M = 0) ``d[ε0; κ]/dT = ABD(T)⁻¹ [N_α(T); M_α(T)]``
with the thermal resultants per kelvin N_α = ∫ Q α dz, M_α = ∫ Q α z dz.  Properties
are piecewise constant (they step at each Tg), so the integral is a finite sum over
the temperature intervals between the Tg's crossed: exact, with no step-size error.
The stress stored below Tg is not re-scaled when the modulus drops (a hypoelastic,
incremental model), which is what the incremental law says; a secant model
σ = C(T) (ε − ∫α dT) would instead scale all of it with C(T).

Materials without a modulus (air, greases) carry no stress and are skipped.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError, MaterialError
from ..materials import Material

__all__ = [
    "Ply",
    "abd",
    "breakpoints",
    "free_response",
    "layer_moduli",
    "reduced_stiffness",
    "thermal_resultants",
]

UM = 1e-6


def _card_moduli(card: Material | None, T: float) -> tuple[float, float, float]:
    """(E/(1−ν), E/(1+ν), E α/(1−ν)) of a card at T (Pa, Pa, Pa/K); zeros without E."""
    if card is None or card.E is None:
        return 0.0, 0.0, 0.0
    if card.nu is None:
        raise MaterialError(f"material {card.name!r} has a modulus but no Poisson's ratio (nu); add it to "
                            "the card")
    if card.cte is None:
        raise MaterialError(f"material {card.name!r} has a modulus but no CTE; add cte to the card")
    E = card.E_at(T)
    nu = card.nu
    alpha = card.cte_at(T)
    return E / (1.0 - nu), E / (1.0 + nu), E * alpha / (1.0 - nu)


def reduced_stiffness(E: float, nu: float) -> np.ndarray:
    """Plane-stress reduced stiffness Q (3 x 3, Pa) of an isotropic layer.

    Examples
    --------
    >>> round(float(reduced_stiffness(100e9, 0.25)[0, 0]) / 1e9, 4)
    106.6667
    """
    f = E / (1.0 - nu * nu)
    return np.array([[f, nu * f, 0.0], [nu * f, f, 0.0], [0.0, 0.0, E / (2.0 * (1.0 + nu))]])


def _q_from(s: float, d: float) -> np.ndarray:
    """Q of an in-plane isotropic layer from s = Q11 + Q12 and d = Q11 − Q12."""
    return np.array([[(s + d) / 2, (s - d) / 2, 0.0], [(s - d) / 2, (s + d) / 2, 0.0], [0.0, 0.0, d / 2]])


@dataclass(frozen=True)
class Ply:
    """One layer of a laminate.

    Parameters
    ----------
    material : Material
        The layer's card (the matrix when a metal is mixed in); a card without a
        modulus makes a layer without stiffness.
    z0, z1 : float
        Bottom and top heights (µm), z up.
    metal : Material, optional
        A metal mixed in by its in-plane area fraction.
    fraction : float
        Area fraction of `metal`, in [0, 1].
    """

    material: Material | None
    z0: float
    z1: float
    metal: Material | None = None
    fraction: float = 0.0

    def __post_init__(self):
        if not (math.isfinite(self.z0) and math.isfinite(self.z1) and self.z1 > self.z0):
            raise DesignError(f"a ply needs z1 > z0, got z0={self.z0!r}, z1={self.z1!r}", "z1")
        if not 0.0 <= self.fraction <= 1.0:
            raise DesignError(f"a metal fraction must lie in [0, 1], got {self.fraction!r}", "fraction")


def layer_moduli(ply: Ply, T: float) -> tuple[float, float, float]:
    """(s, d, sα) of a ply at T: s = Q11 + Q12, d = Q11 − Q12, sα = (Q11 + Q12) α.

    Mixed by area fraction (Voigt), see the module notes.
    """
    s, d, sa = _card_moduli(ply.material, T)
    if ply.metal is not None and ply.fraction > 0.0:
        sm, dm, sam = _card_moduli(ply.metal, T)
        f = ply.fraction
        s, d, sa = (1 - f) * s + f * sm, (1 - f) * d + f * dm, (1 - f) * sa + f * sam
    return s, d, sa


def _reference(plies, z_ref):
    if z_ref is None:
        return 0.5 * (min(p.z0 for p in plies) + max(p.z1 for p in plies))
    return float(z_ref)


def abd(plies, T: float, z_ref: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A (N/m), B (N) and D (N·m) of a laminate at temperature `T` (°C).

    Parameters
    ----------
    plies : sequence of Ply
    T : float
        Temperature at which moduli are taken (°C).
    z_ref : float, optional
        Reference plane (µm); the middle of the stack by default.  Curvatures do not
        depend on it.
    """
    plies = list(plies)
    z0 = _reference(plies, z_ref)
    A = np.zeros((3, 3))
    B = np.zeros((3, 3))
    D = np.zeros((3, 3))
    for p in plies:
        s, d, _ = layer_moduli(p, T)
        Q = _q_from(s, d)
        a, b = (p.z0 - z0) * UM, (p.z1 - z0) * UM
        A += Q * (b - a)
        B += Q * (b * b - a * a) / 2
        D += Q * (b ** 3 - a ** 3) / 3
    return A, B, D


def thermal_resultants(plies, T: float, z_ref: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Thermal force and moment resultants per kelvin at `T`: N_α (N/(m·K)), M_α (N/K).

    N_α = ∫ Q α dz and M_α = ∫ Q α z dz with the instantaneous CTE α(T).
    """
    plies = list(plies)
    z0 = _reference(plies, z_ref)
    N = np.zeros(3)
    M = np.zeros(3)
    for p in plies:
        _, _, sa = layer_moduli(p, T)
        a, b = (p.z0 - z0) * UM, (p.z1 - z0) * UM
        N[:2] += sa * (b - a)
        M[:2] += sa * (b * b - a * a) / 2
    return N, M


def _cards(plies):
    for p in plies:
        for card in (p.material, p.metal if p.fraction > 0 else None):
            if card is not None:
                yield card


def breakpoints(plies, lo: float = -math.inf, hi: float = math.inf) -> list[float]:
    """Temperatures strictly between `lo` and `hi` where some ply's properties step (Tg)."""
    out = set()
    for card in _cards(plies):
        if card.Tg is not None and (card.E_above_Tg is not None or card.cte_above_Tg is not None):
            if lo < card.Tg < hi:
                out.add(float(card.Tg))
    return sorted(out)


def free_response(plies, T_from: float, T_to: float, z_ref: float | None = None):
    """Mid-plane strain and curvature of a free laminate taken from `T_from` to `T_to`.

    Integrates ``d[ε0; κ]/dT = ABD(T)⁻¹ [N_α(T); M_α(T)]`` exactly over the intervals
    between the Tg's crossed (see the module notes).

    Returns
    -------
    eps0 : ndarray (3,)
        Mid-plane strain at `z_ref` (εx, εy, γxy).
    kappa : ndarray (3,)
        Curvature (κx, κy, κxy) in 1/m; positive is convex seen from the top.

    Examples
    --------
    A silicon strip on copper (Timoshenko's bimetal, ν = 0), cooled by 100 K:

    >>> si = Material(name="si", E=130, nu=0.0, cte=2.6)
    >>> cu = Material(name="cu", E=120, nu=0.0, cte=17)
    >>> _, k = free_response([Ply(cu, 0, 100), Ply(si, 100, 200)], 125, 25)
    >>> round(float(k[0]), 3)         # the copper below shrinks more: convex
    10.796
    """
    plies = list(plies)
    lo, hi = min(T_from, T_to), max(T_from, T_to)
    edges = [lo, *breakpoints(plies, lo, hi), hi]
    total = np.zeros(6)
    for a, b in itertools.pairwise(edges):
        if b <= a:
            continue
        Tm = 0.5 * (a + b)
        A, B, D = abd(plies, Tm, z_ref)
        N, M = thermal_resultants(plies, Tm, z_ref)
        K = np.block([[A, B], [B, D]])
        total += np.linalg.solve(_regularised(K), np.concatenate([N, M])) * (b - a)
    sign = 1.0 if T_to >= T_from else -1.0
    return sign * total[:3], sign * total[3:]


def _regularised(K: np.ndarray) -> np.ndarray:
    """K with unit diagonal where a laminate has no stiffness at all (so it solves to 0)."""
    out = K.copy()
    for i in range(6):
        if out[i, i] == 0.0:
            out[i, i] = 1.0
    return out
