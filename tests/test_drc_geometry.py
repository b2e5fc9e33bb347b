"""Geometric checks on hand-built shapes, exactly at the limit and just below."""

import numpy as np
import pytest

from sipkit.drc.layers import merge_rings, rings_from_points
from sipkit.drc.spacing import distance_checks, enclosure_check


def rect(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def merged(*rings, signs=None):
    return merge_rings("L", *rings_from_points(list(rings), signs))


def rels(layer, **kw):
    p = distance_checks(layer, **kw)
    return sorted(["width", "notch", "isolated"][r] for r in p.rel)


@pytest.mark.parametrize(("w", "n"), [(25.0, 0), (24.999, 2), (25.001, 0)])
def test_width_at_the_limit(w, n):
    layer = merged(rect(0, 0, 200, w))
    p = distance_checks(layer, width=25)
    assert len(p) == n // 2  # one edge pair: the two long sides
    if n:
        assert p.distances()[0] == pytest.approx(w, abs=1e-9)


@pytest.mark.parametrize(("gap", "flagged"), [(25.0, False), (24.999, True)])
def test_space_at_the_limit(gap, flagged):
    layer = merged(rect(0, 0, 100, 10), rect(0, 10 + gap, 100, 20 + gap))
    assert bool(rels(layer, notch=25, isolated=25)) == flagged


def test_corner_to_corner_is_euclidean():
    # a 15 x 20 offset: exactly 25 µm corner to corner passes; 1 nm closer fails
    assert rels(merged(rect(0, 0, 10, 10), rect(25, 30, 35, 40)), isolated=25) == []
    # the corner against both edges of the other corner (as KLayout reports it)
    assert rels(merged(rect(0, 0, 10, 10), rect(25, 29.999, 35, 40)), isolated=25) == ["isolated"] * 2


def test_abutting_and_overlapping_shapes_merge_without_inner_edges():
    layer = merged(rect(0, 0, 100, 20), rect(100, 0, 200, 20), rect(150, 0, 300, 20))
    assert layer.n_polygons == 1 and layer.n_edges == 4
    assert layer.polygon_areas()[0] == pytest.approx(300 * 20)
    assert rels(layer, width=25) == ["width"]


def test_keyhole_cut_lines_vanish():
    key = [(100, 100), (0, 100), (0, 60), (60, 60), (60, 80), (80, 80), (80, 60), (60, 60), (0, 60),
           (0, 0), (100, 0)]
    layer = merged(key)
    assert layer.n_polygons == 1 and layer.n_edges == 8  # hull + hole, no cut
    _cid, _, _, area = layer.contours()
    assert sorted(area.tolist()) == [-10000e6, 400e6]
    # the 20 µm hole is a 20 µm space; the 20 µm web beside it is not below 20
    assert rels(layer, notch=20) == []
    assert rels(layer, notch=21) == ["notch"] * 2  # across the hole both ways


def test_trace_ending_on_pad_is_not_a_violation_but_acute_tip_is():
    # a 25 µm trace running into a pad: edges meet at 90 degrees
    layer = merged(rect(0, 0, 100, 25), rect(100, -50, 200, 75))
    assert rels(layer, width=25, notch=25) == []
    tip = merged([(0, 0), (1000, 0), (0, 200)])
    p = distance_checks(tip, width=50)
    assert len(p) == 2 and set(p.rel.tolist()) == {0}


def test_acute_wedge_is_a_notch():
    layer = merged([(0, 0), (100, 0), (100, 50), (60, 50), (50, 5), (40, 50), (0, 50)])
    assert "notch" in rels(layer, notch=30)


def test_kissing_corners_are_one_polygon_with_zero_distance():
    layer = merged(rect(0, 0, 100, 100), rect(100, 100, 200, 200))
    assert layer.n_polygons == 1
    assert rels(layer, width=30, notch=30, isolated=30) == ["notch", "notch", "width", "width"]


def test_hole_rings_and_contained_shapes():
    plane = rect(0, 0, 1000, 1000)
    hole = rect(100, 100, 200, 200)
    pad = rect(130, 130, 170, 170)  # inside the hole: its own polygon
    inner = rect(500, 500, 600, 600)  # on copper: swallowed
    layer = merged(plane, hole, pad, inner, signs=[1, -1, 1, 1])
    assert layer.n_polygons == 2
    assert sorted(layer.polygon_areas().round(3).tolist()) == [1600.0, 1e6 - 1e4]
    p = distance_checks(layer, isolated=31)
    assert len(p) == 4 and np.allclose(p.distances(), 30)


def test_enclosure_of_a_drill_by_its_pad():
    pad = merged(rect(0, 0, 100, 100))
    drill = merged(rect(20, 30, 80, 90))
    p = enclosure_check(pad, drill, 15)
    assert len(p) == 1 and p.distances()[0] == pytest.approx(10)
    assert len(enclosure_check(pad, drill, 10)) == 0
