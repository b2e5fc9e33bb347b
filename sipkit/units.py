"""Units at the boundary of sipkit.

Every user-facing quantity accepts a bare number in its documented default unit, a
string such as ``"0.3 mm"`` or a :class:`pint.Quantity`.  This module converts such a
value once into a plain float in sipkit's internal unit for that kind of quantity;
nothing inside sipkit carries Quantities.

==================  ====================  =====================
kind                bare number means     stored internally as
==================  ====================  =====================
length              µm                    µm
power               W                     W
temperature         °C                    °C
modulus             GPa                   Pa
cte                 ppm/K                 1/K
conductivity        W/(m·K)               W/(m·K)
density             kg/m³                 kg/m³
specific_heat       J/(kg·K)              J/(kg·K)
resistivity         Ω·m                   Ω·m
tcr                 1/K                   1/K
htc                 W/(m²·K)              W/(m²·K)
time                s                     s
frequency           Hz                    Hz
current             A                     A
angle               degree                degree
==================  ====================  =====================

pint is imported only when a string or a Quantity has to be converted, so scripts that
pass plain numbers never pay for it.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import cache

from .errors import UnitError

__all__ = ["KINDS", "Q_", "from_internal", "to_internal", "ureg"]


@dataclass(frozen=True)
class _Kind:
    article: str  # "a length", used in error messages
    default: str  # pint unit a bare number is in
    internal: str  # pint unit stored inside sipkit
    scale: float  # internal value of one default unit (exact powers of ten or 1)

    def apply(self, x: float) -> float:
        # divide by 1e6 rather than multiply by 1e-6: 1e-6 is inexact, 1e6 is exact
        return x * self.scale if self.scale >= 1.0 else x / round(1.0 / self.scale)

    def undo(self, x: float) -> float:
        return x / self.scale if self.scale >= 1.0 else x * round(1.0 / self.scale)


KINDS: dict[str, _Kind] = {
    "length": _Kind("a length", "um", "um", 1.0),
    "power": _Kind("a power", "W", "W", 1.0),
    "temperature": _Kind("a temperature", "degC", "degC", 1.0),
    "modulus": _Kind("a modulus (pressure)", "GPa", "Pa", 1e9),
    "cte": _Kind("a thermal expansion coefficient", "ppm/K", "1/K", 1e-6),
    "conductivity": _Kind("a thermal conductivity", "W/(m*K)", "W/(m*K)", 1.0),
    "density": _Kind("a density", "kg/m**3", "kg/m**3", 1.0),
    "specific_heat": _Kind("a specific heat", "J/(kg*K)", "J/(kg*K)", 1.0),
    "resistivity": _Kind("an electrical resistivity", "ohm*m", "ohm*m", 1.0),
    "tcr": _Kind("a temperature coefficient", "1/K", "1/K", 1.0),
    "htc": _Kind("a heat transfer coefficient", "W/(m**2*K)", "W/(m**2*K)", 1.0),
    "time": _Kind("a time", "s", "s", 1.0),
    "frequency": _Kind("a frequency", "Hz", "Hz", 1.0),
    "current": _Kind("a current", "A", "A", 1.0),
    "angle": _Kind("an angle", "degree", "degree", 1.0),
    "dimensionless": _Kind("a plain number", "", "", 1.0),
}


@cache
def _registry():
    import pint

    reg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    reg.formatter.default_format = "~P"
    return reg


class _LazyRegistry:
    """Attribute access to the shared pint registry, created on first use."""

    def __getattr__(self, name):
        return getattr(_registry(), name)

    def __call__(self, *args, **kwargs):
        return _registry()(*args, **kwargs)


ureg = _LazyRegistry()


def Q_(value, unit=None):  # noqa: N802 - pint's own spelling
    """Build a Quantity in sipkit's shared unit registry."""
    return _registry().Quantity(value, unit)


def _describe(value) -> str:
    return repr(value) if isinstance(value, str) else f"{value!r}"


def _finite(x: float, kind: _Kind, field: str | None, original) -> float:
    if not math.isfinite(x):
        raise UnitError(
            f"expected {kind.article}, got {_describe(original)} (not a finite number)",
            field,
        )
    return x


def to_internal(value, kind: str, field: str | None = None, default: str | None = None) -> float:
    """Convert a user value into a float in sipkit's internal unit for `kind`.

    Parameters
    ----------
    value : float, int, str or pint.Quantity
        A bare number in the default unit, a string such as ``"0.3 mm"`` or a
        Quantity.
    kind : str
        One of :data:`KINDS`, e.g. ``"length"``.
    field : str, optional
        Field path reported in errors, e.g. ``dies[1].thickness``.
    default : str, optional
        Unit of a bare number, replacing the kind's default (a design file's
        ``units: mm`` sets this for lengths).

    Returns
    -------
    float

    Raises
    ------
    UnitError
        On a wrong dimension, an unparsable string, NaN or infinity.

    Examples
    --------
    >>> to_internal("0.3 mm", "length")
    300.0
    >>> to_internal(131, "modulus")
    131000000000.0
    """
    spec = KINDS[kind]
    if isinstance(value, bool) or value is None:
        raise UnitError(f"expected {spec.article}, got {_describe(value)}", field)
    if isinstance(value, numbers.Real):
        x = float(value)
        _finite(x, spec, field, value)
        if default is not None and default != spec.default:
            return _convert_quantity(Q_(x, default), spec, field, value)
        return spec.apply(x)
    if isinstance(value, str):
        text = value.strip()
        try:
            bare = float(text)
        except ValueError:
            bare = None
        if bare is not None:
            return to_internal(bare, kind, field, default)
        try:
            q = _registry().Quantity(text)
        except Exception:
            raise UnitError(
                f"expected {spec.article}, got {value!r} (not a number with a unit)", field
            ) from None
        return _convert_quantity(q, spec, field, value)
    if hasattr(value, "units") and hasattr(value, "magnitude"):
        return _convert_quantity(value, spec, field, value)
    raise UnitError(f"expected {spec.article}, got {_describe(value)}", field)


def _convert_quantity(q, spec: _Kind, field, original) -> float:
    import pint

    try:
        if not isinstance(q, _registry().Quantity):
            q = _registry().Quantity(q.magnitude, str(q.units))
        x = q.to(spec.internal).magnitude if spec.internal else q.to("").magnitude
    except (pint.DimensionalityError, pint.UndefinedUnitError, AttributeError, TypeError):
        hint = ""
        if spec.default == "um" and "mil" in str(original):
            hint = " (pint's 'mil' is an angle: write 'thou' for 1/1000 inch)"
        raise UnitError(f"expected {spec.article}, got {_describe(str(original))}{hint}", field) from None
    if not isinstance(x, numbers.Real):
        raise UnitError(f"expected {spec.article}, got {_describe(original)}", field)
    return _finite(float(x), spec, field, original)


def from_internal(value: float, kind: str) -> float:
    """Convert an internal float back into the kind's default unit (for writing files).

    Examples
    --------
    >>> from_internal(131e9, "modulus")
    131.0
    """
    spec = KINDS[kind]
    return spec.undo(value)
