"""Exact copper coverage on a grid: the numba kernel against a shapely reference."""

from __future__ import annotations

import textwrap
import time

import numpy as np
import pytest
import shapely
import shapely.affinity

import sipkit
from sipkit.model._coverage import _rings, polygon_coverage
from sipkit.model._coverage_kernels import _coverage_kernel

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
        strip = shapely.clip_by_rect(geom, x_edges[0], y_edges[j], x_edges[-1], y_edges[j + 1])
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


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = tmp_path_factory.mktemp("coverage") / "design.yaml"
    path.write_text(textwrap.dedent(DESIGN))
    return sipkit.load(path)


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
