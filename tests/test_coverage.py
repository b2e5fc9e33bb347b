"""Exact copper coverage on a grid: the numba kernel against a shapely reference."""

from __future__ import annotations

import itertools
import textwrap
import time

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import sipkit
from sipkit.model._coverage import _rings, polygon_coverage, union_coverage
from sipkit.model._coverage_kernels import _coverage_kernel
from sipkit.model.geometry import circle

TOL = 1e-9


def reference_coverage(geom, x_edges, y_edges):
    """The slow, obvious way: intersect every cell box with the geometry, row by row."""
    x_edges = np.asarray(x_edges, dtype=float)
    y_edges = np.asarray(y_edges, dtype=float)
    nx, ny = len(x_edges) - 1, len(y_edges) - 1
    out = np.zeros((ny, nx))
    if geom.is_empty:
        return out
    for j in range(ny):
        # not shapely.clip_by_rect: it may return invalid polygons (a hole touching the
        # strip's edge), whose intersections with the cells then have wrong areas
        strip = shapely.intersection(geom, shapely.box(x_edges[0], y_edges[j], x_edges[-1], y_edges[j + 1]))
        if strip.is_empty:
            continue
        cells = shapely.box(x_edges[:-1], y_edges[j], x_edges[1:], y_edges[j + 1])
        out[j] = shapely.area(shapely.intersection(strip, cells))
    return out / np.outer(np.diff(y_edges), np.diff(x_edges))


def raw_fractions(geom, x_edges, y_edges):
    """The kernel's fractions, before clipping."""
    xe = np.ascontiguousarray(x_edges, dtype=np.float64)
    ye = np.ascontiguousarray(y_edges, dtype=np.float64)
    return _coverage_kernel(*_rings(geom), xe, ye)


def check(geom, x_edges, y_edges):
    """Compare with the reference; the raw values lie in [0, 1] up to round-off."""
    got = polygon_coverage(geom, x_edges, y_edges)
    want = reference_coverage(geom, x_edges, y_edges)
    assert got.shape == (len(y_edges) - 1, len(x_edges) - 1)
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    raw = raw_fractions(geom, x_edges, y_edges)
    assert raw.min() >= -TOL and raw.max() <= 1 + TOL
    return got


# ---------------------------------------------------------------------------------------
# random geometries (seeded)


def rotated_rectangles(rng, n, span=1000.0):
    centres = rng.uniform(0, span, (n, 2))
    half = rng.uniform(5, 80, (n, 2))
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    c, s = np.cos(angle), np.sin(angle)
    local = corners[None] * half[:, None, :]
    x = centres[:, None, 0] + c[:, None] * local[..., 0] - s[:, None] * local[..., 1]
    y = centres[:, None, 1] + s[:, None] * local[..., 0] + c[:, None] * local[..., 1]
    return shapely.union_all(shapely.polygons(np.stack([x, y], axis=-1)))


def traces(rng, n, span=1000.0, width=(4.0, 25.0), cap_style="flat"):
    polys = []
    for _ in range(n):
        steps = rng.integers(2, 7)
        pts = np.cumsum(rng.uniform(-150, 150, (steps, 2)), axis=0) + rng.uniform(0, span, 2)
        w = rng.uniform(*width)
        polys.append(shapely.LineString(pts).buffer(w / 2, quad_segs=16, cap_style=cap_style,
                                                    join_style="mitre", mitre_limit=10.0))
    return shapely.union_all(polys)


def plane_with_holes(rng, n, span=1000.0, quad_segs=8):
    centres = rng.uniform(20, span - 20, (n, 2))
    size = rng.uniform(3, 25, n)
    square = rng.random(n) < 0.5
    holes = [shapely.box(cx - s, cy - s, cx + s, cy + s) if sq
             else shapely.Point(cx, cy).buffer(s, quad_segs=quad_segs)
             for (cx, cy), s, sq in zip(centres, size, square, strict=True)]
    return shapely.difference(shapely.box(0, 0, span, span), shapely.union_all(holes))


def test_union_of_rotated_rectangles():
    rng = np.random.default_rng(1)
    geom = rotated_rectangles(rng, 60)
    cov = check(geom, np.linspace(0, 1000, 31), np.linspace(0, 1000, 27))
    assert 0 < cov.mean() < 1


def test_buffered_traces_with_mitred_joins():
    rng = np.random.default_rng(2)
    geom = traces(rng, 40)
    check(geom, np.linspace(-200, 1200, 36), np.linspace(-200, 1200, 29))


def test_plane_with_square_and_round_holes():
    rng = np.random.default_rng(3)
    geom = plane_with_holes(rng, 300)
    assert shapely.get_num_interior_rings(shapely.get_parts(geom)).sum() > 100
    cov = check(geom, np.linspace(0, 1000, 26), np.linspace(0, 1000, 26))
    assert cov.min() < 1 and cov.max() == pytest.approx(1.0)


def test_polygon_crossing_the_grid_boundary():
    # a jagged polygon sticking out of every side of the grid, with a hole astride the top
    rng = np.random.default_rng(4)
    t = np.sort(rng.uniform(0, 2 * np.pi, 50))
    r = rng.uniform(300, 900, 50)
    outer = shapely.Polygon(np.c_[500 + r * np.cos(t), 500 + r * np.sin(t)])
    geom = shapely.make_valid(outer).difference(shapely.box(200, 700, 450, 1300))
    x_edges = np.linspace(100, 900, 17)
    y_edges = np.linspace(50, 850, 13)
    assert not shapely.box(x_edges[0], y_edges[0], x_edges[-1], y_edges[-1]).contains(geom)
    check(geom, x_edges, y_edges)


@pytest.mark.parametrize("where", [(-500, 0), (1500, 0), (0, 1500), (0, -500), (1500, 1500)])
def test_geometry_entirely_outside(where):
    # in particular above the grid: its edges add full row heights that must cancel
    rng = np.random.default_rng(5)
    geom = shapely.affinity.translate(rotated_rectangles(rng, 20, span=300), *where)
    cov = polygon_coverage(geom, np.linspace(0, 1000, 11), np.linspace(0, 1000, 9))
    assert cov.shape == (8, 10)
    assert np.abs(cov).max() < 1e-12


def test_one_cell_grid():
    rng = np.random.default_rng(6)
    geom = traces(rng, 10)
    got = check(geom, [100.0, 700.0], [250.0, 800.0])
    assert got.shape == (1, 1)
    box = shapely.box(100, 250, 700, 800)
    assert got[0, 0] == pytest.approx(geom.intersection(box).area / box.area, abs=TOL)


def test_non_uniform_grids():
    rng = np.random.default_rng(7)
    geom = shapely.union_all([rotated_rectangles(rng, 30), traces(rng, 20)])
    x_edges = np.sort(np.r_[-50.0, 1050.0, rng.uniform(-50, 1050, 30)])
    y_edges = np.r_[0.0, np.cumsum(np.geomspace(0.5, 120, 25))]  # cells from 0.5 to 120 µm
    check(geom, x_edges, y_edges)


def test_vertices_and_edges_on_grid_lines():
    # vertices exactly on grid lines and grid points, horizontal and vertical edges on them
    rng = np.random.default_rng(8)
    cells = [shapely.box(i * 10, j * 10, i * 10 + 10 * rng.integers(1, 4), j * 10 + 10 * rng.integers(1, 4))
             for i, j in rng.integers(0, 20, (40, 2))]
    diamonds = [shapely.Polygon([(x, y - 10), (x + 10, y), (x, y + 10), (x - 10, y)])
                for x, y in 10 * rng.integers(0, 20, (15, 2))]
    geom = shapely.union_all(cells + diamonds)
    check(geom, np.arange(0, 201, 10.0), np.arange(0, 201, 10.0))
    check(geom, np.arange(-5, 206, 10.0), np.arange(0, 201, 20.0))


def test_rectangle_aligned_with_cell_edges_is_exact():
    x_edges = np.array([0.0, 0.3, 0.7, 1.1, 2.9, 3.3])
    y_edges = np.array([-1.0, 0.1, 0.2, 0.7, 5.0])
    geom = shapely.box(0.3, 0.1, 2.9, 0.7)
    cov = polygon_coverage(geom, x_edges, y_edges)
    want = np.zeros((4, 5))
    want[1:3, 1:4] = 1.0
    assert np.array_equal(cov, want)  # exactly, not approximately


def test_right_triangle_over_one_cell_is_half():
    tri = shapely.Polygon([(2, 3), (5, 3), (2, 6)])
    cov = polygon_coverage(tri, [-1.0, 2.0, 5.0, 8.0], [3.0, 6.0])
    assert np.array_equal(cov, [[0.0, 0.5, 0.0]])


def test_orientation_and_collections_do_not_matter():
    # clockwise exteriors, counter-clockwise holes, nested collections, points and lines
    shell = [(0, 0), (0, 10), (10, 10), (10, 0)]  # clockwise
    hole = [(2, 2), (6, 2), (6, 6), (2, 6)]  # counter-clockwise
    poly = shapely.Polygon(shell, [hole])
    assert not poly.exterior.is_ccw
    other = shapely.box(12, 1, 15, 9)
    geom = shapely.GeometryCollection([
        shapely.MultiPolygon([poly]), shapely.GeometryCollection([other, shapely.Point(1, 1)]),
        shapely.LineString([(0, 0), (15, 15)])])
    grid = np.linspace(-1, 16, 9), np.linspace(-1, 11, 7)
    np.testing.assert_allclose(polygon_coverage(geom, *grid),
                               reference_coverage(shapely.union_all([poly, other]), *grid), atol=TOL)


def test_empty_geometry_gives_zeros():
    cov = polygon_coverage(shapely.Polygon(), [0, 1, 2], [0, 1])
    assert np.array_equal(cov, np.zeros((1, 2)))


def test_area_is_conserved_on_a_covering_grid():
    rng = np.random.default_rng(9)
    geom = plane_with_holes(rng, 200).union(traces(rng, 30))
    x0, y0, x1, y1 = geom.bounds
    x_edges = np.linspace(x0 - 1, x1 + 1, 64)
    y_edges = np.linspace(y0 - 1, y1 + 1, 48)
    cov = polygon_coverage(geom, x_edges, y_edges)
    total = (cov * np.outer(np.diff(y_edges), np.diff(x_edges))).sum()
    assert total == pytest.approx(geom.area, rel=1e-12)


@pytest.mark.parametrize(("x_edges", "y_edges"), [
    ([0.0], [0.0, 1.0]),                       # no cell
    ([0.0, 1.0, 1.0], [0.0, 1.0]),             # not strictly increasing
    ([0.0, 1.0], [[0.0, 1.0]]),                # not 1-D
    ([0.0, np.nan], [0.0, 1.0]),               # not finite
])
def test_bad_grids_are_refused(x_edges, y_edges):
    with pytest.raises(ValueError, match="edges"):
        polygon_coverage(shapely.box(0, 0, 1, 1), x_edges, y_edges)


def test_overlapping_input_is_refused():
    # two overlapping parts of an (invalid) MultiPolygon would be counted twice
    geom = shapely.MultiPolygon([shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)])
    with pytest.raises(ValueError, match="overlaps"):
        polygon_coverage(geom, [0, 1.5, 3], [0, 1.5, 3])


# ---------------------------------------------------------------------------------------
# the union of overlapping rings (a layer's unmerged copper)


def ring_arrays(polygons):
    """Flat ring arrays of shapely polygons: exteriors +1, holes -1, closing points kept."""
    polys = [p for q in polygons for p in shapely.get_parts(q)]
    rings, owner = shapely.get_rings(np.asarray(polys, dtype=object), return_index=True)
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = owner[1:] != owner[:-1]
    xy = shapely.get_coordinates(rings)
    start = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(shapely.get_num_coordinates(rings), out=start[1:])
    return xy[:, 0], xy[:, 1], start, np.where(exterior, 1.0, -1.0)


def check_union(polygons, x_edges, y_edges):
    """union_coverage of unmerged polygons against the shapely union clipped cell by cell."""
    got = union_coverage(*ring_arrays(polygons), x_edges, y_edges)
    want = reference_coverage(shapely.union_all(polygons), x_edges, y_edges)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=TOL)
    return got


def random_copper(rng, n, span=200.0):
    """Overlapping boxes, rotated boxes, 64-gon pads, traces of every end style and plates with holes."""
    out = []
    for _ in range(n):
        kind = rng.integers(0, 5)
        c = rng.uniform(0, span, 2)
        if kind == 0:
            out.append(shapely.box(*c, *(c + rng.uniform(1, span / 4, 2))))
        elif kind == 1:
            out.append(shapely.affinity.rotate(shapely.box(*c, *(c + rng.uniform(1, span / 5, 2))),
                                               rng.uniform(0, 180)))
        elif kind == 2:
            out.append(circle(c, rng.uniform(2, span / 8)))
        elif kind == 3:
            pts = np.cumsum(rng.uniform(-span / 5, span / 5, (rng.integers(2, 6), 2)), axis=0) + c
            cap = ("flat", "square", "round")[rng.integers(3)]
            half = rng.uniform(0.5, span / 40)
            out.append(shapely.LineString(pts).buffer(half, quad_segs=16, cap_style=cap, join_style="mitre",
                                                      mitre_limit=10.0))
        else:
            r = rng.uniform(10, span / 4)
            plate = shapely.box(*(c - r), *(c + r))
            out.append(plate.difference(shapely.box(*(c - r / 3), *(c + r / 2))))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_union_of_random_overlapping_copper(seed):
    rng = np.random.default_rng(100 + seed)
    polys = random_copper(rng, int(rng.integers(5, 60)))
    polys.append(polys[0])  # the same shape twice (stacked pads)
    # grid lines through round coordinates (where shapes have vertices) and anywhere
    lines = np.r_[np.linspace(-20, 220, 13), rng.uniform(-20, 220, 12)]
    x_edges = np.sort(rng.choice(lines, 16, replace=False))
    y_edges = np.sort(rng.choice(lines, 11, replace=False))
    cov = check_union(polys, x_edges, y_edges)
    # the plain sum of the parts exceeds the union where they overlap: an overlap counts once
    summed = sum(reference_coverage(p, x_edges, y_edges) for p in polys)
    assert (summed - cov).max() > 0.01


def test_union_coverage_rings_may_be_open_or_closed_either_way_round():
    square = np.array([(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)])
    closed = np.vstack((square, square[:1]))
    for pts in (square, square[::-1], closed, closed[::-1]):
        cov = union_coverage(pts[:, 0], pts[:, 1], [0, len(pts)], [1], [0, 1, 2, 3], [0, 1, 2])
        assert np.array_equal(cov, [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])


def test_union_coverage_holes_and_what_covers_them():
    plate = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(2, 2), (8, 2), (8, 8), (2, 8)]])
    island = shapely.box(4, 4, 6, 6)  # inside the hole: copper again
    bridge = shapely.box(1, 4.5, 9, 5.5)  # across the hole
    grid = np.arange(0, 11.0), np.arange(0, 11.0)
    check_union([plate, island], *grid)
    cov = check_union([plate, island, bridge], *grid)
    assert cov[4, 3] == pytest.approx(0.5) and cov[5, 4] == 1.0


def test_union_coverage_abutting_and_coincident_edges():
    # boxes sharing edges, a box on a grid line, one vertex exactly on a grid point
    polys = [shapely.box(0, 0, 3, 2), shapely.box(3, 0, 5, 2), shapely.box(1, 2, 4, 4),
             shapely.box(1, 2, 4, 4), shapely.Polygon([(5, 2), (7, 4), (5, 6)])]
    grid = np.arange(0, 8.0), np.arange(0, 7.0)
    cov = check_union(polys, *grid)
    assert cov[:2, :5].min() == 1.0 and cov[2, 3] == 1.0


@pytest.mark.parametrize("flip", [False, True])
def test_union_coverage_pieces_crossing_mid_slab(flip):
    # two triangles whose slopes cross exactly half-way between the only events (x = 0, 2)
    a = shapely.Polygon([(0, 0), (2, 0), (2, 2)])
    b = shapely.Polygon([(0, 0), (2, 0), (0, 2)])
    polys = [b, a] if flip else [a, b]
    cov = check_union(polys, [0.0, 2.0], [0.0, 2.0])
    assert cov[0, 0] == pytest.approx(0.75, abs=1e-15)


def test_union_coverage_of_geometry_beside_or_around_the_grid():
    plate = shapely.box(-100, -100, 100, 100)
    pads = [circle((x, y), 30) for x in (-60, 60) for y in (-60, 60)]
    inside = union_coverage(*ring_arrays([plate, *pads]), [-10, 0, 10], [-10, 10])
    assert np.array_equal(inside, np.ones((1, 2)))  # the winding number comes from outside the grid
    for dx, dy in ((500, 0), (-500, 0), (0, 500), (0, -500)):
        shifted = [shapely.affinity.translate(p, dx, dy) for p in (plate, *pads)]
        cov = union_coverage(*ring_arrays(shifted), np.linspace(-50, 50, 6), np.linspace(-50, 50, 4))
        assert np.array_equal(cov, np.zeros((3, 5)))


def test_union_coverage_of_one_tall_cell_splits_strips():
    # one cell over many edges: the sweep cuts it into strips and sums them
    rng = np.random.default_rng(11)
    polys = random_copper(rng, 150, span=1000.0)
    cov = check_union(polys, [-10.0, 1010.0], [-10.0, 1010.0])
    assert 0 < cov[0, 0] < 1


def test_union_coverage_on_threads_matches_one_thread(monkeypatch):
    # runs of strips swept on threads (as for large layers) add up to the same fractions
    from sipkit.model import _coverage

    rng = np.random.default_rng(14)
    polys = random_copper(rng, 80)
    grid = np.linspace(-10, 210, 30), np.linspace(-10, 210, 41)
    one = union_coverage(*ring_arrays(polys), *grid)
    monkeypatch.setattr(_coverage, "_THREAD_WORK", 1)
    calls = []
    sweep = _coverage._run_strips
    monkeypatch.setattr(_coverage, "_run_strips", lambda fn, work: calls.append(work.size) or sweep(fn, work))
    many = check_union(polys, *grid)
    assert calls == [40]
    np.testing.assert_array_equal(many, one)


def test_union_coverage_equals_polygon_coverage_for_merged_input():
    rng = np.random.default_rng(12)
    geom = plane_with_holes(rng, 100)
    grid = np.linspace(0, 1000, 23), np.linspace(0, 1000, 17)
    np.testing.assert_allclose(union_coverage(*ring_arrays([geom]), *grid), polygon_coverage(geom, *grid),
                               rtol=0, atol=1e-12)


def test_union_coverage_ignores_rings_without_area():
    x = [0.0, 1.0, 2.0, 0.0, 4.0, 4.0, 0.0, 4.0, 4.0, 0.0]
    y = [0.0, 1.0, 2.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    cov = union_coverage(x, y, [0, 3, 7, 10], [1, 1, 1], [0, 2, 4], [0, 1])
    assert np.array_equal(cov, [[1.0, 1.0]])


def test_union_coverage_refuses_inconsistent_arrays():
    with pytest.raises(ValueError, match="ring_start"):
        union_coverage([0, 1, 1], [0, 0, 1], [0, 4], [1], [0, 1], [0, 1])
    with pytest.raises(ValueError, match="non-finite"):
        union_coverage([0, 1, np.nan], [0, 0, 1], [0, 3], [1], [0, 1], [0, 1])
    with pytest.raises(ValueError, match="edges"):
        union_coverage([0, 1, 1], [0, 0, 1], [0, 3], [1], [1, 0], [0, 1])


_coord = st.integers(-30, 130).map(float) | st.floats(-30, 130).map(lambda v: round(v, 3))


@st.composite
def copper_and_grid(draw):
    polys = []
    for _ in range(draw(st.integers(1, 8))):
        x0, y0 = draw(_coord), draw(_coord)
        kind = draw(st.sampled_from(["box", "pad", "trace"]))
        if kind == "box":
            polys.append(shapely.box(x0, y0, x0 + draw(st.floats(0.5, 60)), y0 + draw(st.floats(0.5, 60))))
        elif kind == "pad":
            polys.append(circle((x0, y0), draw(st.floats(1, 40))))
        else:
            pts = [(x0, y0)] + [(draw(_coord), draw(_coord)) for _ in range(draw(st.integers(1, 3)))]
            if any(a == b for a, b in itertools.pairwise(pts)):
                continue
            cap = draw(st.sampled_from(["flat", "square", "round"]))
            polys.append(shapely.LineString(pts).buffer(draw(st.floats(0.5, 8)), quad_segs=16, cap_style=cap,
                                                        join_style="mitre", mitre_limit=10.0))
    assume(polys)
    xs = sorted(set(draw(st.lists(_coord, min_size=2, max_size=9))))
    ys = sorted(set(draw(st.lists(_coord, min_size=2, max_size=9))))
    assume(len(xs) > 1 and len(ys) > 1)
    return polys, np.array(xs), np.array(ys)


@settings(max_examples=60, deadline=None)
@given(copper_and_grid())
def test_union_coverage_matches_the_shapely_union(case):
    polys, x_edges, y_edges = case
    check_union(polys, x_edges, y_edges)


# ---------------------------------------------------------------------------------------
# the public path through a Package

DESIGN = """\
    sipkit: 1
    units: um
    name: coverage
    substrate:
      outline: {rect: [0, 0, 4000, 3000]}
      stackup:
        - {name: L1, kind: conductor, thickness: 15, material: cu}
        - {name: BU1, kind: buildup, thickness: 30, material: abf}
        - {name: L2, kind: conductor, thickness: 15, material: cu}
      routing:
        L1:
          traces:
            - {net: A, width: 25, points: [[100, 100], [2500, 100], [3200, 900], [3200, 2800]]}
            - {net: B, width: 40, points: [[300, 2700], [1500, 1500], [1500, 400]], ends: round}
          shapes:
            - {net: GND, points: {rect: [2000, 1500, 3900, 2900]},
               holes: [[[2200, 1700], [2600, 1700], [2600, 2100], [2200, 2100]]]}
      vias:
        - {at: [3200, 900], from: L1, to: L2, drill: 40, pad: 80, net: A}
      fingers:
        - {name: F1, at: [600, 1200], size: [200, 60], net: B}
    materials:
      cu: {k: 385, rho: 8930, cp: 385, E: 110, nu: 0.34, cte: 17}
      abf: {k: 0.3, E: 5, nu: 0.3, cte: 39}
    """


def _load_text(tmp_path_factory, name, text):
    path = tmp_path_factory.mktemp(name) / "design.yaml"
    path.write_text(textwrap.dedent(text))
    return sipkit.load(path)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return _load_text(tmp_path_factory, "coverage", DESIGN)


def test_package_coverage_grid_conserves_the_layer_area(package):
    x_edges = np.r_[0.0, np.cumsum(np.linspace(20, 140, 40))]
    x_edges *= 4000 / x_edges[-1]
    y_edges = np.linspace(0, 3000, 31)
    cov = package.coverage_grid("L1", x_edges, y_edges)
    geom = package.layer_geometry("L1")
    total = (cov * np.outer(np.diff(y_edges), np.diff(x_edges))).sum()
    assert total == pytest.approx(geom.area, rel=1e-12)
    np.testing.assert_allclose(cov, reference_coverage(geom, x_edges, y_edges), atol=TOL)
    assert cov.max() == 1.0  # cells inside the plane


OVERLAPS = """\
    sipkit: 1
    units: um
    name: overlaps
    substrate:
      outline: {rect: [0, 0, 3000, 2000]}
      stackup:
        - {name: L1, kind: conductor, thickness: 15, material: cu}
        - {name: BU1, kind: buildup, thickness: 30, material: abf}
        - {name: L2, kind: conductor, thickness: 15, material: cu}
        - {name: BU2, kind: buildup, thickness: 30, material: abf}
        - {name: L3, kind: conductor, thickness: 15, material: cu}
      routing:
        L1:
          traces:   # crossing each other, over pads and into a plane; every end style
            - {net: A, width: 25, points: [[100, 100], [1500, 100], [1500, 1200]]}
            - {net: B, width: 40, points: [[200, 50], [900, 700], [900, 1900]], ends: round}
            - {net: C, width: 30, points: [[50, 400], [2600, 400]], ends: extended}
            - {net: D, width: 10, points: [[1000, 1000], [1400, 1030], [1100, 1300], [1600, 1250]]}
            - {net: A, width: 25, points: [[1500, 1200], [2200, 1200]]}
          shapes:
            - {net: GND, points: {rect: [2000, 1000, 2900, 1900]},
               holes: [[[2100, 1100], [2400, 1100], [2400, 1400], [2100, 1400]],
                       [[2500, 1500], [2800, 1500], [2650, 1800]]]}
            - {net: GND, points: [[2200, 1150], [2350, 1150], [2350, 1600], [2200, 1600]]}
        L2:
          shapes:
            - {net: GND, points: {rect: [0, 0, 3000, 2000]},
               holes: [[[1400, 1100], [1600, 1100], [1600, 1300], [1400, 1300]]]}
      vias:
        - {at: [1500, 1200], from: L1, to: L3, drill: 100, pad: 180, net: A}
        - {at: [1500, 1200], from: L2, to: L3, drill: 60, pad: 150, net: A}
        - {at: [900, 700], from: L1, to: L2, drill: 40, pad: 80, net: B}
      via_arrays:
        - {center: [600, 1500], pitch: [120, 120], count: [4, 3], from: L1, to: L2, drill: 40, pad: 90}
        - {center: [600, 1500], pitch: [120, 120], count: [4, 3], from: L2, to: L3, drill: 40, pad: 90}
      fingers:
        - {name: F1, at: [1200, 150], size: [200, 60], rotation: 30, net: A}
        - {name: F2, at: [300, 1800], size: [150, 50], layer: L3}
      lands:
        - {name: X1, at: [2500, 300], diameter: 300, net: GND}
      land_arrays:
        - {center: [1500, 800], pitch: [400, 400], count: [5, 3], diameter: 250, depopulate: [B3]}
    materials:
      cu: {k: 385, rho: 8930, cp: 385, E: 110, nu: 0.34, cte: 17}
      abf: {k: 0.3, E: 5, nu: 0.3, cte: 39}
    """


@pytest.fixture(scope="module")
def overlaps(tmp_path_factory):
    return _load_text(tmp_path_factory, "overlaps", OVERLAPS)


@pytest.mark.parametrize("layer", ["L1", "L2", "L3"])
def test_coverage_grid_is_the_union_of_overlapping_copper(overlaps, layer):
    rng = np.random.default_rng(13)
    for x_edges, y_edges in [(np.linspace(0, 3000, 61), np.linspace(0, 2000, 41)),  # lines through vertices
                             (np.sort(rng.uniform(-100, 3100, 37)), np.sort(rng.uniform(-100, 2100, 23)))]:
        cov = overlaps.coverage_grid(layer, x_edges, y_edges)
        geom = overlaps.layer_geometry(layer)
        np.testing.assert_allclose(cov, reference_coverage(geom, x_edges, y_edges), rtol=0, atol=TOL)
    assert overlaps.copper_coverage(layer, (250, 150, 2750, 1850)) == pytest.approx(
        geom.intersection(shapely.box(250, 150, 2750, 1850)).area / (2500 * 1700), abs=TOL)


def test_layer_polygons_are_built_as_before(overlaps):
    # one polygon per trace, shape, via pad, finger and land, in that order (the DRC relies on it)
    from sipkit.model.geometry import layer_polygons, trace_polygon

    sub = overlaps.substrate
    order = {"L1": 0, "L2": 1, "L3": 2}
    for layer in order:
        want = []
        routing = sub.routing_of(layer)
        if routing is not None:
            want += [(trace_polygon(t), t.net) for t in routing.traces]
            want += [(shapely.Polygon(s.points, s.holes), s.net) for s in routing.shapes]
        want += [(circle(v.at, v.pad), v.net) for v in sub.all_vias()
                 if order[v.from_layer] <= order[layer] <= order[v.to_layer]]
        want += [(shapely.Polygon(f.polygon), f.net) for f in sub.fingers if (f.layer or "L1") == layer]
        want += [(circle(land.at, land.diameter), land.net) for land in sub.all_lands()
                 if (land.layer or "L3") == layer]
        got = layer_polygons(overlaps, layer)
        assert [n for _, n in got] == [n for _, n in want]
        assert all(a.equals_exact(b, 0.0) for (a, _), (b, _) in zip(got, want, strict=True))


def test_layer_rings_list_stacked_pads_once(overlaps):
    from sipkit.model.geometry import CIRCLE_SEGMENTS, layer_rings

    x, _, start, sign = layer_rings(overlaps, "L2")
    circles = np.diff(start) == CIRCLE_SEGMENTS + 1
    # L2: a plane with one hole; pads: 180 and 150 at one place, the via at [900, 700],
    # and 12 array pads stacked twice
    assert circles.sum() == 2 + 1 + 12
    assert sign.tolist().count(-1.0) == 1 and start[-1] == x.size
    assert layer_rings(overlaps, "L2") is layer_rings(overlaps, "L2")  # cached


# ---------------------------------------------------------------------------------------
# scale (marked slow): correctness on a realistic layer, with timings printed


def realistic_layer(rng, span):
    """A plane with 2,000 holes on the left half, 5,000 traces (round ends) on the right."""
    plane = shapely.affinity.scale(plane_with_holes(rng, 2000, span=span, quad_segs=16), 0.5, 1.0,
                                   origin=(0, 0))
    wires = traces(rng, 5000, span=span, width=(10.0, 30.0), cap_style="round")
    wires = wires.difference(shapely.box(-50, -50, span / 2 + 50, span + 50))
    return shapely.union_all([plane, wires])


def _median_time(fn, runs=3):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), result


@pytest.mark.slow
def test_large_layer(capsys):
    rng = np.random.default_rng(10)
    span = 20000.0
    t = time.perf_counter()
    geom = realistic_layer(rng, span)
    t_build = time.perf_counter() - t
    x, _, starts, _ = _rings(geom)
    n_edges = len(x) - (len(starts) - 1)
    fine = np.linspace(0, span, 1001)
    coarse = np.linspace(0, span, 201)
    polygon_coverage(geom, coarse, coarse)  # compiled (or loaded from the cache)
    t_fine, cov = _median_time(lambda: polygon_coverage(geom, fine, fine))
    t_new, cov200 = _median_time(lambda: polygon_coverage(geom, coarse, coarse))
    t_old, ref200 = _median_time(lambda: reference_coverage(geom, coarse, coarse), runs=1)
    cell = (span / 1000) ** 2
    assert cov.sum() * cell == pytest.approx(shapely.clip_by_rect(geom, 0, 0, span, span).area, rel=1e-10)
    np.testing.assert_allclose(cov200, ref200, atol=TOL)
    with capsys.disabled():
        print(f"\n{n_edges} edges (built in {t_build:.1f} s); 1000x1000: {t_fine * 1e3:.1f} ms; "
              f"200x200: {t_new * 1e3:.1f} ms vs shapely per row {t_old * 1e3:.0f} ms "
              f"({t_old / t_new:.0f}x)")


@pytest.mark.slow
def test_large_unmerged_layer(capsys):
    # a plane with holes, crossing traces of every end style and pads over both, unmerged
    rng = np.random.default_rng(15)
    span = 20000.0
    plate = shapely.affinity.scale(plane_with_holes(rng, 2000, span=span, quad_segs=16), 0.5, 1.0,
                                   origin=(0, 0))
    wires = []
    for _ in range(5000):
        steps = rng.uniform(-600, 600, (int(rng.integers(2, 5)), 2))
        pts = np.cumsum(steps, axis=0) + rng.uniform(0, span, 2)
        cap = ("flat", "square", "round")[rng.integers(3)]
        wires.append(shapely.LineString(pts).buffer(rng.uniform(5, 15), quad_segs=16, cap_style=cap,
                                                    join_style="mitre", mitre_limit=10.0))
    centres, diameters = rng.uniform(0, span, (3000, 2)), rng.uniform(50, 300, 3000)
    pads = [circle(c, d) for c, d in zip(centres, diameters, strict=True)]
    polys = [plate, *wires, *pads]
    rings = ring_arrays(polys)
    grid = np.linspace(0, span, 201)
    union_coverage(*rings, grid[:3], grid[:3])  # compiled (or loaded from the cache)
    t = time.perf_counter()
    geom = shapely.union_all(polys)
    t_merge = time.perf_counter() - t
    t_new, cov = _median_time(lambda: union_coverage(*rings, grid, grid))
    np.testing.assert_allclose(cov, polygon_coverage(geom, grid, grid), rtol=0, atol=TOL)
    with capsys.disabled():
        print(f"\n{rings[0].size} vertices unmerged, 200x200: union_coverage {t_new * 1e3:.1f} ms "
              f"vs shapely.union_all alone {t_merge * 1e3:.0f} ms")
