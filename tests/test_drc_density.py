"""Copper density and balance, solder-mask rules, and net/via rules on layouts."""

import numpy as np
import pytest

import sipkit
from sipkit.drc import Deck, Rule, check
from sipkit.drc.density import mirrored_pairs, window_densities, windows
from sipkit.drc.layers import merge_rings, rings_from_points

gdstk = pytest.importorskip("gdstk")

STACK = [dict(name="SM1", kind="solder_mask", thickness=20, material="solder-mask"),
         dict(name="L1", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="BU1", kind="buildup", thickness=30, material="abf-gx92"),
         dict(name="L2", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="CORE", kind="core", thickness=200, material="bt-core"),
         dict(name="L3", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="SM2", kind="solder_mask", thickness=20, material="solder-mask")]


def package(routing=None, **sub):
    return sipkit.Package(name="t", substrate=dict(outline=[(0, 0), (10000, 0), (10000, 8000), (0, 8000)],
                                                   stackup=STACK, routing=routing or {}, **sub))


def rect(x0, y0, x1, y1, net=None):
    return dict(points=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], net=net)


def run(design, deck_or_rule, rid="R"):
    deck = deck_or_rule if isinstance(deck_or_rule, Deck) else Deck(name="t", rules=(deck_or_rule,))
    result = check(design, deck=deck, rules={rid}).result(rid)
    assert result.skipped is None, result.skipped
    return list(result.violations)


# -- density ------------------------------------------------------------------------------


def test_windows_cover_the_span_flush_at_the_far_edge():
    assert windows(0, 10000, 5000, 2500).tolist() == [0, 2500, 5000]
    assert windows(0, 8000, 5000, 2500).tolist() == [0, 2500, 3000]
    assert windows(100, 300, 5000, 2500).tolist() == [100]


def test_window_density_is_exact_with_holes():
    plane = [(0, 0), (1000, 0), (1000, 1000), (0, 1000)]
    hole = [(100, 100), (300, 100), (300, 300), (100, 300)]
    layer = merge_rings("L", *rings_from_points([plane, hole], [1, -1]))
    boxes, d = window_densities([layer], (0, 0, 2000, 1000), 1000, 500)
    assert boxes.tolist() == [[0, 0, 1000, 1000], [500, 0, 1500, 1000], [1000, 0, 2000, 1000]]
    assert d[0].tolist() == pytest.approx([96.0, 50.0, 0.0])


@pytest.mark.parametrize("seed", [0, 3])
def test_density_matches_klayout_area_in_windows(tmp_path, seed):
    kdb = pytest.importorskip("klayout.db")
    from test_drc_klayout import random_layout

    from sipkit.drc.sources import read_layout_rings

    path = tmp_path / "r.gds"
    random_layout(seed).write_gds(str(path))
    rings, _ = read_layout_rings(gdstk.read_gds(str(path), unit=1e-6), {"L": (0, 0)})
    layer = merge_rings("L", *rings["L"])
    box = layer.bbox()
    boxes, d = window_densities([layer], box, 250, 125)
    ly = kdb.Layout()
    ly.read(str(path))
    reg = kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(0, 0)))
    ref = []
    for x0, y0, x1, y1 in np.round(boxes * 1000).astype(int).tolist():
        ref.append(reg.area(kdb.Box(x0, y0, x1, y1)) / ((x1 - x0) * (y1 - y0)) * 100)
    assert len(ref) > 50 and 0 < max(ref) and min(ref) < 100
    # KLayout clips the polygons at the window with rounded crossing points: equal to 1e-6 %
    assert d[0] == pytest.approx(np.array(ref), abs=1e-6)


@pytest.mark.parametrize(("top", "n"), [(1600.0, 0), (1599.999, 1)])
def test_density_rule_at_the_limit(top, n):
    # one window (10 mm, larger than the 8 mm outline height): the whole substrate
    pkg = package({"L2": dict(shapes=[rect(0, 0, 10000, top)])})
    v = run(pkg, Rule(id="R", check="density", layer="L2", window=10000, min=20, max=80))
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(19.9999875) and v[0].bbox == (0, 0, 10000, 8000)
        assert v[0].message == "copper density below the limit"


def test_density_rule_over_the_maximum_in_sliding_windows():
    # a plane over the left 5 mm: the windows at x = 0 are full, those at 2.5 mm half full
    pkg = package({"L1": dict(shapes=[rect(0, 0, 5000, 8000)])})
    v = run(pkg, Rule(id="R", check="density", layer="L1", window=5000, step=2500, max=80))
    assert len(v) == 3 and {x.bbox[0] for x in v} == {0.0} and all(x.value == 100.0 for x in v)


def test_mirrored_pairs(mini):
    assert mirrored_pairs(mini) == [("L2", "L3")]  # L1 has no mirror below the core
    cu = dict(kind="conductor", thickness=15, material="cu-plated")
    bu = dict(kind="buildup", thickness=30, material="abf-gx92")
    stack = [STACK[0], STACK[1], STACK[2], STACK[3], STACK[4], STACK[5], dict(name="BU2", **bu),
             dict(name="L4", **cu), STACK[6]]
    pkg = package().replace(substrate=package().substrate.replace(stackup=stack))
    assert mirrored_pairs(pkg) == [("L2", "L3"), ("L1", "L4")]
    no_core = [la for la in stack if la["kind"] != "core"]
    pkg = package().replace(substrate=package().substrate.replace(stackup=no_core))
    assert mirrored_pairs(pkg) == [("L2", "L3"), ("L1", "L4")]


@pytest.mark.parametrize(("l3_top", "n"), [(2800.0, 0), (2799.9, 1)])
def test_density_balance_of_layers_mirrored_about_the_core(l3_top, n):
    # L2 50 % copper, L3 35 %: 15 points apart, exactly the limit
    pkg = package({"L2": dict(shapes=[rect(0, 0, 10000, 4000)]),
                   "L3": dict(shapes=[rect(0, 0, 10000, l3_top)])})
    v = run(pkg, Rule(id="R", check="density_balance", max=15))
    assert len(v) == n
    if n:
        assert v[0].layers == ("L2", "L3") and v[0].value == pytest.approx(15.00125, abs=1e-4)
        assert v[0].message == "L2 50.0 % vs L3 35.0 %"
    # in 4 mm windows the imbalance is local: full L2 against 70 % of L3 at the bottom
    v = run(pkg, Rule(id="R", check="density_balance", max=15, window=4000))
    low = [x for x in v if x.bbox[1] == 0]
    assert len(low) == 4 and low[0].value == pytest.approx(30.0, abs=0.01)


def test_density_balance_on_a_layout_needs_pairs(tmp_path):
    lib = gdstk.Library()
    c = lib.new_cell("TOP")
    c.add(gdstk.rectangle((0, 0), (100, 100), layer=1), gdstk.rectangle((0, 0), (100, 30), layer=2))
    deck = Deck(name="t", layers=(("A", (1, 0)), ("B", (2, 0))),
                rules=(Rule(id="R", check="density_balance", max=50),))
    assert "pairs" in check(lib, deck=deck).result("R").skipped
    deck = deck.replace(rules=(Rule(id="R", check="density_balance", max=50, pairs=["A:B"]),))
    v = run(lib, deck)
    assert len(v) == 1 and v[0].value == pytest.approx(70.0)


# -- solder mask ----------------------------------------------------------------------


@pytest.mark.parametrize(("x0", "n"), [(2875.0, 0), (2875.001, 1)])
def test_mask_expansion_around_a_finger(x0, n):
    fingers = [dict(name="F1", at=(3000, 1000), size=(200, 60), net="A")]  # 2900..3100 x 970..1030
    openings = [dict(layer="SM1", points=[(x0, 945), (3125, 945), (3125, 1055), (x0, 1055)])]
    v = run(package(fingers=fingers, mask_openings=openings), Rule(id="R", check="mask_expansion", min=25))
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(24.999) and v[0].layers == ("SM1", "L1")


def test_mask_covering_a_pad_edge_is_a_violation():
    fingers = [dict(name="F1", at=(3000, 1000), size=(200, 60), net="A")]
    openings = [dict(layer="SM1", points=[(2950, 945), (3125, 945), (3125, 1055), (2950, 1055)])]
    v = run(package(fingers=fingers, mask_openings=openings), Rule(id="R", check="mask_expansion", min=25))
    assert len(v) == 1 and v[0].value == 0.0 and v[0].message == "the mask covers part of finger F1"
    assert v[0].bbox == pytest.approx((2900, 970, 2950, 1030)) and v[0].nets == ("A",)


@pytest.mark.parametrize(("gap", "n"), [(75.0, 0), (74.999, 1)])
def test_mask_web_between_openings(gap, n):
    x = 1200 + gap
    openings = [dict(layer="SM2", points=[(1000, 1000), (1200, 1000), (1200, 1200), (1000, 1200)]),
                dict(layer="SM2", points=[(x, 1000), (1400, 1000), (1400, 1200), (x, 1200)])]
    v = run(package(mask_openings=openings), Rule(id="R", check="mask_web", min=75))
    assert len(v) == n and (not n or (v[0].value == pytest.approx(74.999) and v[0].layers == ("SM2",)))


# -- layouts: drills, nets from text labels -------------------------------------------


def test_annular_ring_on_a_layout(tmp_path):
    lib = gdstk.Library()
    c = lib.new_cell("TOP")
    c.add(gdstk.rectangle((0, 0), (100, 100), layer=1))  # pad on L1
    c.add(gdstk.rectangle((20, 20), (80, 80), layer=60))  # drill: a 20 µm ring, exactly the limit
    c.add(gdstk.rectangle((200, 0), (300, 100), layer=2))  # pad on L2
    c.add(gdstk.rectangle((220, 20), (280, 80), layer=60))  # drill: 20 µm ring ...
    c.add(gdstk.rectangle((219.999, 40), (230, 60), layer=60))  # ... with a bulge 19.999 from the pad edge
    deck = Deck(name="t", layers=(("L1", (1, 0)), ("L2", (2, 0)), ("DRILL", (60, 0))),
                rules=(Rule(id="W1", check="width", layer="L1", min=25),
                       Rule(id="W2", check="width", layer="L2", min=25),
                       Rule(id="R", check="annular_ring", min=20)))
    v = run(lib, deck)
    assert len(v) == 1 and v[0].layers == ("L2", "DRILL") and v[0].value == pytest.approx(19.999)


def labelled_layout(gap):
    lib = gdstk.Library()
    c = lib.new_cell("TOP")
    c.add(gdstk.rectangle((0, 0), (1000, 25), layer=1), gdstk.Label("VDD", (10, 10), layer=1))
    c.add(gdstk.rectangle((0, 25 + gap), (1000, 50 + gap), layer=1))
    c.add(gdstk.Label("SIG", (500, 30 + gap), layer=1))
    # two pieces of SIG joined by an abutting rectangle that also touches GND: a short
    c.add(gdstk.rectangle((0, 500), (100, 525), layer=1), gdstk.Label("GND", (5, 510), layer=1))
    c.add(gdstk.rectangle((100, 500), (200, 525), layer=1), gdstk.Label("SIG", (150, 510), layer=1))
    c.add(gdstk.Label("NC", (5000, 5000), layer=1))  # on no copper
    return lib


DECK = Deck(name="t", layers=(("L1", (1, 0)),),
            net_classes=({"name": "power", "nets": ["VDD*"], "clearance": 50},),
            rules=(Rule(id="NC", check="net_clearance", layer="L1", min=25),
                   Rule(id="SH", check="short", layer="L1")))


@pytest.mark.parametrize(("gap", "n"), [(50.0, 0), (49.999, 1)])
def test_net_clearance_on_a_layout_from_text_labels(gap, n):
    v = run(labelled_layout(gap), DECK, "NC")
    assert len(v) == n
    if n:
        assert v[0].nets == ("SIG", "VDD") and v[0].value == pytest.approx(49.999)


def test_shorts_on_a_layout_from_text_labels():
    v = run(labelled_layout(50), DECK, "SH")
    assert len(v) == 1 and v[0].nets == ("GND", "SIG") and v[0].bbox == pytest.approx((0, 500, 200, 525))
    lib = gdstk.Library()
    lib.new_cell("TOP").add(gdstk.rectangle((0, 0), (10, 10), layer=1))
    assert "no net labels" in check(lib, deck=DECK).result("SH").skipped
