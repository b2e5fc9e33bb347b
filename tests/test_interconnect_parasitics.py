"""Resistance and inductance against exact and published formulas."""

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import dblquad

from sipkit.errors import DesignError
from sipkit.interconnect import (
    internal_impedance,
    loop_points,
    mutual_inductance,
    mutual_inductances,
    parallel_wire_mutual_inductance,
    partial_self_inductance,
    self_inductance,
    self_inductances,
    straight_wire_inductance,
    wire_paths,
    wire_resistance,
)


def rosa_nh(length_um, radius_um):
    """Rosa (1908), Bull. Bur. Stand. 4(2) 301-344: L = 2 l [ln(2l/r) - 3/4] abhenry = nH, l and r in cm."""
    ell, r = length_um * 1e-4, radius_um * 1e-4
    return 2 * ell * (math.log(2 * ell / r) - 0.75)


def grover_mutual_nh(length_um, d_um):
    """Rosa 1908 / Grover 1946, cm -> nH.

    M = 2 l [ln(l/d + sqrt(1 + l²/d²)) - sqrt(1 + d²/l²) + d/l]
    """
    ell, d = length_um * 1e-4, d_um * 1e-4
    x = ell / d
    return 2 * ell * (math.log(x + math.sqrt(1 + x * x)) - math.sqrt(1 + 1 / (x * x)) + 1 / x)


def straight(length, n, offset=(0.0, 0.0)):
    x = np.linspace(0.0, length, n + 1)
    return np.column_stack([x, np.full(n + 1, offset[0]), np.full(n + 1, offset[1])])


def test_resistance_is_exact():
    rho = 2.3e-8
    R = wire_resistance(1500.0, 25.0, rho)
    assert R == pytest.approx(rho * 1.5e-3 / (math.pi * 12.5e-6**2), rel=1e-14)
    with pytest.raises(DesignError):
        wire_resistance(-1, 25, rho)


def test_wire_resistance_follows_the_card_with_temperature(mini):
    from sipkit.interconnect import analyze

    p = wire_paths(mini)[0]
    card = mini.material("au-wire")
    for T in (25.0, 125.0):
        row = analyze(mini, temperature=T).wires[0]
        expected = card.resistivity * (1 + card.tcr * (T - 20)) * p.length * 1e-6 / (math.pi * (10e-6) ** 2)
        assert row["R_ohm"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("length, radius", [(1000.0, 12.5), (2000.0, 10.0), (3000.0, 12.5), (5000.0, 25.0)])
def test_straight_wire_matches_rosa_within_one_percent(length, radius):
    ref = rosa_nh(length, radius)
    # (sipkit's mu0 is CODATA 2018, 5e-10 off the cgs 4 pi 1e-7)
    assert straight_wire_inductance(length, radius) * 1e9 == pytest.approx(ref, rel=1e-9)
    for n in (1, 7, 40):  # the Neumann integral of the polyline, however it is cut
        L = self_inductance(straight(length, n), radius) * 1e9
        assert L == pytest.approx(ref, rel=0.01)


def test_straight_wire_neumann_converges_to_rosa_as_the_wire_gets_thin():
    # the regularised Neumann integral differs from Rosa's thin-wire formula by mu0 r / 2pi
    # (Rosa's neglected r/l term), so the relative gap shrinks like r/l
    errors = []
    for ratio in (10, 100, 1000, 10000):
        radius = 10.0
        L = self_inductance(straight(radius * ratio, 3), radius)
        rosa = straight_wire_inductance(radius * ratio, radius)
        assert L - rosa == pytest.approx(2e-7 * radius * 1e-6, rel=0.02)
        errors.append((L - rosa) / rosa)
    assert all(b < a / 5 for a, b in itertools.pairwise(errors))
    assert errors[-1] < 1e-4


def test_partial_self_inductance_tends_to_rosa_for_long_conductors():
    assert partial_self_inductance(1e5, 10) == pytest.approx(straight_wire_inductance(1e5, 10), rel=1e-3)
    # and stays finite and positive for stubby bumps
    assert 0 < partial_self_inductance(60, 25) < straight_wire_inductance(200, 25)


@pytest.mark.parametrize("length, d, n1, n2",
                         [(1000.0, 100.0, 1, 1), (1000.0, 50.0, 3, 7), (2500.0, 300.0, 10, 4)])
def test_parallel_wires_match_the_closed_form(length, d, n1, n2):
    ref = grover_mutual_nh(length, d)
    assert parallel_wire_mutual_inductance(length, d) * 1e9 == pytest.approx(ref, rel=1e-9)
    M = mutual_inductance(straight(length, n1), straight(length, n2, (d, 0.0))) * 1e9
    assert M == pytest.approx(ref, rel=1e-8)
    # antiparallel currents flip the sign
    M_back = mutual_inductance(straight(length, n1), straight(length, n2, (0.0, d))[::-1]) * 1e9
    assert M_back == pytest.approx(-ref, rel=1e-8)


def neumann_reference(p0, p1, q0, q1, reg2=0.0):
    u, v = np.subtract(p1, p0), np.subtract(q1, q0)
    dot = float(np.dot(u, v))

    def f(s, t):
        r = np.asarray(p0) + t * u - np.asarray(q0) - s * v
        return dot / math.sqrt(float(r @ r) + reg2)

    val, _ = dblquad(f, 0, 1, 0, 1, epsabs=1e-13, epsrel=1e-11)
    return 1e-7 * val * 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_mutual_of_skew_segments_matches_direct_integration(seed):
    rng = np.random.default_rng(seed)
    p0, p1 = rng.uniform(-300, 300, 3), rng.uniform(-300, 300, 3)
    lift = np.array([0.0, 0.0, 500.0])
    q0 = rng.uniform(-300, 300, 3) + lift
    q1 = rng.uniform(-300, 300, 3) + lift
    M = mutual_inductance([p0, p1], [q0, q1])
    assert M == pytest.approx(neumann_reference(p0, p1, q0, q1), rel=1e-6)


def test_bent_wire_self_inductance_matches_direct_integration():
    # a V of two 400 µm arms at 60°: the regularised cross term against scipy
    r = 10.0
    a, b = np.array([0.0, 0, 0]), np.array([400.0, 0, 0])
    c = np.array([200.0, 400 * math.sin(math.pi / 3), 0])
    L_v = self_inductance([a, b, c], r, resistivity=None)
    L_arms = self_inductance([a, b], r) + self_inductance([b, c], r)
    cross = 2 * neumann_reference(a, b, b, c, reg2=r * r)
    assert L_v - L_arms == pytest.approx(cross, rel=1e-5)


def test_neumann_integral_of_a_loop_converges_with_refinement():
    values = []
    for seg in (80.0, 40.0, 20.0, 10.0, 5.0, 2.5):
        pts = loop_points([0, 0, 300], [1400, 300, 160], 180.0, "standard", edge=100.0, max_segment=seg)
        values.append(self_inductance(pts, 12.5))
    changes = np.abs(np.diff(values))
    assert np.all(changes[1:] < changes[:-1])  # every refinement changes less
    assert changes[-1] / values[-1] < 1e-4
    # a 1.4 mm loop of 25 µm wire: about 1 nH per mm, a bit more than the straight span
    assert 1.0e-9 < values[-1] < 1.8e-9
    assert values[-1] > straight_wire_inductance(np.hypot(1400, 300), 12.5)


def test_internal_impedance_limits():
    r, rho = 12.5, 2.3e-8
    z0 = internal_impedance(r, rho, 1e3)
    assert z0.real == pytest.approx(rho / (math.pi * (r * 1e-6) ** 2), rel=1e-6)
    assert z0.imag / (2 * math.pi * 1e3) == pytest.approx(4e-7 * math.pi / (8 * math.pi), rel=1e-4)
    f = 50e9  # skin depth far below the radius: R -> rho / (2 pi r delta)
    delta = math.sqrt(2 * rho / (2 * math.pi * f * 4e-7 * math.pi))
    z = internal_impedance(r, rho, f)
    assert delta < r * 1e-6 / 15
    assert z.real == pytest.approx(rho / (2 * math.pi * r * 1e-6 * delta), rel=0.05)
    assert z.real > z0.real
    assert z.imag / (2 * math.pi * f) < z0.imag / (2 * math.pi * 1e3)  # internal L falls with f


def test_batch_self_inductances_match_single_calls(mini):
    paths = wire_paths(mini)
    batch = self_inductances(paths)
    for p, L in zip(paths, batch, strict=True):
        assert L == pytest.approx(self_inductance(p.points, p.radius), rel=1e-12)
    hf = self_inductances(paths, resistivities=[2.3e-8] * len(paths), frequency=10e9)
    assert np.all(hf < batch)


def test_mutual_inductances_respect_the_cutoff(mini):
    paths = wire_paths(mini)
    near = mutual_inductances(paths, cutoff=0.0)
    far = mutual_inductances(paths, cutoff=1e6)
    assert len(far.i) == 3 and np.all(far.i < far.j)
    # with no gap allowed only overlapping bounding boxes pair up
    assert len(near.i) < len(far.i)
    dense = far.dense()
    assert np.allclose(dense, dense.T) and np.all(np.diag(dense) == 0)
    k = {(a, b): m for a, b, m in zip(far.i, far.j, far.M, strict=True)}
    assert k[(0, 1)] == pytest.approx(mutual_inductance(paths[0].points, paths[1].points), rel=1e-12)
    # the two side-by-side wires couple positively, and less when moved apart
    assert k[(0, 1)] > 0
    moved = paths[1].points + np.array([500.0, 0.0, 0.0])
    assert 0 < mutual_inductance(paths[0].points, moved) < k[(0, 1)]
    best, value = far.strongest()
    assert best[0] == 1 and value[0] == k[(0, 1)]


# Grover, "Inductance Calculations" (1946; Dover 1962), Table 52: T(x), the factor on the
# internal inductance mu0/(8 pi) per length of a straight round wire at a frequency, with
# x = sqrt(2) r / (skin depth). Values as reproduced in Encyclopedia Magnetica
# ("Approximation of Grover's T(x) function - auxiliary data"), which cites Table 52.
GROVER_TABLE_52 = [(0.5, 0.9998), (1.0, 0.9974), (1.5, 0.9871), (2.0, 0.9611), (3.0, 0.8452),
                   (4.0, 0.6863), (5.0, 0.5560), (10.0, 0.2816), (20.0, 0.1413), (50.0, 0.0566),
                   (100.0, 0.0283)]


@pytest.mark.parametrize("x, T", GROVER_TABLE_52)
def test_internal_inductance_follows_grovers_table(x, T):
    radius, rho = 12.5, 2.3e-8
    mu0 = 4e-7 * math.pi
    delta = math.sqrt(2) * radius * 1e-6 / x
    f = rho / (math.pi * mu0 * delta**2)
    z = internal_impedance(radius, rho, f)
    L_int = z.imag / (2 * math.pi * f)
    assert L_int == pytest.approx(mu0 / (8 * math.pi) * T, rel=0.01)


@pytest.mark.parametrize("x, T", GROVER_TABLE_52[::3])
def test_straight_wire_inductance_with_grovers_frequency_factor(x, T):
    """Grover's straight-wire formula L = (mu0 l / 2 pi)[ln(2l/r) - 1 + T(x)/4], within 1 %."""
    length, radius, rho = 1500.0, 12.5, 2.3e-8
    mu0 = 4e-7 * math.pi
    delta = math.sqrt(2) * radius * 1e-6 / x
    f = rho / (math.pi * mu0 * delta**2)
    grover = mu0 * length * 1e-6 / (2 * math.pi) * (math.log(2 * length / radius) - 1 + T / 4)
    L = self_inductance(straight(length, 40), radius, resistivity=rho, frequency=f)
    assert L == pytest.approx(grover, rel=0.01)
