"""Units at the boundary: numbers, strings and Quantities; wrong dimensions name the field."""

import math

import pytest

import sipkit
from sipkit.errors import UnitError
from sipkit.units import from_internal, to_internal


@pytest.mark.parametrize("value,kind,expected", [
    (25, "length", 25.0),
    ("0.3 mm", "length", 300.0),
    ("1 thou", "length", 25.4),
    ("25", "length", 25.0),
    (131, "modulus", 131e9),
    ("131 GPa", "modulus", 131e9),
    ("2.6 ppm/K", "cte", 2.6e-6),
    ("2.6e-6 / delta_degC", "cte", 2.6e-6),
    ("300 K", "temperature", 26.85),
    ("500 mW", "power", 0.5),
    ("1.72 uohm*cm", "resistivity", 1.72e-8),
    ("10 W/(m^2*K)", "htc", 10.0),
])
def test_conversions(value, kind, expected):
    assert to_internal(value, kind) == pytest.approx(expected, rel=1e-12)


def test_quantities_and_file_units():
    assert to_internal(sipkit.Q_(0.2, "mm"), "length") == pytest.approx(200.0)
    assert to_internal(2, "length", default="mm") == 2000.0
    assert to_internal("2 um", "length", default="mm") == 2.0  # an explicit unit wins


@pytest.mark.parametrize("value", ["20 kg", "3 W", "abc", math.nan, math.inf, True, None, [1, 2], {"a": 1}])
def test_bad_values_name_the_field(value):
    with pytest.raises(UnitError, match=r"^dies\[1\]\.thickness: expected a length"):
        to_internal(value, "length", "dies[1].thickness")


def test_written_numbers_read_back_exactly():
    """Scaling by 1e-6 does not always invert exactly; writing falls back to the internal unit."""
    from sipkit._schema import _number_out

    assert from_internal(131e9, "modulus") == 131.0

    for x in (2.6000000000000003e-06, 131e9, 0.1 + 0.2):
        out = _number_out(x, "cte")
        assert to_internal(out, "cte") == x


def test_mil_gets_a_hint():
    with pytest.raises(UnitError, match="write 'thou'"):
        to_internal("5 mil", "length", "width")
