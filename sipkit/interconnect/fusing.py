"""Fusing current and current-carrying limit of bond wires.

Three models, from the shortest pulses to continuous current:

``onderdonk_current``
    Adiabatic heating (no heat leaves the wire during the pulse), the model behind
    I. M. Onderdonk's equation for copper, ``I = A sqrt(log10(1 + (Tm - Ta)/(234 + Ta)) / (33 t))``
    (A in circular mils; quoted e.g. by D. Brooks, PCD&F, "Onderdonk's and Preece's
    equations: how do they compare?").  Written for any metal from its card:
    ``(I/A)² t = (γ c / (ρ20 α)) ln((1 + α (Tm - 20)) / (1 + α (Ta - 20)))`` with density
    γ, specific heat c, resistivity ρ20 and its temperature coefficient α at 20 °C, and
    melting point Tm.  For copper this reproduces Onderdonk's 234 (= 1/α - 20) and his
    33 to within a few per cent.
``preece_current``
    W. H. Preece's empirical law for long wires in air, ``I = a d^1.5`` (d in inches),
    Proc. R. Soc. Lond. 36, 464-471 (1884) and 43, 280-295 (1887); the coefficient `a`
    per metal comes from the wire catalog.
``conduction_limited_current``
    Steady state of a wire whose two ends are held at the ambient temperature by the
    bonds (the long-pulse regime of bond-wire fusing analysed by E. Loh, "Physical
    analysis of data on fused-open bond wires", IEEE Trans. CHMT 6(2), 209-217, 1983),
    neglecting heat lost sideways into mold or air, which makes it conservative.  With
    ``ρ(θ) = ρa (1 + β θ)`` (θ the rise above ambient) the 1-D heat equation
    ``k A θ'' + I² ρ(θ) / A = 0`` with θ = 0 at both ends gives the hot-spot rise
    ``θmax = (sec(m L/2) - 1) / β``, ``m² = I² ρa β / (k A²)``; so the current for a
    given rise is ``I = (2/L) arccos(1/(1 + β θmax)) A sqrt(k / (ρa β))``.  Thermal
    runaway (the steady-state fusing limit) is at ``m L = π``.

Lengths are µm, currents A, temperatures °C.
"""

from __future__ import annotations

import math

from ..errors import DesignError

__all__ = [
    "conduction_limited_current",
    "onderdonk_current",
    "preece_current",
    "runaway_current",
    "wire_temperature_rise",
]

_UM = 1e-6
_INCH_UM = 25400.0


def _pos(x, name):
    x = float(x)
    if not (x > 0 and math.isfinite(x)):
        raise DesignError(f"{name} must be a positive number, got {x!r}")
    return x


def _card_values(material, *props):
    return [material.require(p) for p in props]


def preece_current(diameter: float, coefficient: float) -> float:
    """Preece fusing current (A) of a wire of `diameter` (µm): ``a d^1.5``, d in inches.

    Examples
    --------
    >>> round(preece_current(25, 10244), 3)     # about 1 mil copper
    0.316
    """
    d_in = _pos(diameter, "diameter") / _INCH_UM
    return _pos(coefficient, "Preece coefficient") * d_in ** 1.5


def onderdonk_current(diameter: float, time: float, material, ambient: float = 25.0) -> float:
    """Adiabatic fusing current (A) for a pulse of `time` seconds (Onderdonk's model).

    Parameters
    ----------
    diameter : float
        µm.
    time : float
        Pulse length (s).
    material : Material
        Card with rho (density), cp, resistivity, tcr and melting.
    ambient : float
        Starting temperature (°C).
    """
    d = _pos(diameter, "diameter") * _UM
    t = _pos(time, "time")
    gamma, cp, rho20, alpha, tm = _card_values(material, "rho", "cp", "resistivity", "tcr", "melting")
    if not alpha > 0:
        raise DesignError(f"material {material.name!r}: the adiabatic fusing model needs a positive tcr")
    if ambient >= tm:
        raise DesignError(f"ambient {ambient} °C is at or above the melting point {tm} °C")
    area = math.pi * d * d / 4
    j2t = gamma * cp / (rho20 * alpha) * math.log((1 + alpha * (tm - 20)) / (1 + alpha * (ambient - 20)))
    return area * math.sqrt(j2t / t)


def _conduction_terms(length, diameter, material, ambient):
    L = _pos(length, "length") * _UM
    d = _pos(diameter, "diameter") * _UM
    area = math.pi * d * d / 4
    k = material.k_at(ambient)[0]
    rho20, alpha = _card_values(material, "resistivity", "tcr")
    rho_a = rho20 * (1 + alpha * (ambient - 20))
    beta = alpha / (1 + alpha * (ambient - 20))
    return L, area, k, rho_a, beta


def conduction_limited_current(length: float, diameter: float, material, rise: float,
                               ambient: float = 25.0) -> float:
    """Steady current (A) whose hot spot lies `rise` kelvin above the ambient at both ends.

    Parameters
    ----------
    length, diameter : float
        µm.
    material : Material
        Card with k, resistivity and tcr.
    rise : float
        Allowed hot-spot rise (K); the melting point minus the ambient gives the
        steady-state fusing current.
    ambient : float
        Temperature of both bonds (°C).

    Examples
    --------
    >>> from sipkit import builtin_library
    >>> au = builtin_library()["au-wire"]
    >>> round(conduction_limited_current(1000, 25, au, rise=100), 2)
    1.43
    """
    rise = _pos(rise, "rise")
    L, area, k, rho_a, beta = _conduction_terms(length, diameter, material, ambient)
    if beta > 0:
        return 2 / L * math.acos(1 / (1 + beta * rise)) * area * math.sqrt(k / (rho_a * beta))
    return area / L * math.sqrt(8 * k * rise / rho_a)


def runaway_current(length: float, diameter: float, material, ambient: float = 25.0) -> float:
    """Current (A) at which the steady conduction-limited wire runs away thermally (m L = π)."""
    L, area, k, rho_a, beta = _conduction_terms(length, diameter, material, ambient)
    if not beta > 0:
        return math.inf
    return math.pi / L * area * math.sqrt(k / (rho_a * beta))


def wire_temperature_rise(length: float, diameter: float, material, current: float,
                          ambient: float = 25.0) -> float:
    """Steady hot-spot rise (K) of a wire carrying `current` A with both ends at the ambient.

    Infinite at or above :func:`runaway_current`.
    """
    current = abs(float(current))
    if current == 0:
        return 0.0
    L, area, k, rho_a, beta = _conduction_terms(length, diameter, material, ambient)
    if not beta > 0:
        return current * current * rho_a * L * L / (8 * k * area * area)
    mL2 = current * L / 2 * math.sqrt(rho_a * beta / k) / area
    if mL2 >= math.pi / 2:
        return math.inf
    return (1 / math.cos(mL2) - 1) / beta
