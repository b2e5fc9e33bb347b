"""Differential tests: sipkit's width/space markers against KLayout's on the same layouts."""

import numpy as np
import pytest

kdb = pytest.importorskip("klayout.db")
gdstk = pytest.importorskip("gdstk")

from sipkit.drc import check, load_deck  # noqa: E402
from sipkit.drc.layers import merge_rings, rings_from_points  # noqa: E402
from sipkit.drc.sources import read_layout_rings  # noqa: E402
from sipkit.drc.spacing import distance_checks  # noqa: E402


def random_layout(seed: int):
    """A small substrate-like layout: traces with Manhattan and 45° bends, pads, a plane with
    anti-pads (keyhole, fractured in abutting pieces), stubs, notches, tips, near-limit gaps."""
    rng = np.random.default_rng(seed)
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    c = lib.new_cell("TOP")
    # plane with holes as keyhole polygons, fractured into two abutting halves
    plane = gdstk.rectangle((0, 0), (600, 300))
    holes = [gdstk.regular_polygon((60 + 80 * i, 60 + 90 * j), rng.uniform(12, 25), 8)
             for i in range(7) for j in range(3)]
    keyed = gdstk.boolean(plane, holes, "not", precision=1e-3)
    left = gdstk.boolean(keyed, gdstk.rectangle((0, 0), (300, 300)), "and", precision=1e-3)
    right = gdstk.boolean(keyed, gdstk.rectangle((300, 0), (600, 300)), "and", precision=1e-3)
    c.add(*left, *right)
    # pads inside some anti-pads
    for i in range(0, 7, 2):
        c.add(gdstk.regular_polygon((60 + 80 * i, 150), 6, 8))
    # trace bundle with 45° and Manhattan bends (GDS paths, flush or extended ends)
    y = 340.0
    for k in range(8):
        # any width in nm, odd ones included (KLayout rounds the half width of those)
        w = round(25.0 + rng.choice([0.0, -0.001, 0.001, 5.0, float(rng.uniform(-1.0, 1.0))]), 3)
        y += w + 25.0 + rng.choice([0.0, -0.001, 0.0, 3.0])
        pts = [(0, y), (200, y), (260, y + 60), (400, y + 60), (400, y + 200 + 10 * k)]
        c.add(gdstk.FlexPath(pts, w, ends=str(rng.choice(["flush", "extended", "round"])), simple_path=True))
    # stubs, necks, notch, acute tip, corner-to-corner gaps
    c.add(gdstk.rectangle((700, 0), (800, 40)), gdstk.rectangle((740, 40), (760, 60)))  # stub (neck 20)
    c.add(gdstk.Polygon([(700, 100), (800, 100), (800, 160), (760, 160), (760, 120), (740, 120),
                         (740, 160), (700, 160)]))  # notch 20 wide
    c.add(gdstk.Polygon([(700, 200), (900, 200), (700, 240)]))  # acute tip
    c.add(gdstk.rectangle((850, 0), (900, 50)),
          gdstk.rectangle((915, 70 - rng.choice([0.0, 0.001])), (960, 120)))
    c.add(gdstk.rectangle((1000, 0), (1050, 50)), gdstk.rectangle((1050, 50), (1100, 100)))  # kissing
    for _ in range(12):  # random rectangles, some overlapping
        x0, y0 = rng.uniform(1100, 1500), rng.uniform(0, 400)
        c.add(gdstk.rectangle((round(x0, 3), round(y0, 3)),
                              (round(x0 + rng.uniform(10, 80), 3), round(y0 + rng.uniform(10, 80), 3))))
    return lib


def random_paths(seed: int, n: int = 300):
    """GDS paths of any width, angle and end style, some with tiny or doubled segments."""
    rng = np.random.default_rng(seed)
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    c = lib.new_cell("TOP")
    for k in range(n):
        pts = [(200.0 * (k % 20), 200.0 * (k // 20))]
        for _ in range(int(rng.integers(1, 6))):
            step = float(rng.uniform(0.001, 60)) if rng.random() < 0.8 else float(rng.uniform(0.001, 0.05))
            kind = int(rng.integers(0, 4))
            sx, sy = rng.choice([-1, 1], 2)
            d = [(step, 0), (0, sy * step), (sx * step, sy * step),
                 (float(rng.uniform(-50, 50)), float(rng.uniform(-50, 50)))][kind]
            pts.append((round(pts[-1][0] + d[0], 3), round(pts[-1][1] + d[1], 3)))
        if rng.random() < 0.1:
            pts.insert(1, pts[0])
        ends = str(rng.choice(["flush", "extended", "round", "custom"]))
        if ends == "custom":
            ends = (round(float(rng.uniform(0, 10)), 3), round(float(rng.uniform(0, 10)), 3))
        w = round(float(rng.uniform(0.001, 40)), 3)
        c.add(gdstk.FlexPath(pts, w, ends=ends, simple_path=True, layer=k, datatype=0))
    return lib


@pytest.mark.parametrize("seed", [0, 1])
def test_paths_become_klayouts_polygons(tmp_path, seed):
    n = 300
    path = tmp_path / "p.gds"
    random_paths(seed, n).write_gds(str(path))
    rings, _ = read_layout_rings(gdstk.read_gds(str(path), unit=1e-6), {k: (k, 0) for k in range(n)})
    ly = kdb.Layout()
    ly.read(str(path))
    odd = 0
    for k in range(n):
        theirs = kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(k, 0)))
        xs, ys, _ = rings[k]
        ours = kdb.Region(kdb.Polygon([kdb.Point(int(x), int(y)) for x, y in zip(xs, ys, strict=True)], True))
        assert (ours ^ theirs).area() == 0, k
        odd += any(s.path.width % 2 for s in ly.top_cell().shapes(ly.layer(k, 0)).each())
    assert odd > n // 4  # many odd widths among them


def _edges(pairs):
    e = kdb.Edges()
    for t in pairs:
        for a in (t[:4], t[4:]):
            if a[0] != a[2] or a[1] != a[3]:
                e.insert(kdb.Edge(int(a[0]), int(a[1]), int(a[2]), int(a[3])))
    return e.merged()


def _kl_edges(ep):
    e = kdb.Edges()
    for p in ep.each():
        for x in (p.first, p.second):
            if x.p1 != x.p2:
                e.insert(x)
    return e.merged()


def _same(ours, theirs, n):
    """Marker edges equal up to the rounding of end points (a few nm per marker)."""
    tol = 4 * max(n, 1)
    near_ours = ours.extended(2, 2, 2, 2, False)  # edges as 4 nm wide boxes
    near_theirs = theirs.extended(2, 2, 2, 2, False)
    return theirs.outside_part(near_ours).length() <= tol and ours.outside_part(near_theirs).length() <= tol


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("d", [25.0, 20.0])
def test_width_notch_isolated_match_klayout(tmp_path, seed, d):
    lib = random_layout(seed)
    path = tmp_path / "r.gds"
    lib.write_gds(str(path))
    rings, _ = read_layout_rings(gdstk.read_gds(str(path), unit=1e-6), {"L": (0, 0)})
    layer = merge_rings("L", *rings["L"])
    ly = kdb.Layout()
    ly.read(str(path))
    reg = kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(0, 0)))
    reg.merge()
    assert layer.n_edges == sum(p.num_points() for p in reg.each())
    assert layer.n_polygons == reg.count()
    dd = round(d * 1000)
    for rel, kl in (("width", reg.width_check(dd)), ("notch", reg.notch_check(dd)),
                    ("isolated", reg.isolated_check(dd))):
        p = distance_checks(layer, **{rel: d})
        assert len(p) > 0 or kl.count() == 0
        assert _same(_edges(p.parts), _kl_edges(kl), kl.count()), rel


def test_hand_cases_match_klayout():
    cases = [
        ([[(0, 0), (30, 0), (30, 100), (20, 100), (20, 10), (10, 10), (10, 100), (0, 100)]], 50),
        ([[(0, 0), (1000, 0), (0, 200)]], 50),
        ([[(0, 0), (100, 0), (100, 100), (0, 100)], [(100, 100), (200, 100), (200, 200), (100, 200)]], 30),
        ([[(0, 0), (100, 0), (100, 50), (60, 50), (50, 5), (40, 50), (0, 50)]], 30),
    ]
    for rings, d in cases:
        layer = merge_rings("L", *rings_from_points(rings))
        reg = kdb.Region()
        for r in rings:
            reg.insert(kdb.Polygon([kdb.Point(round(x * 1000), round(y * 1000)) for x, y in r], True))
        for rel, kl in (("width", reg.width_check(d * 1000)), ("notch", reg.notch_check(d * 1000)),
                        ("isolated", reg.isolated_check(d * 1000))):
            p = distance_checks(layer, **{rel: d})
            assert len(p) == kl.count()
            assert _same(_edges(p.parts), _kl_edges(kl), kl.count())


def test_check_on_a_layout_file_uses_the_deck_layer_map(tmp_path):
    lib = random_layout(7)
    path = tmp_path / "r.oas"
    lib.write_oas(str(path))
    deck = tmp_path / "d.yaml"
    deck.write_text("name: t\nlayers: {L: 0/0}\nrules:\n  - {id: W, check: width, layer: L, min: 25}\n"
                    "  - {id: S, check: space, layer: L, min: 25}\n")
    report = check(path, deck=load_deck(deck))
    ly = kdb.Layout()
    ly.read(str(path))
    reg = kdb.Region(ly.top_cell().begin_shapes_rec(ly.layer(0, 0)))
    n_kl = reg.width_check(25000).count() + reg.notch_check(25000).count() + reg.isolated_check(25000).count()
    assert len(report) == n_kl > 0


@pytest.mark.parametrize("seed", [1, 5])
def test_parallel_sweep_slabs_give_the_same_merge(tmp_path, monkeypatch, seed):
    import sipkit.drc.layers as layers

    rings, _ = read_layout_rings(random_layout(seed), {"L": (0, 0)})
    one = merge_rings("L", *rings["L"])
    monkeypatch.setattr(layers, "_SLAB_EDGES", 40)  # about ten slabs
    many = merge_rings("L", *rings["L"])
    for f in ("x1", "y1", "x2", "y2", "poly", "nxt"):
        assert np.array_equal(getattr(one, f), getattr(many, f)), f


def test_a_package_and_its_exported_layout_check_alike(mini, tmp_path):
    """Traces are GDS paths: the package and its GDS export give the same copper and markers."""
    from sipkit.io import export_layout

    path = tmp_path / "mini.gds"
    export_layout(mini, path)
    deck = load_deck("organic-25um")
    ids = {f"{la}.{k}.1" for la in ("L1", "L2", "L3") for k in ("W", "S", "A", "H")}
    ours = check(mini, deck=deck, rules=ids)
    theirs = check(path, deck=deck, rules=ids)
    for la in ("L1", "L2", "L3"):
        a, b = ours.layout[la], theirs.layout[la]
        assert a.n_edges == b.n_edges and a.n_polygons == b.n_polygons
        assert abs(a.polygon_areas().sum() - b.polygon_areas().sum()) < 1e-6
    key = lambda r: sorted((v.rule, tuple(round(c, 3) for c in v.bbox)) for v in r)  # noqa: E731
    assert len(ours) > 0 and key(ours) == key(theirs)
