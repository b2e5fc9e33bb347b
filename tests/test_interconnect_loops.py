"""Wire-loop geometry: bond points, heights, profiles, sampling, errors."""

from pathlib import Path

import numpy as np
import pytest

import sipkit
from sipkit.errors import DesignError
from sipkit.interconnect import loop_points, pack_paths, wire_paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_mini_wires_start_at_the_pad_and_end_at_the_finger(mini):
    paths = wire_paths(mini)
    assert [p.name for p in paths] == ["mem.P1-F1", "mem.P2-F2", "mem2.Q1-mem.P1"]
    t = mini.substrate.thickness
    for p in paths:
        die = mini.die(p.die)
        pad_xy = die.to_package(die.pad(p.pad).at)[0]
        assert np.allclose(p.first, [*pad_xy, mini.z_range(die.name)[1]])
        if p.kind == "finger":
            f = mini.substrate.finger(p.to)
            assert np.allclose(p.second, [f.at[0], f.at[1], t])
        else:
            other, pad = p.to.split(".")
            od = mini.die(other)
            assert np.allclose(p.second, [*od.to_package(od.pad(pad).at)[0], mini.z_range(other)[1]])
        assert p.length > p.span > 0
        # the loop rises exactly to the design loop height above the pad
        assert p.height == pytest.approx(p.loop_height, abs=1e-9)
        assert p.material == "au-wire"


def test_mini_wire_numbers(mini):
    p1 = wire_paths(mini)[0]
    # pad (300, 100) of a 2000 x 1500 die centred at (6500, 2500); finger F1 at (6000, 1200)
    assert np.allclose(p1.first[:2], [5800, 1850])
    assert p1.span == pytest.approx(np.hypot(200, 650))
    assert p1.diameter == 20 and p1.net == "A"
    assert p1.up == 1


@pytest.mark.parametrize("profile", ["standard", "low", "reverse"])
def test_profiles_reach_the_loop_height_and_keep_segments_short(profile):
    first, second = [0.0, 0.0, 300.0], [1200.0, 500.0, 150.0]
    pts = loop_points(first, second, 180.0, profile, edge=120.0, max_segment=15.0)
    assert np.allclose(pts[[0, -1]], [first, second])
    assert pts[:, 2].max() - 300.0 == pytest.approx(180.0, abs=1e-9)
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    assert seg.max() <= 15.0 + 1e-9
    # the loop stays in the vertical plane through the bonds
    d = np.array(second[:2]) / np.linalg.norm(second[:2])
    assert np.allclose(pts[:, 0] * d[1] - pts[:, 1] * d[0], 0.0, atol=1e-9)
    # horizontal progress never goes backwards
    s = pts[:, :2] @ d
    assert np.all(np.diff(s) >= -1e-9)


def test_profile_shapes_differ_where_they_should():
    first, second = [0.0, 0.0, 300.0], [1500.0, 0.0, 180.0]
    std = loop_points(first, second, 150.0, "standard", edge=100.0, max_segment=5.0)
    low = loop_points(first, second, 150.0, "low", edge=100.0, max_segment=5.0)
    rev = loop_points(first, second, 150.0, "reverse", edge=100.0, max_segment=5.0)
    # forward loops rise vertically from the ball on the pad
    for pts in (std, low):
        neck = pts[(pts[:, 2] < 300.0 + 60.0) & (pts[:, 0] < 300.0)]
        assert len(neck) >= 3
        assert np.allclose(neck[:, 0], 0.0, atol=1e-6)
    # the reverse loop drops vertically onto the finger and leaves the pad at an angle
    drop = rev[rev[:, 2] < 180.0 + 40.0]
    assert np.allclose(drop[:, 0], 1500.0, atol=1e-6)
    assert rev[1, 0] > 0.0
    # the standard loop peaks early, the low loop stays at its height past the die edge
    assert std[np.argmax(std[:, 2]), 0] < 0.3 * 1500
    top_low = low[low[:, 2] > 300.0 + 150.0 - 1e-6]
    assert top_low[:, 0].max() > 100.0


def test_far_end_above_the_loop_height_raises_the_loop():
    pts = loop_points([0, 0, 100], [800, 0, 300], 50.0, diameter=20.0)
    assert pts[:, 2].max() == pytest.approx(300 + 40.0)


def test_bottom_side_loops_go_down():
    pts = loop_points([0, 0, -200], [900, 0, 0], 120.0, up=-1)
    assert pts[:, 2].min() == pytest.approx(-320.0)
    assert pts[:, 2].max() <= 0.0 + 1e-9


def test_bad_loops_are_design_errors(mini):
    with pytest.raises(DesignError, match="zero span"):
        loop_points([1, 2, 3], [1, 2, 0], 100)
    with pytest.raises(DesignError, match="unknown loop profile"):
        loop_points([0, 0, 0], [100, 0, 0], 100, "fancy")
    with pytest.raises(DesignError, match="positive"):
        loop_points([0, 0, 0], [100, 0, 0], -1)
    # a finger on the bottom conductor cannot take a wire from a top-side die
    sub = mini.substrate
    fingers = tuple(f.replace(layer="L3") if f.name == "F1" else f for f in sub.fingers)
    bad = mini.replace(substrate=sub.replace(fingers=fingers))
    with pytest.raises(DesignError) as err:
        wire_paths(bad)
    assert err.value.field == "dies[1].wire_bond.wires[0]" and "bottom conductor" in err.value.message


def test_paths_are_cached_and_packed(mini):
    a = wire_paths(mini)
    b = wire_paths(mini)
    assert all(x is y for x, y in zip(a, b, strict=True))
    pts, starts = pack_paths(a)
    assert starts[0] == 0 and starts[-1] == len(pts)
    assert np.array_equal(pts[starts[1]:starts[2]], a[1].points)


@pytest.mark.parametrize("name", ["edge-ai/edge-ai.yaml", "fcbga/fcbga.yaml"])
def test_example_designs(name):
    path = EXAMPLES / name
    if not path.exists():
        pytest.skip(f"example {name} not present")
    pkg = sipkit.load(path)
    for p in wire_paths(pkg):
        assert p.length > p.span
        assert p.height >= p.loop_height - 1e-9
