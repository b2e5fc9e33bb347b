"""Wire-to-wire clearance and crossings against a brute-force reference."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sipkit.errors import DesignError
from sipkit.interconnect import loop_points, wire_clearance, wire_paths


def point_segment(p, a, b):
    ab = b - a
    den = float(ab @ ab)
    t = 0.0 if den == 0 else min(1.0, max(0.0, float((p - a) @ ab) / den))
    return float(np.linalg.norm(p - (a + t * ab)))


def segment_distance(p0, p1, q0, q1):
    """Reference: the four end-point distances, or the interior common perpendicular."""
    best = min(point_segment(p0, q0, q1), point_segment(p1, q0, q1),
               point_segment(q0, p0, p1), point_segment(q1, p0, p1))
    u, v, w = p1 - p0, q1 - q0, p0 - q0
    a, b, c, d, e = u @ u, u @ v, v @ v, u @ w, v @ w
    den = a * c - b * b
    if den > 1e-9 * a * c and a > 0 and c > 0:
        s, t = (b * e - c * d) / den, (a * e - b * d) / den
        if 0 < s < 1 and 0 < t < 1:
            best = min(best, float(np.linalg.norm(w + s * u - t * v)))
    return best


def brute_force(wires):
    out = {}
    for i, j in itertools.combinations(range(len(wires)), 2):
        a, b = wires[i], wires[j]
        out[(i, j)] = min(segment_distance(a[k], a[k + 1], b[m], b[m + 1])
                          for k in range(len(a) - 1) for m in range(len(b) - 1))
    return out


coords = st.floats(min_value=0.0, max_value=300.0, allow_nan=False, allow_infinity=False)
point = st.tuples(coords, coords, st.floats(min_value=0.0, max_value=100.0))
wire = st.lists(point, min_size=2, max_size=6)


@settings(max_examples=80, deadline=None)
@given(st.lists(wire, min_size=2, max_size=8), st.floats(min_value=5.0, max_value=150.0))
def test_clearance_matches_brute_force(wires, radius):
    wires = [np.array(w, dtype=float) for w in wires]
    result = wire_clearance(wires, radius, tolerance=0.0)
    ref = brute_force(wires)
    found = {(int(i), int(j)): float(d) for i, j, d in zip(result.pair_i, result.pair_j, result.distance,
                                                           strict=True)}
    for pair, d in ref.items():
        if d < radius - 1e-7:
            assert pair in found, (pair, d)
        if pair in found:
            assert found[pair] == pytest.approx(d, abs=1e-6)
            assert d <= radius + 1e-6
    # the gap of plain point arrays is the centreline distance (no diameter)
    assert np.allclose(result.gap, result.distance)


def test_nearest_neighbour_and_shared_bonds():
    a = np.array([[0.0, 0, 0], [1000, 0, 0]])
    b = a + np.array([0, 80, 0])
    c = a + np.array([0, 200, 0])
    d = np.array([[1000.0, 0, 0], [1000, 500, 100]])  # shares a's end point
    res = wire_clearance([a, b, c, d], 150.0)
    pairs = {(int(i), int(j)): (float(g), bool(k)) for i, j, g, k in
             zip(res.pair_i, res.pair_j, res.gap, res.connected, strict=True)}
    assert pairs[(0, 1)] == (pytest.approx(80.0), False)
    assert pairs[(1, 2)] == (pytest.approx(120.0), False)
    assert (0, 2) not in pairs  # 200 µm apart, beyond the search distance
    assert pairs[(0, 3)][1] is True  # connected: left out of nearest and violations
    # d rises 100 µm over 500 µm: it passes just over the ends of b and c
    assert pairs[(1, 3)][0] == pytest.approx(80 * 0.2 / math.hypot(1, 0.2))
    assert pairs[(2, 3)][0] == pytest.approx(200 * 0.2 / math.hypot(1, 0.2))
    assert list(res.nearest) == [1, 3, 3, 1]
    assert res.min_gap == pytest.approx(pairs[(1, 3)][0])
    bad = res.violations(100.0)
    assert [(v["wire_a"], v["wire_b"]) for v in bad] == [
        ("wire1", "wire3"), ("wire2", "wire3"), ("wire0", "wire1")]
    assert bad[-1]["gap_um"] == pytest.approx(80.0)


def test_crossings_in_top_view():
    rng = np.random.default_rng(7)
    wires = [np.column_stack([rng.uniform(0, 500, 4), rng.uniform(0, 500, 4), rng.uniform(0, 50, 4)])
             for _ in range(12)]
    res = wire_clearance(wires, 20.0, tolerance=0.0)
    crossing = set()
    for i, j in itertools.combinations(range(len(wires)), 2):
        for k in range(3):
            for m in range(3):
                p, r = wires[i][k, :2], wires[i][k + 1, :2] - wires[i][k, :2]
                q, s = wires[j][m, :2], wires[j][m + 1, :2] - wires[j][m, :2]
                den = r[0] * s[1] - r[1] * s[0]
                t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / den
                u = ((q - p)[0] * r[1] - (q - p)[1] * r[0]) / den
                if 0 <= t <= 1 and 0 <= u <= 1:
                    crossing.add((i, j))
    assert crossing  # the random set does cross
    assert {(int(i), int(j)) for i, j in zip(res.cross_i, res.cross_j, strict=True)} == crossing
    # the reported vertical separation is that of the two wires at the crossing point
    for rec, xy, dz in zip(res.crossings(), res.cross_xy, res.cross_dz, strict=True):
        assert rec["dz_um"] == pytest.approx(dz) and rec["x_um"] == pytest.approx(xy[0])


def test_simplification_stays_within_its_tolerance():
    paths = [loop_points([x, 0, 300], [x + 80, 1500, 150], 150.0 + 20 * (x % 3), max_segment=5.0)
             for x in np.arange(0, 600, 60.0)]
    exact = wire_clearance(paths, 120.0, tolerance=0.0)
    fast = wire_clearance(paths, 120.0, tolerance=0.5)
    assert np.array_equal(exact.pair_i, fast.pair_i) and np.array_equal(exact.pair_j, fast.pair_j)
    assert np.all(np.abs(exact.distance - fast.distance) <= 1.0 + 1e-9)


def test_mini_design(mini):
    paths = wire_paths(mini)
    res = wire_clearance(paths, 300.0)
    gap = {(int(i), int(j)): float(g) for i, j, g in zip(res.pair_i, res.pair_j, res.gap, strict=True)}
    # two identical parallel loops, pads 200 µm apart across the wire direction (200, -650)
    expected = 200 * 650 / math.hypot(200, 650) - 20
    assert gap[(0, 1)] == pytest.approx(expected, rel=1e-6)
    # the die-to-die bond lands on P1, where wire 0 starts
    assert res.connected[list(zip(res.pair_i, res.pair_j, strict=True)).index((0, 2))]
    assert res.names[0] == "mem.P1-F1"


def test_bad_input():
    with pytest.raises(DesignError):
        wire_clearance([np.zeros((1, 3))], 10)
    with pytest.raises(DesignError):
        wire_clearance([np.zeros((2, 3))], -1)
    empty = wire_clearance([], 10)
    assert empty.min_gap == math.inf
