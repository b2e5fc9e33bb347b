"""Bond-wire rules on hand-built wire-bonded packages: pass at the limit, fail just beyond."""

import numpy as np
import pytest

import sipkit
from sipkit.drc import Deck, Rule, check, load_deck
from sipkit.interconnect import wire_paths

STACK = [dict(name="L1", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="CORE", kind="core", thickness=200, material="bt-core"),
         dict(name="L2", kind="conductor", thickness=15, material="cu-plated")]
T = 230.0  # substrate thickness
DIE_TOP = T + 20 + 200  # 20 µm die attach, 200 µm die


def package(pads, wires, fingers, mold=None, dies=()):
    """A 2 x 2 mm wire-bonded die at (5000, 4000) (lower-left corner at 4000, 3000)."""
    die = dict(name="d", size=(2000, 2000), thickness=200, at=(5000, 4000),
               wire_bond=dict(pads=[dict(name=n, at=at, size=(40, 40)) for n, at in pads],
                              wires=[dict(pad=p, to=f, loop_height=h) for p, f, h in wires]))
    sub = dict(outline=[(0, 0), (10000, 0), (10000, 8000), (0, 8000)], stackup=STACK,
               fingers=[dict(name=n, at=at, size=(200, 40), rotation=rot) for n, at, rot in fingers])
    return sipkit.Package(name="w", substrate=sub, dies=[die, *dies],
                          molds=[dict(thickness=mold)] if mold else [])


def run(pkg, check_name, **rule):
    deck = Deck(name="t", rules=(Rule(id="R", check=check_name, **rule),))
    res = check(pkg, deck=deck).result("R")
    assert res.skipped is None, res.skipped
    return list(res.violations)


def straight(dy=0.0, rot=0.0, h=150.0):
    """One wire along -x: pad 100 µm inside the die's left edge, finger 800 µm further left."""
    return package([("P1", (100, 1000))], [("P1", "F1", h)], [("F1", (3300, 4000 + dy), rot)])


def test_wire_length_and_ratio_at_the_limit():
    pkg = straight()
    (w,) = wire_paths(pkg)
    n = round(w.length, 6)
    assert 800 < n < 1200  # more than the span, less than span + twice the loop
    assert run(pkg, "wire_length", max=n) == []
    (v,) = run(pkg, "wire_length", max=n - 0.001)
    assert v.value == pytest.approx(n) and v.marker[0] == "path" and v.marker[1][0] == (4100.0, 4000.0)
    assert run(pkg, "wire_length", min=n) == [] and len(run(pkg, "wire_length", min=n + 0.001)) == 1
    ratio = round(n / 25.0, 6)
    assert run(pkg, "wire_ratio", max=ratio) == []
    (v,) = run(pkg, "wire_ratio", max=ratio - 1e-6)
    assert v.value == pytest.approx(ratio) and "25 µm thick" in v.message


@pytest.mark.parametrize(("pitch", "n"), [(50.0, 0), (49.999, 1)])
def test_wire_clearance_3d(pitch, n):
    # two identical loops side by side: their centrelines exactly `pitch` apart, 25 µm wires
    pkg = package([("P1", (100, 1000)), ("P2", (100, 1000 + pitch))], [("P1", "F1", 150), ("P2", "F2", 150)],
                  [("F1", (3300, 4000), 0), ("F2", (3300, 4000 + pitch), 0)])
    v = run(pkg, "wire_clearance", min=25)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(24.999, abs=1e-6) and v[0].message.startswith("d.P1-F1 - d.P2-F2")


def test_wires_sharing_a_finger_are_not_a_clearance_violation():
    pkg = package([("P1", (100, 1000)), ("P2", (100, 1010))], [("P1", "F1", 150), ("P2", "F1", 150)],
                  [("F1", (3300, 4000), 0)])
    assert run(pkg, "wire_clearance", min=25) == []


def test_wire_crossing():
    crossing = package([("P1", (100, 900)), ("P2", (100, 1100))], [("P1", "F1", 150), ("P2", "F2", 200)],
                       [("F1", (3300, 4300), 0), ("F2", (3300, 3700), 0)])
    (v,) = run(crossing, "wire_crossing")
    x, y = v.marker[1]
    assert v.marker[0] == "point" and y == pytest.approx(4000) and 3300 < x < 4100
    assert v.value > 0 and "crosses" in v.message  # the vertical separation there
    parallel = package([("P1", (100, 900)), ("P2", (100, 1100))], [("P1", "F1", 150), ("P2", "F2", 200)],
                       [("F1", (3300, 3700), 0), ("F2", (3300, 4300), 0)])
    assert run(parallel, "wire_crossing") == []


@pytest.mark.parametrize(("rot", "n"), [(0.0, 0), (30.0, 0), (-30.0, 0), (210.0, 0), (30.001, 1),
                                        (149.999, 1)])
def test_bond_angle(rot, n):
    v = run(straight(rot=rot), "bond_angle", max=30)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(30.001) and v[0].message == "d.P1-F1 on finger F1"


@pytest.mark.parametrize(("mold", "n"), [(457.5, 0), (457.499, 1)])
def test_loop_height_below_the_mold_top(mold, n):
    # loop top 150 µm above the pad on the die top, plus the wire radius, plus 75 µm of mold
    assert DIE_TOP + 150 + 12.5 + 75 == T + 457.5
    assert run(straight(h=150), "loop_height", min=75) == []  # no mold cap: nothing to check
    v = run(package([("P1", (100, 1000))], [("P1", "F1", 150)], [("F1", (3300, 4000), 0)], mold=mold),
            "loop_height", min=75)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(74.999)


def test_wire_die_edge_clearance():
    pkg = straight(h=60)
    (w,) = wire_paths(pkg)
    # where the wire crosses the die's left edge (x = 4000), its height above the die top
    z = np.interp(-4000.0, -w.points[:, 0], w.points[:, 2])
    clear = round(z - DIE_TOP - 12.5, 6)
    assert 0 < clear < 60
    assert run(pkg, "wire_die_edge", min=clear) == []
    (v,) = run(pkg, "wire_die_edge", min=clear + 0.001)
    assert v.value == pytest.approx(clear, abs=1e-6) and v.marker == ("point", (4000.0, 4000.0))
    assert v.message == "d.P1-F1 over the edge of d"


def test_wire_into_a_taller_neighbour_is_negative_clearance():
    tall = dict(name="t", size=(300, 2000), thickness=700, at=(3700, 4000),
                flip_chip=dict(bump=dict(kind="solder_ball", diameter=80, height=60, material="sac305"),
                               arrays=[dict(pitch=(150, 150), count=(1, 2))]))
    pkg = package([("P1", (100, 1000))], [("P1", "F1", 150)], [("F1", (3300, 4000), 0)], dies=[tall])
    (v,) = run(pkg, "wire_die_edge", min=50)
    assert v.value < 0 and v.message == "d.P1-F1 over the edge of t"


def test_mini_wire_rules(mini):
    wire_rules = {"W.L.1", "W.LD.1", "W.CL.1", "W.X.1", "W.BA.1", "W.LH.1", "W.DE.1"}
    report = check(mini, deck=load_deck("organic-25um"), rules=wire_rules)
    assert all(r.skipped is None for r in report.results)
    # the stacked die's short die-to-die wire passes 33 µm over its own die's edge
    (v,) = report.result("W.DE.1").violations
    assert v.message == "mem2.Q1-mem.P1 over the edge of mem2" and 30 < v.value < 40
    assert len(report) == 1
