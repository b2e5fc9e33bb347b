"""Package-feature and assembly rules on hand-built packages: pass exactly at the limit, fail just below."""

import pytest

import sipkit
from sipkit.drc import Deck, Rule, check, load_deck

OUTLINE = [(0, 0), (10000, 0), (10000, 8000), (0, 8000)]
STACK = [dict(name="L1", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="BU1", kind="buildup", thickness=30, material="abf-gx92"),
         dict(name="L2", kind="conductor", thickness=15, material="cu-plated"),
         dict(name="CORE", kind="core", thickness=200, material="bt-core"),
         dict(name="L3", kind="conductor", thickness=15, material="cu-plated")]
PILLAR = dict(kind="copper_pillar", diameter=50, height=60, material="cu-pillar")


def package(routing=None, **parts):
    sub = dict(outline=OUTLINE, stackup=STACK, routing=routing or {})
    sub.update(parts.pop("substrate", {}))
    return sipkit.Package(name="t", substrate=sub, **parts)


def run(pkg, check_name, deck=None, **rule):
    """Violations of one rule (a fresh rule `R`, or a rule id of `deck`)."""
    if deck is None:
        deck = Deck(name="t", rules=(Rule(id="R", check=check_name, **rule),))
        rid = "R"
    else:
        rid = check_name
    result = check(pkg, deck=deck, rules={rid}).result(rid)
    assert result.skipped is None, result.skipped
    return list(result.violations)


def rect(x0, y0, x1, y1, net=None):
    return dict(points=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)], net=net)


# -- substrate features ------------------------------------------------------------------


@pytest.mark.parametrize(("pad", "n"), [(80.0, 0), (79.998, 1)])
def test_annular_ring(pad, n):
    pkg = package(substrate=dict(vias=[dict(at=(5000, 4000), **{"from": "L1", "to": "L2"}, drill=40, pad=pad,
                                            net="A")]))
    v = run(pkg, "annular_ring", min=20)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(19.999) and v[0].nets == ("A",) and v[0].layers == ("L1", "L2")


@pytest.mark.parametrize(("dx", "n"), [(90.0, 0), (89.999, 2)])
def test_via_spacing(dx, n):
    vias = [dict(at=(5000, 4000), drill=40, pad=80, **{"from": "L1", "to": "L2"}),
            dict(at=(5000 + dx, 4000), drill=40, pad=80, **{"from": "L1", "to": "L3"}),
            # stacked on the first: drilled through the other dielectric, not compared
            dict(at=(5000, 4000), drill=40, pad=80, **{"from": "L2", "to": "L3"})]
    v = run(package(substrate=dict(vias=vias)), "via_spacing", min=50)
    assert len(v) == n  # the L1-L3 via against both vias at 5000 (one dielectric in common with each)
    assert all(x.value == pytest.approx(49.999) and isinstance(x.value, float) for x in v)


@pytest.mark.parametrize(("w", "n"), [(50.0, 0), (49.999, 1)])
def test_finger_width(w, n):
    fingers = [dict(name="F1", at=(3000, 1000), size=(200, w), rotation=90, net="A")]
    v = run(package(substrate=dict(fingers=fingers)), "finger_width", min=50)
    assert len(v) == n and (not n or v[0].value == pytest.approx(49.999))


@pytest.mark.parametrize(("dx", "n"), [(80.0, 0), (79.999, 1)])
def test_finger_pitch(dx, n):
    fingers = [dict(name="F1", at=(3000, 1000), size=(200, 50), rotation=90),
               dict(name="F2", at=(3000 + dx, 1000), size=(200, 50), rotation=90),
               dict(name="F3", at=(3000 + dx / 2, 1000), size=(200, 50), rotation=90, layer="L3")]  # apart
    v = run(package(substrate=dict(fingers=fingers)), "finger_pitch", min=80)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(79.999) and v[0].message == "F1 - F2"


# -- assembly: flip chip and placement ---------------------------------------------------


def fc_die(name, at, pitch=150.0, size=(1000, 1000), bumps=None, fillet=0.0, side="top"):
    fc = dict(bump=PILLAR, underfill=dict(fillet=fillet))
    if bumps is None:
        fc["arrays"] = [dict(pitch=(pitch, pitch), count=(2, 2))]
    else:
        fc["bumps"] = [dict(at=b) for b in bumps]
    return dict(name=name, size=size, thickness=200, at=at, side=side, flip_chip=fc)


@pytest.mark.parametrize(("pitch", "n"), [(130.0, 0), (129.999, 4)])
def test_bump_pitch(pitch, n):
    v = run(package(dies=[fc_die("d", (5000, 4000), pitch=pitch)]), "bump_pitch", min=130)
    assert len(v) == n  # a 2 x 2 array: four neighbour pairs
    assert all(x.value == pytest.approx(129.999) and x.message == "d" for x in v)


@pytest.mark.parametrize(("x", "n"), [(75.0, 0), (74.999, 1)])
def test_bump_die_edge(x, n):
    v = run(package(dies=[fc_die("d", (5000, 4000), bumps=[(x, 500), (500, 500)])]), "bump_die_edge", min=50)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(49.999)
        assert v[0].marker == ("point", pytest.approx((4574.999, 4000)))


@pytest.mark.parametrize(("xb", "n"), [(4200.0, 0), (4199.999, 1)])
def test_die_spacing(xb, n):
    dies = [fc_die("a", (3000, 4000)), fc_die("b", (xb, 4000)),
            fc_die("c", (3800, 4000), side="bottom")]  # the other side: not compared with a, b
    v = run(package(dies=dies), "die_spacing", min=200)
    assert len(v) == n and (not n or (v[0].value == pytest.approx(199.999) and v[0].message == "a - b"))


@pytest.mark.parametrize(("x", "n"), [(1000.0, 0), (999.999, 1)])
def test_die_package_edge(x, n):
    v = run(package(dies=[fc_die("d", (x, 4000))]), "die_package_edge", min=500)
    assert len(v) == n and (not n or v[0].value == pytest.approx(499.999))


@pytest.mark.parametrize(("x", "n"), [(4300.0, 0), (4299.999, 1)])
def test_passive_keepout(x, n):
    # underfill region: die 2500..3500 plus a 200 µm fillet; the passive 600 µm long
    passives = [dict(name="C1", at=(x, 4000), size=(600, 300), height=300, net="VDD"),
                dict(name="C2", at=(3000, 4000), size=(600, 300), height=300, side="bottom")]  # other side
    pkg = package(dies=[fc_die("d", (3000, 4000), fillet=200)], passives=passives)
    v = run(pkg, "passive_keepout", min=300)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(299.999) and v[0].nets == ("VDD",) and v[0].message == "C1 near d"


@pytest.mark.parametrize(("x", "n"), [(1800.0, 0), (1800.001, 1)])
def test_component_overlap_with_balls_and_fingers(x, n):
    # bottom (land) side: a 400 µm ball on a land at (2000, 1000); the passive's right edge at x
    lands = [dict(name="A1", at=(2000, 1000), diameter=300, ball=dict(diameter=400, height=300))]
    passives = [dict(name="C1", at=(x - 300, 1000), size=(600, 300), height=300, side="bottom"),
                dict(name="C2", at=(2000, 1000), size=(600, 300), height=300),  # top side: no land there
                dict(name="C3", at=(5000, 5000), size=(600, 300), height=300)]
    fingers = [dict(name="F1", at=(5300, 5000), size=(200, 50), rotation=0)]  # under C3's right end
    v = run(package(substrate=dict(lands=lands, fingers=fingers), passives=passives), "component_overlap")
    msgs = sorted(x.message for x in v)
    assert msgs == sorted(["C3 over finger F1"] + ["C1 over land A1"] * n)
    f = next(x for x in v if "F1" in x.message)
    assert f.value == pytest.approx(100 * 50) and f.bbox == pytest.approx((5200, 4975, 5300, 5025))


def test_mini_land_side_parts_sit_on_balls(mini):
    v = run(mini, "A.OV.1", deck=load_deck("organic-25um"))
    over = {x.message.split(" over ")[0] for x in v}
    assert over == {"pmic", "C2"}  # bottom-side die and inductor placed on BGA balls


# -- copper rules on a package -----------------------------------------------------------


@pytest.mark.parametrize(("net_b", "n"), [("A", 0), ("B", 1)])
def test_short(net_b, n):
    routing = {"L1": dict(traces=[dict(points=[(100, 500), (500, 500)], width=25, net="A"),
                                  dict(points=[(500, 500), (500, 900)], width=25, net=net_b)])}
    v = run(package(routing), "short", layer="L1")
    assert len(v) == n
    if n:
        assert v[0].nets == ("A", "B") and v[0].bbox == pytest.approx((487.5, 500, 500, 512.5))


@pytest.mark.parametrize(("gap", "n"), [(50.0, 0), (49.999, 1)])
def test_net_clearance_by_class(gap, n):
    deck = load_deck("organic-25um")
    y = 500 + 25 + gap
    routing = {"L1": dict(traces=[dict(points=[(1000, 500), (3000, 500)], width=25, net="VDD_CORE"),
                                  dict(points=[(1000, y), (3000, y)], width=25, net="SIG1"),
                                  # two signals 25 µm apart: the default clearance, fine
                                  dict(points=[(1000, 2000), (3000, 2000)], width=25, net="SIG2"),
                                  dict(points=[(1000, 2050), (3000, 2050)], width=25, net="SIG3")])}
    v = run(package(routing), "L1.NC.1", deck=deck)
    assert len(v) == n
    if n:
        assert v[0].value == pytest.approx(49.999) and v[0].nets == ("SIG1", "VDD_CORE")


@pytest.mark.parametrize(("x0", "n"), [(100.0, 0), (99.999, 1)])
def test_outline_clearance(x0, n):
    routing = {"L2": dict(shapes=[rect(x0, 3000, 400, 3300)])}
    v = run(package(routing), "outline", layer="L2", min=100)
    assert len(v) == n and (not n or v[0].value == pytest.approx(99.999))


def test_copper_beyond_the_outline():
    routing = {"L2": dict(shapes=[rect(9950, 3000, 10200, 3300, net="X")])}
    v = run(package(routing), "outline", layer="L2", min=100)
    outside = [x for x in v if x.message == "copper outside the outline"]
    assert len(outside) == 1 and outside[0].nets == ("X",)
    assert outside[0].bbox == pytest.approx((9950, 3000, 10200, 3300))


@pytest.mark.parametrize(("side", "n"), [(50.0, 0), (49.999, 1)])
def test_min_area_and_hole(side, n):
    routing = {"L1": dict(shapes=[rect(1000, 1000, 1000 + side, 1050),
                                  dict(points=[(2000, 2000), (3000, 2000), (3000, 3000), (2000, 3000)],
                                       holes=[[(2100, 2100), (2100 + side, 2100), (2100 + side, 2150),
                                               (2100, 2150)]])])}
    pkg = package(routing)
    area = run(pkg, "area", layer="L1", min=2500)
    hole = run(pkg, "hole", layer="L1", min=2500)
    assert len(area) == n and len(hole) == n
    if n:
        assert area[0].value == pytest.approx(49.999 * 50) and hole[0].value == pytest.approx(49.999 * 50)
        assert area[0].marker[0] == "polygon" and len(area[0].marker[1]) == 4
