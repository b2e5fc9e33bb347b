"""The package model: placement in z, vertical stacks, queries, the Python API."""

import itertools
import math

import numpy as np
import pytest
import shapely

import sipkit
from sipkit.model.geometry import bodies, layer_geometry, trace_polygon


def test_substrate_layers_stack_from_the_top(mini):
    sub = mini.substrate
    assert sub.thickness == pytest.approx(20 + 15 + 30 + 15 + 200 + 15 + 20)
    assert sub.layer_z("SM1") == (sub.thickness - 20, sub.thickness)
    assert sub.layer_z("SM2") == (0.0, 20.0)
    # fill: outer layer by the solder mask above it, inner by the build-up laminated over it
    assert sub.fill_material("L1") == "solder-mask"
    assert sub.fill_material("L2") == "abf-gx92"
    assert sub.fill_material("L3") == "solder-mask"


def test_components_rest_on_their_supports(mini):
    t = mini.substrate.thickness
    assert mini.z_range("npu") == pytest.approx((t + 60, t + 260))  # copper pillars 60 µm
    assert mini.z_range("mem") == pytest.approx((t + 20, t + 120))  # 20 µm die attach film
    mem_top = mini.z_range("mem")[1]
    assert mini.z_range("mem2") == pytest.approx((mem_top + 20, mem_top + 100))  # default DAF
    assert mini.z_range("pmic") == pytest.approx((-80 - 150, -80))  # bottom side hangs below
    assert mini.z_range("C2") == pytest.approx((-500, 0))


def test_interposer_dies_sit_on_the_interposer(hetero):
    t = hetero.substrate.thickness
    assert t == pytest.approx(475)
    lo, hi = hetero.z_range("int")
    assert (lo, hi) == pytest.approx((t + 70, t + 170))
    assert hetero.z_range("soc") == pytest.approx((hi + 20, hi + 320))
    assert hetero.z_range("hbm")[1] == pytest.approx(hi + 320)


def test_stack_at_resolves_bumps_copper_and_mold(mini):
    npu = mini.die("npu")
    bump = npu.bump_positions()[0]
    on_bump = mini.stack_at(*bump)
    t = mini.substrate.thickness
    names = [(s.role, s.material) for s in on_bump]
    assert ("bumps", "cu-pillar") in names
    between = mini.stack_at(bump[0] + 75, bump[1] + 75)  # half a pitch away: underfill
    gap = [s for s in between if t <= s.z0 < t + 60]
    assert [s.material for s in gap] == ["underfill"]
    # the mold fills the space above the die up to the mold top; the shield covers it
    assert between[-2].material == "emc" and between[-2].z1 == pytest.approx(t + 700)
    assert between[-1].role == "shield" and between[-1].thickness == pytest.approx(5)
    # slabs are contiguous from the substrate bottom
    full = [s for s in between if s.z0 >= 0]
    assert full[0].z0 == 0 and all(a.z1 == pytest.approx(b.z0) for a, b in itertools.pairwise(full))


def test_stack_at_copper_versus_fill(mini):
    on_trace = {s.name: s.material for s in mini.stack_at(1000, 500)}
    off_trace = {s.name: s.material for s in mini.stack_at(1000, 1500)}
    assert on_trace["L1"] == "cu-plated" and off_trace["L1"] == "solder-mask"
    in_hole = {s.name: s.material for s in mini.stack_at(8600, 6600)}
    assert in_hole["L1"] == "solder-mask"


def test_lid_rests_on_tim_over_the_tallest_die(hetero):
    lid = next(b for b in bodies(hetero) if b.name == "lid")
    soc_top = hetero.z_range("soc")[1]
    assert lid.z0 == pytest.approx(soc_top + 50)
    tim = next(b for b in bodies(hetero) if b.name == "ctrl.tim")
    assert tim.z0 == pytest.approx(hetero.z_range("ctrl")[1]) and tim.z1 == pytest.approx(lid.z0)
    fins = [b for b in bodies(hetero) if b.role == "fin"]
    assert len(fins) == 10
    stack = hetero.stack_at(17000, 17000)  # µm
    assert any(s.name == "coin1" and s.material == "cu-coin" for s in stack)


def test_coverage_queries_agree_with_geometry(mini):
    # L2 is one plane from 100 to 9900 x 100 to 7900 (plus via pads inside it)
    assert mini.copper_coverage("L2", (0, 0, 10000, 8000)) == pytest.approx(9800 * 7800 / 8e7)
    grid = mini.coverage_grid("L1", np.linspace(0, 10000, 11), np.linspace(0, 8000, 9))
    cell = 1000 * 1000
    assert grid.sum() * cell == pytest.approx(layer_geometry(mini, "L1").area, rel=1e-9)
    hole = 200 * 200
    assert mini.copper_coverage("L1", (8000, 6000, 9500, 7500)) == pytest.approx(
        (1500 * 1500 - hole) / 1500**2)


def test_trace_polygon_follows_gds_path_ends():
    flush = sipkit.Trace(points=[(0, 0), (100, 0)], width=20)
    ext = flush.replace(ends="extended")
    rnd = flush.replace(ends="round")
    assert trace_polygon(flush).area == pytest.approx(2000)
    assert trace_polygon(ext).area == pytest.approx(2400)
    assert trace_polygon(rnd).area == pytest.approx(2000 + math.pi * 100, rel=2e-3)
    bend = sipkit.Trace(points=[(0, 0), (100, 0), (100, 100)], width=20)
    # mitred outer corner: two 100x20 arms overlapping in a 10x10 square plus the corner square
    assert trace_polygon(bend).area == pytest.approx(100 * 20 * 2 - 10 * 10 + 10 * 10)


def test_python_api_accepts_units_and_quantities():
    die = sipkit.Die(name="d", size=("3 mm", "2 mm"), thickness=sipkit.Q_(0.2, "mm"), at=(5000, 5000),
                     power="1500 mW", wire_bond={})
    assert die.size == (3000.0, 2000.0) and die.thickness == 200.0 and die.power == 1.5
    with pytest.raises(sipkit.UnitError, match=r"thickness: expected a length, got '20 kg'"):
        die.replace(thickness="20 kg")


def test_rotated_die_maps_local_coordinates(mini):
    die = mini.die("mem").replace(rotation=90)
    assert die.footprint == pytest.approx((6500 - 750, 2500 - 1000, 6500 + 750, 2500 + 1000))
    # local lower-left corner goes to the lower-right corner after a 90° turn
    assert die.to_package([(0, 0)])[0] == pytest.approx((7250, 1500))


def test_power_map_total_and_consistency(mini):
    assert mini.die("npu").total_power == pytest.approx(2.5)
    assert mini.total_power() == pytest.approx(2.5 + 0.3 + 0.4 + 0.05)
    with pytest.raises(sipkit.DesignError, match="differs from the power map"):
        mini.die("npu").replace(power=3.0)


def test_packages_are_immutable_and_hashable_values(mini):
    with pytest.raises(AttributeError):
        mini.name = "x"
    assert mini == sipkit.load(mini.base_dir + "/mini.yaml")
    assert mini.replace(name="other") != mini


def test_land_array_names_follow_jedec(mini):
    lands = {land.name: land for land in mini.substrate.all_lands()}
    assert len(lands) == 10 * 8 - 2
    assert "A1" in lands and "H10" in lands and "D5" not in lands
    assert "I1" not in lands  # JEDEC skips I
    assert lands["A1"].at == pytest.approx((5000 - 4.5 * 800, 4000 - 3.5 * 800))


def test_layer_geometry_per_net(mini):
    a = layer_geometry(mini, "L1", net="A")
    b = layer_geometry(mini, "L1", net="B")
    assert a.area > 0 and b.area > 0 and not a.intersects(b)
    assert shapely.Point(3500, 1000).within(a)  # the via pad of net A on L1
    assert mini.nets() == {"A", "B", "GND"}


def test_shapes_are_stored_in_one_canonical_form():
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    hole_a = [(2, 2), (2, 4), (4, 4), (4, 2)]
    hole_b = [(6, 6), (8, 6), (8, 8), (6, 8)]
    a = sipkit.Shape(points=square, holes=[hole_a, hole_b], net="G")
    b = sipkit.Shape(points=square[2:] + square[:2] + [square[2]], holes=[hole_b[::-1], hole_a], net="G")
    assert a == b  # start point, orientation, closing point and hole order do not matter
    assert a.points[0] == (0.0, 0.0) and shapely.Polygon(a.points).exterior.is_ccw
    assert not shapely.LinearRing(a.holes[0]).is_ccw
