"""Solder-joint thermal fatigue: Engelmaier's model per joint, and a map of the worst joints.

Engelmaier's model (W. Engelmaier, IEEE Trans. CHMT 6(3), 232-237, 1983; in the form of
IPC-D-279 and IPC-9701, with the cyclic-frequency term replaced by the half-cycle dwell
time as Engelmaier did in 1988 - see E. George, M. Osterman, M. Pecht, "An evaluation of
dwell time and mean cyclic temperature parameters in the Engelmaier model",
Microelectronics Reliability 55(3-4), 582-587, 2015):

* cyclic shear strain ``Δγ = F · L_D · |Δα| · ΔT / h`` with L_D the distance of the joint
  from the neutral point (DNP), Δα the CTE mismatch of the two parts it joins, ΔT the
  temperature swing and h the solder height;
* fatigue ductility exponent ``c = -0.442 - 6·10⁻⁴ T_s + 1.74·10⁻² ln(1 + 360 / t_D)``
  with T_s the mean cycle temperature (°C) and t_D the half-cycle dwell (minutes);
* median cycles to failure ``N_f = ½ (Δγ / (2 ε_f'))^(1/c)`` with the fatigue ductility
  coefficient ε_f' (0.325; see the bump catalog's sources).

Which joints: the bumps of every flip-chip die or interposer (the body against what it
sits on: the substrate, an interposer or another die; neutral point at the centre of its
bump field) and the package's BGA balls against the board (neutral point at the centre
of the ball field).

CTEs: a die or interposer takes its card's CTE at the mean temperature.  The substrate
takes the stiffness-weighted (Turner) average over its stack-up, each conductor layer
mixing copper and its fill by the layer's real copper coverage.  For the balls the
package CTE is the same average over every body of the package (substrate, mold, dies,
lid, ...), weighted by modulus times volume; the board CTE is the ``fr4`` card's unless
given.

Joint height: the whole stand-off of the bump or ball (pillar and cap together for a
copper pillar: the pillar bends with the cap, and the cap alone would overstate the
strain many times; Engelmaier's model is only a rough screen for pillars).

Underfill: Engelmaier's model describes free-standing joints; an underfill couples die
and substrate and carries most of the mismatch.  sipkit computes the bare-joint life and
multiplies it by ``underfill_factor`` (default 5, the low end of the 5-10× life gain
reported for underfilled flip chips by V. Gektin, A. Bar-Cohen, "Narrowing the gap in
flip chips", IEEE Circuits and Devices Magazine, 1998, pp. 29-33).  This is a screening
estimate: underfilled joints need a finite-element or CTE-matched-underfill analysis
for sign-off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import DesignError
from ..units import to_internal

__all__ = [
    "JointGroup",
    "engelmaier_cycles",
    "engelmaier_exponent",
    "joint_fatigue",
    "package_cte",
    "substrate_cte",
]


def engelmaier_exponent(mean_T: float, dwell: float) -> float:
    """Fatigue ductility exponent c for mean cycle temperature (°C) and half-cycle dwell (min).

    Examples
    --------
    >>> round(engelmaier_exponent(50.0, 15.0), 4)
    -0.416
    """
    if not (dwell > 0 and math.isfinite(dwell)):
        raise DesignError(f"the dwell time must be positive minutes, got {dwell!r}")
    return -0.442 - 6e-4 * mean_T + 1.74e-2 * math.log(1 + 360.0 / dwell)


def engelmaier_cycles(dnp, height: float, delta_alpha: float, delta_T: float, *, mean_T: float,
                      dwell: float = 15.0, ductility: float = 0.325, F: float = 1.0):
    """Median cycles to failure of solder joints by Engelmaier's model.

    Parameters
    ----------
    dnp : float or array
        Distance from the neutral point (µm).
    height : float
        Solder joint height (µm).
    delta_alpha : float
        CTE mismatch of the joined parts (1/K).
    delta_T : float
        Temperature swing (K).
    mean_T : float
        Mean cycle temperature (°C).
    dwell : float
        Half-cycle dwell (minutes).
    ductility, F : float
        Fatigue ductility coefficient and empirical factor.

    Returns
    -------
    float or ndarray
        Cycles to 50 % failures; infinite where the strain is zero.
    """
    if not height > 0:
        raise DesignError(f"the joint height must be positive, got {height!r}")
    c = engelmaier_exponent(mean_T, dwell)
    strain = F * np.abs(np.asarray(dnp, dtype=float)) * abs(delta_alpha) * abs(delta_T) / height
    with np.errstate(divide="ignore"):
        out = 0.5 * (strain / (2 * ductility)) ** (1 / c)
    return out if out.ndim else float(out)


def _mixed(pkg, layer, T, coverage):
    """(E, E·α) of a stack-up layer at T, conductors mixing copper and fill by coverage."""
    la = pkg.substrate.layer(layer)
    card = pkg.material(la.material)
    if not la.is_conductor:
        E = card.E_at(T)
        return E, E * card.cte_at(T)
    f = coverage(layer)
    fill = pkg.material(pkg.substrate.fill_material(layer))
    Ec, Ef = card.E_at(T), fill.E_at(T)
    return f * Ec + (1 - f) * Ef, f * Ec * card.cte_at(T) + (1 - f) * Ef * fill.cte_at(T)


def _coverage_fn(pkg):
    bbox = pkg.bbox()
    cache = {}

    def coverage(layer):
        if layer not in cache:
            cache[layer] = pkg.copper_coverage(layer, bbox)
        return cache[layer]

    return coverage


def substrate_cte(pkg, T: float = 25.0) -> float:
    """In-plane CTE (1/K) of the substrate: Turner average over the stack-up at T °C.

    ``α = Σ E_i t_i α_i / Σ E_i t_i``; conductor layers mix copper and their fill by the
    layer's copper coverage of the substrate outline.
    """
    coverage = _coverage_fn(pkg)
    num = den = 0.0
    for la in pkg.substrate.stackup:
        E, Ea = _mixed(pkg, la.name, T, coverage)
        num += Ea * la.thickness
        den += E * la.thickness
    return num / den


def package_cte(pkg, T: float = 25.0) -> float:
    """In-plane CTE (1/K) of the whole package: Turner average over its bodies at T °C.

    Every body of :func:`sipkit.model.bodies` (but heat sinks, fins and bodies whose
    card has no modulus or CTE, such as thermal greases) counts by modulus × volume; a
    mold cap's volume excludes the bodies it encapsulates.
    """
    from ..model.geometry import bodies

    coverage = _coverage_fn(pkg)
    num = den = 0.0
    all_bodies = [b for b in bodies(pkg) if b.role not in ("heatsink", "fin")]
    for b in all_bodies:
        volume = b.footprint.area * (b.z1 - b.z0)
        if b.role == "mold":
            inside = [o for o in all_bodies if o.role not in ("mold", "layer", "coin", "lid", "shield", "tim")
                      and o.z0 < b.z1 and o.z1 > b.z0]
            volume -= sum(o.footprint.intersection(b.footprint).area
                          * (min(o.z1, b.z1) - max(o.z0, b.z0)) for o in inside)
            volume = max(volume, 0.0)
        if b.role == "layer":
            E, Ea = _mixed(pkg, b.name, T, coverage)
        else:
            card = pkg.material(b.material)
            if card.E is None or card.cte is None:
                continue  # a gel or grease (TIM) without stiffness data carries no load
            E = card.E_at(T)
            Ea = E * card.cte_at(T)
        num += Ea * volume
        den += E * volume
    return num / den


@dataclass(frozen=True, eq=False)
class JointGroup:
    """Fatigue figures of one set of joints (a body's bumps, or the BGA balls).

    Attributes
    ----------
    name : str
        E.g. ``npu bumps`` or ``BGA balls``.
    level : {"first", "second"}
        Die/interposer to its support, or package to board.
    body, support : str
        The two parts joined.
    kind : str
        Bump kind (``solder_ball`` for BGA balls).
    xy : ndarray, shape (n, 2)
        Joint centres (µm).
    neutral : ndarray, shape (2,)
        Neutral point (µm).
    dnp : ndarray
        Distance from the neutral point (µm).
    height : float
        Solder height (µm).
    delta_alpha : float
        CTE mismatch (1/K).
    strain : ndarray
        Cyclic shear strain.
    cycles_bare : ndarray
        Engelmaier median cycles to failure without underfill.
    cycles : ndarray
        With the underfill factor applied where the joints are underfilled.
    underfill : bool
    """

    name: str
    level: str
    body: str
    support: str
    kind: str
    xy: np.ndarray
    neutral: np.ndarray
    dnp: np.ndarray
    height: float
    delta_alpha: float
    strain: np.ndarray
    cycles_bare: np.ndarray
    cycles: np.ndarray
    underfill: bool

    @property
    def count(self) -> int:
        """Number of joints."""
        return len(self.xy)

    @property
    def min_cycles(self) -> float:
        """Life of the worst joint (cycles)."""
        return float(self.cycles.min()) if self.count else math.inf

    def worst(self, n: int = 5) -> list[dict]:
        """The `n` joints with the fewest cycles to failure."""
        order = np.argsort(self.cycles, kind="stable")[:n]
        return [{"x_um": float(self.xy[k, 0]), "y_um": float(self.xy[k, 1]), "dnp_um": float(self.dnp[k]),
                 "strain": float(self.strain[k]), "cycles": float(self.cycles[k])} for k in order]


def joint_fatigue(pkg, *, t_min: float = 0.0, t_max: float = 100.0, dwell: float = 15.0,
                  board_cte=None, board_material: str = "fr4", underfill_factor: float = 5.0,
                  catalog=None) -> list[JointGroup]:
    """Engelmaier fatigue life of every flip-chip bump and BGA ball of a package.

    Parameters
    ----------
    pkg : Package
    t_min, t_max : float
        Temperature cycle (°C); IPC-9701's TC1 (0 to 100 °C) by default.
    dwell : float
        Half-cycle dwell (minutes).
    board_cte : float or str, optional
        Board in-plane CTE (ppm/K for a bare number); the `board_material` card's by default.
    board_material : str
        Card of the board laminate.
    underfill_factor : float
        Life multiplier of underfilled joints (see the module notes).
    catalog : Catalog, optional
        Fatigue parameters per bump kind; the built-in catalog by default.

    Returns
    -------
    list of JointGroup
        One per flip-chip body, then one for the BGA balls if the package has any.
    """
    from .catalog import builtin_catalog

    catalog = catalog or builtin_catalog()
    t_min, t_max = float(t_min), float(t_max)
    if not (t_max > t_min):
        raise DesignError(f"the cycle needs t_max > t_min, got {t_min} to {t_max} °C")
    if not (underfill_factor >= 1 and math.isfinite(underfill_factor)):
        raise DesignError(f"underfill_factor must be at least 1, got {underfill_factor!r}")
    dT = t_max - t_min
    Tm = 0.5 * (t_min + t_max)
    sub_cte = None
    out = []
    bodies = {b.name: b for b in (*pkg.dies, *pkg.interposers)}
    for b in (*pkg.dies, *pkg.interposers):
        fc = b.flip_chip
        if fc is None:
            continue
        if b.on == "substrate":
            if sub_cte is None:
                sub_cte = substrate_cte(pkg, Tm)
            support_cte = sub_cte
        else:
            support_cte = pkg.material(bodies[b.on].material).cte_at(Tm)
        d_alpha = abs(pkg.material(b.material).cte_at(Tm) - support_cte)
        xy = b.to_package(fc.positions(b.size))
        neutral = xy.mean(axis=0)
        dnp = np.hypot(xy[:, 0] - neutral[0], xy[:, 1] - neutral[1])
        params = catalog.bump(fc.bump.kind).fatigue
        h = fc.bump.height
        bare = np.asarray(engelmaier_cycles(dnp, h, d_alpha, dT, mean_T=Tm, dwell=dwell,
                                            ductility=params.ductility, F=params.F), dtype=float).reshape(-1)
        uf = fc.underfill is not None
        strain = params.F * dnp * d_alpha * dT / h
        out.append(JointGroup(f"{b.name} bumps", "first", b.name, b.on, fc.bump.kind, xy, neutral, dnp, h,
                              d_alpha, strain, bare, bare * underfill_factor if uf else bare, uf))
    balls = [land for land in pkg.substrate.all_lands() if land.ball is not None]
    if balls:
        if board_cte is None:
            board = pkg.material(board_material).cte_at(Tm)
        else:
            board = to_internal(board_cte, "cte", "board_cte")
        d_alpha = abs(package_cte(pkg, Tm) - board)
        xy = np.array([land.at for land in balls], dtype=float)
        neutral = xy.mean(axis=0)
        dnp = np.hypot(xy[:, 0] - neutral[0], xy[:, 1] - neutral[1])
        params = catalog.bump("solder_ball").fatigue
        heights = np.array([land.ball.height for land in balls])
        h = float(heights.min())
        strain = params.F * dnp * d_alpha * dT / heights
        cyc = np.array([engelmaier_cycles(d, hh, d_alpha, dT, mean_T=Tm, dwell=dwell,
                                          ductility=params.ductility, F=params.F)
                        for d, hh in zip(dnp, heights, strict=True)])
        out.append(JointGroup("BGA balls", "second", pkg.name, "board", "solder_ball", xy, neutral, dnp, h,
                              d_alpha, strain, cyc, cyc, False))
    return out
