"""Layout I/O: routing to and from GDSII/OASIS, flattening, keyholes, errors, export."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import gdstk
import numpy as np
import pytest
import shapely
import yaml

import sipkit
from sipkit.errors import DesignError, LayoutError
from sipkit.io.gds import (
    default_layer_map,
    export_layout,
    layer_spec,
    read_layout,
    write_routing_source,
)
from sipkit.model import LayerRouting, Package, Shape

GRID = 1e-3  # µm, the 1 nm database unit

MATERIALS = {
    "cu": {"k": 385},
    "abf": {"k": 0.3},
    "sm": {"k": 0.25},
    "core": {"k": 0.8},
    "si": {"k": 148},
    "cu-pillar": {"k": 385},
    "mlcc": {"k": 4},
}

STACKUP = [
    {"name": "SM1", "kind": "solder_mask", "thickness": 20, "material": "sm"},
    {"name": "L1", "kind": "conductor", "thickness": 15, "material": "cu"},
    {"name": "BU1", "kind": "buildup", "thickness": 30, "material": "abf"},
    {"name": "L2", "kind": "conductor", "thickness": 15, "material": "cu"},
    {"name": "CORE", "kind": "core", "thickness": 200, "material": "core"},
    {"name": "L3", "kind": "conductor", "thickness": 15, "material": "cu"},
    {"name": "SM2", "kind": "solder_mask", "thickness": 20, "material": "sm"},
]


def octagon(cx, cy, r):
    """A 45°-edged anti-pad with vertices on the 1 nm grid."""
    return [(round(cx + r * math.cos(math.pi / 8 + k * math.pi / 4), 3),
             round(cy + r * math.sin(math.pi / 8 + k * math.pi / 4), 3)) for k in range(8)]


def routing():
    """Manhattan and 45° traces, every end style, several nets, a plane with anti-pads."""
    l1 = {
        "traces": [
            {"net": "CLK", "width": 25, "points": [[100, 100], [3000, 100], [3000, 2000.125]]},
            {"net": "D0", "width": 25.5, "ends": "extended",
             "points": [[100, 300], [1000, 300], [1500, 800], [1500, 2500], [1200.333, 2800.333]]},
            {"net": "D1", "width": 30, "ends": "round", "points": [[200, 3000], [800.001, 3600.001]]},
            {"width": 40, "points": [[4000, 4000], [4000, 5000]]},  # no net
        ],
        "shapes": [
            {"net": "CLK", "points": {"rect": [2950, 1950, 3050, 2050]}},
            {"net": "D0", "points": [[5000, 5000], [5400, 5000], [5400, 5200], [5200, 5400], [5000, 5400]]},
        ],
    }
    plane = {
        "net": "GND",
        "points": [[0, 0], [9000, 0], [9000, 8000], [8000, 9000], [0, 9000]],  # a 45° corner
        "holes": [
            [[100, 100], [300, 100], [300, 300], [100, 300]],
            octagon(3000, 2000, 80),
            octagon(1500, 800, 60),
            octagon(8300, 8300, 120),  # next to the 45° edge
            [[6000, 6000], [6500, 6000], [6500, 6100], [6000, 6100]],
            [[6000, 6200], [6500, 6200], [6500, 6300], [6000, 6300]],  # same rows as the one above
        ],
    }
    l2 = {"shapes": [plane, {"net": "VDD", "points": {"rect": [9500, 100, 9900, 9900]}}]}
    l3 = {"traces": [{"net": "VDD", "width": 100, "ends": "round",
                      "points": [[500, 500], [500, 9500], [9500, 9500]]}]}
    return {"L1": l1, "L2": l2, "L3": l3}


def package_data(**extra):
    data = {
        "name": "gds-test",
        "materials": MATERIALS,
        "substrate": {
            "outline": {"rect": [0, 0, 10000, 10000]},
            "stackup": STACKUP,
            "routing": routing(),
            "vias": [{"at": [3000, 2000], "from": "L1", "to": "L2", "drill": 40, "pad": 80, "net": "CLK"}],
            "via_arrays": [{"center": [7000, 3000], "pitch": [200, 200], "count": [2, 3], "from": "L1",
                            "to": "L3", "drill": 100, "pad": 200, "net": "GND"}],
            "mask_openings": [{"layer": "SM1", "points": {"rect": [2900, 1900, 3100, 2100]}}],
            "fingers": [{"name": "F1", "at": [1500, 9500], "size": [200, 60], "net": "D1"}],
            "lands": [{"name": "A1", "at": [1000, 1000], "diameter": 300, "net": "GND"}],
        },
        "dies": [{
            "name": "npu", "size": [2000, 2000], "thickness": 200, "at": [5000, 7000],
            "flip_chip": {"bump": {"kind": "copper_pillar", "diameter": 40, "height": 60,
                                   "material": "cu-pillar"},
                          "arrays": [{"pitch": [200, 200], "count": [5, 5]}]},
        }],
        "passives": [
            {"name": "C1", "at": [8000, 1000], "size": [1000, 500], "height": 500, "net": "VDD"},
            {"name": "C2", "at": [8000, 2000], "size": [1000, 500], "height": 500, "side": "bottom"},
        ],
    }
    data.update(extra)
    return data


@pytest.fixture(scope="module")
def pkg():
    return Package(**package_data())


# --------------------------------------------------------------------------------------
# helpers


def poly(shape):
    return shapely.Polygon(shape.points, shape.holes)


def assert_same_shape(got, want):
    """Same net, same number of holes, same area (1e-6 relative) and the same region."""
    assert got.net == want.net
    assert len(got.holes) == len(want.holes)
    a, b = poly(got), poly(want)
    assert a.area == pytest.approx(b.area, rel=1e-6)
    assert a.symmetric_difference(b).area <= 1e-6 * b.area
    assert sorted(shapely.Polygon(h).area for h in got.holes) == pytest.approx(
        sorted(shapely.Polygon(h).area for h in want.holes), rel=1e-6)


def snapped(xy):
    return tuple((round(x / GRID) * GRID + 0.0, round(y / GRID) * GRID + 0.0) for x, y in xy)


def canonical_shape(s):
    """A shape in normal form: collinear vertices dropped, rings ordered as GEOS normalises."""
    g = shapely.normalize(shapely.simplify(poly(s), GRID / 2))
    return Shape.from_internal(points=snapped(g.exterior.coords[:-1]),
                               holes=tuple(snapped(r.coords[:-1]) for r in g.interiors), net=s.net)


def canonical(p: Package) -> Package:
    """`p` with geometry snapped to 1 nm and shapes in normal form, for comparing packages."""
    routing = tuple(
        LayerRouting.from_internal(
            layer=r.layer,
            traces=tuple(dataclasses.replace(t, points=snapped(t.points)) for t in r.traces),
            shapes=tuple(canonical_shape(s) for s in r.shapes))
        for r in p.substrate.routing)
    return dataclasses.replace(p, substrate=dataclasses.replace(p.substrate, routing=routing))


def write_yaml(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def error_line(path: Path, needle: str, after: str = "routing_gds:") -> int:
    """1-based number of the first line of `path` containing `needle`, from the line with `after`."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line)
    return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])


# --------------------------------------------------------------------------------------
# round trips


@pytest.mark.parametrize("suffix", [".gds", ".oas"])
def test_routing_round_trip(tmp_path, pkg, suffix):
    source = write_routing_source(pkg, tmp_path / "out" / f"routing{suffix}", relative_to=tmp_path)
    assert source == {"file": f"out/routing{suffix}", "cell": "gds_test",
                      "layers": {"L1": "1/0", "L2": "2/0", "L3": "3/0"}}
    back = read_layout(tmp_path / source["file"], source["layers"], cell=source["cell"])
    assert list(back) == ["L1", "L2", "L3"]
    for r in pkg.substrate.routing:
        got = back[r.layer]
        assert got.layer == r.layer
        # traces come back exactly: points, width, net and ends (all on the 1 nm grid)
        assert got.traces == r.traces
        assert len(got.shapes) == len(r.shapes)
        for g, w in zip(got.shapes, r.shapes, strict=True):
            assert_same_shape(g, w)
    plane = back["L2"].shapes[0]
    assert len(plane.holes) == 6 and poly(plane).is_valid
    # the cuts that join holes to the boundary leave no vertex behind
    assert len(plane.points) == 5
    ends = {t.net: t.ends for t in back["L1"].traces}
    assert ends == {"CLK": "flush", "D0": "extended", "D1": "round", None: "flush"}


def test_round_ends_survive_oasis_with_extended_fallback(tmp_path, pkg):
    """OASIS has no round path ends: the file holds extended ends plus a marker property."""
    source = write_routing_source(pkg, tmp_path / "r.oas", relative_to=tmp_path)
    lib = gdstk.read_oas(tmp_path / source["file"])
    (round_path,) = [p for p in lib.cells[0].paths if p.get_gds_property(1) == "D1"]
    assert round_path.ends == ("extended",)
    assert ["SIPKIT_PATH_ENDS", b"round"] in round_path.properties
    assert read_layout(tmp_path / "r.oas", {"L1": "1/0"})["L1"].traces[2].ends == "round"


@pytest.mark.parametrize("suffix", [".gds", ".oas"])
def test_save_and_load_design_with_routing_layout(tmp_path, pkg, suffix):
    design = tmp_path / "d.yaml"
    sipkit.save(pkg, design, routing_gds=tmp_path / "layout" / f"routing{suffix}")
    doc = yaml.safe_load(design.read_text())
    assert "routing" not in doc["substrate"]
    assert doc["substrate"]["routing_gds"]["file"] == f"layout/routing{suffix}"
    loaded = sipkit.load(design)
    assert canonical(loaded) == canonical(pkg)
    assert loaded.layer_geometry("L2", "GND").area == pytest.approx(pkg.layer_geometry("L2", "GND").area,
                                                                     rel=1e-9)


def test_hand_written_design_mixes_layout_and_inline_routing(tmp_path, pkg):
    write_routing_source(pkg, tmp_path / "r.gds", relative_to=tmp_path)
    data = package_data()
    data["substrate"]["routing"] = {"L3": routing()["L3"]}
    data["substrate"]["routing_gds"] = {"file": "r.gds", "layers": {"L1": "1/0", "L2": [2, 0]}}
    loaded = sipkit.load(write_yaml(tmp_path / "d.yaml", data))
    assert [r.layer for r in loaded.substrate.routing] == ["L3", "L1", "L2"]
    assert loaded.substrate.routing_of("L1").traces == pkg.substrate.routing_of("L1").traces
    assert_same_shape(loaded.substrate.routing_of("L2").shapes[0], pkg.substrate.routing_of("L2").shapes[0])


def test_layout_in_nanometre_units_is_read_in_micrometres(tmp_path):
    lib = gdstk.Library(unit=1e-9, precision=1e-9)
    cell = lib.new_cell("TOP")
    cell.add(gdstk.FlexPath([(0, 0), (12345, 0)], 250, simple_path=True, layer=1))
    lib.write_gds(tmp_path / "nm.gds")
    (trace,) = read_layout(tmp_path / "nm.gds", {"L1": "1/0"})["L1"].traces
    assert trace.points == ((0.0, 0.0), (12.345, 0.0))
    assert trace.width == 0.25


# --------------------------------------------------------------------------------------
# reading details


def test_hierarchy_is_flattened_with_offsets_rotations_and_magnification(tmp_path):
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    leaf = lib.new_cell("LEAF")
    path = gdstk.FlexPath([(0, 0), (100, 0), (100, 50)], 10, ends="extended", simple_path=True, layer=1)
    path.set_gds_property(1, "SIG")
    leaf.add(path)
    pad = gdstk.rectangle((0, 0), (20, 10), layer=1)
    pad.set_gds_property(1, "PAD")
    leaf.add(pad)
    mid = lib.new_cell("MID")
    mid.add(gdstk.Reference(leaf, (1000, 0)))
    mid.add(gdstk.Reference(leaf, (0, 2000), rotation=math.pi / 2))
    top = lib.new_cell("TOP")
    top.add(gdstk.Reference(mid, (0, 0)))
    top.add(gdstk.Reference(leaf, (5000, 5000), rotation=math.pi, magnification=2, x_reflection=True))
    top.add(gdstk.Reference(leaf, (0, -1000), columns=2, rows=1, spacing=(300, 0)))  # an array
    lib.write_gds(tmp_path / "h.gds")

    got = read_layout(tmp_path / "h.gds", {"L1": "1/0"})["L1"]
    traces = sorted(got.traces, key=lambda t: t.points)
    assert [t.points for t in traces] == [
        ((0.0, -1000.0), (100.0, -1000.0), (100.0, -950.0)),  # the array's two copies
        ((0.0, 2000.0), (0.0, 2100.0), (-50.0, 2100.0)),  # rotated by 90°
        ((300.0, -1000.0), (400.0, -1000.0), (400.0, -950.0)),
        ((1000.0, 0.0), (1100.0, 0.0), (1100.0, 50.0)),  # offset
        ((5000.0, 5000.0), (4800.0, 5000.0), (4800.0, 5100.0)),  # reflected about x, turned 180°, x2
    ]
    assert [t.width for t in traces] == [10.0, 10.0, 10.0, 10.0, 20.0]
    assert {t.net for t in traces} == {"SIG"} and {t.ends for t in traces} == {"extended"}
    pads = sorted(shapely.Polygon(s.points).bounds for s in got.shapes)
    assert pads == [(-10.0, 2000.0, 0.0, 2020.0), (0.0, -1000.0, 20.0, -990.0),
                    (300.0, -1000.0, 320.0, -990.0), (1000.0, 0.0, 1020.0, 10.0),
                    (4960.0, 5000.0, 5000.0, 5020.0)]
    assert {s.net for s in got.shapes} == {"PAD"}
    # a cell below the top one can be read too
    assert len(read_layout(tmp_path / "h.gds", {"L1": "1/0"}, cell="LEAF")["L1"].traces) == 1


def test_keyhole_from_another_tool_becomes_a_shape_with_a_hole(tmp_path):
    # a 100 x 100 square with a 20 x 20 hole, joined by a cut along x = 40, the hole
    # run round clockwise (as tools write it) and, in a second copy, anticlockwise
    ring = [(0, 0), (40, 0), (40, 40), (40, 60), (60, 60), (60, 40), (40, 40), (40, 0),
            (100, 0), (100, 100), (0, 100)]
    ring_ccw = [(x + 1000, y) for x, y in ring[:3] + ring[3:6][::-1] + ring[6:]]
    assert not shapely.Polygon(ring).is_valid
    bow_tie = [(200, 0), (300, 100), (300, 0), (200, 100)]
    sliver = [(400, 0), (500, 0), (450, 0)]
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("TOP")
    for pts in (ring, ring_ccw, bow_tie, sliver):
        p = gdstk.Polygon(pts, layer=5, datatype=2)
        p.set_gds_property(1, "GND")
        cell.add(p)
    lib.write_gds(tmp_path / "k.gds")
    shapes = read_layout(tmp_path / "k.gds", {"L2": "5/2"})["L2"].shapes
    plane, plane_ccw, *halves = shapes
    for p, dx in ((plane, 0), (plane_ccw, 1000)):
        assert len(p.holes) == 1 and poly(p).area == pytest.approx(100 * 100 - 20 * 20)
        assert shapely.Polygon(p.holes[0]).equals(shapely.box(40 + dx, 40, 60 + dx, 60))
        assert len(p.points) == 4  # the cut's vertex on the boundary is gone
    # the bow tie becomes its two triangles; the zero-area sliver is skipped
    assert len(halves) == 2 and sum(poly(s).area for s in halves) == pytest.approx(5000)
    assert {s.net for s in shapes} == {"GND"}


def test_paths_with_explicit_extensions(tmp_path):
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("TOP")
    cell.add(gdstk.FlexPath([(0, 0), (100, 0)], 10, ends=(5, 5), simple_path=True, layer=1))
    cell.add(gdstk.FlexPath([(0, 100), (100, 100)], 10, ends=(0, 0), simple_path=True, layer=1))
    odd = gdstk.FlexPath([(0, 200), (100, 200)], 10, ends=(3, 1), simple_path=True, layer=1)
    odd.set_gds_property(1, "ODD")
    cell.add(odd)
    lib.write_gds(tmp_path / "e.gds")
    got = read_layout(tmp_path / "e.gds", {"L1": "1/0"})["L1"]
    assert [t.ends for t in got.traces] == ["extended", "flush"]
    (shape,) = got.shapes  # pathtype 4 with other extensions: a polygon of its outline
    assert shape.net == "ODD"
    assert shapely.Polygon(shape.points).equals(shapely.box(-3, 195, 101, 205))


def test_nets_from_labels_when_no_property(tmp_path):
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("TOP")
    cell.add(gdstk.rectangle((0, 0), (100, 100), layer=1))
    cell.add(gdstk.FlexPath([(200, 0), (400, 0)], 10, simple_path=True, layer=1))
    cell.add(gdstk.rectangle((500, 0), (600, 100), layer=1))
    tagged = gdstk.rectangle((700, 0), (800, 100), layer=1)
    tagged.set_gds_property(1, "OWN")
    cell.add(tagged)
    cell.add(gdstk.Label("VDD", (50, 50), layer=1),
             gdstk.Label("SIG", (300, 4), layer=1),
             gdstk.Label("A", (510, 10), layer=1), gdstk.Label("B", (590, 90), layer=1),  # disagree
             gdstk.Label("X", (750, 50), layer=1),  # the property wins
             gdstk.Label("OTHER", (60, 60), layer=2))  # another layer
    lib.write_gds(tmp_path / "l.gds")
    got = read_layout(tmp_path / "l.gds", {"L1": "1/0"})["L1"]
    assert [s.net for s in got.shapes] == ["VDD", None, "OWN"]
    assert [t.net for t in got.traces] == ["SIG"]


def test_real_sky130_layout_reads_quickly():
    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "sky130-wrapper" / "met2_met3.gds"
    if not data.is_file():
        pytest.skip(f"the shared real-data folder is not next to the repository ({data.parent} missing)")
    start = time.perf_counter()
    got = read_layout(data, {"met2": "69/20", "met3": [70, 20]}, cell="user_project_wrapper")
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0
    edges = sum(len(s.points) + sum(len(h) for h in s.holes) for r in got.values() for s in r.shapes)
    assert edges == 12144
    assert all(poly(s).is_valid for r in got.values() for s in r.shapes)
    # the same polygons as gdstk's own flattening, sub-cell included, area for area
    flat = gdstk.read_gds(data).top_level()[0].get_polygons()
    for name, (layer, datatype) in (("met2", (69, 20)), ("met3", (70, 20))):
        mine = [p for p in flat if (p.layer, p.datatype) == (layer, datatype)]
        assert len(got[name].shapes) == len(mine) > 500
        assert sum(poly(s).area for s in got[name].shapes) == pytest.approx(sum(p.area() for p in mine),
                                                                            rel=1e-12)
    assert {s.net for r in got.values() for s in r.shapes} == {None}


# --------------------------------------------------------------------------------------
# errors


def small_layout(path: Path):
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    cell = lib.new_cell("TOP")
    cell.add(gdstk.rectangle((0, 0), (10, 10), layer=1))
    lib.new_cell("SPARE").add(gdstk.rectangle((0, 0), (10, 10), layer=7, datatype=3))
    lib.write_gds(path)
    return path


def load_with(tmp_path, source) -> LayoutError:
    data = package_data()
    del data["substrate"]["routing"]
    data["substrate"]["routing_gds"] = source
    design = write_yaml(tmp_path / "d.yaml", data)
    with pytest.raises(DesignError) as info:
        sipkit.load(design)
    return info.value


@pytest.mark.parametrize(("source", "field", "needles", "line_key"), [
    ({"file": "nothere.gds", "cell": "TOP", "layers": {"L1": "1/0"}},
     "substrate.routing_gds.file", ["no such layout file", "nothere.gds"], "file:"),
    ({"file": "r.txt", "layers": {"L1": "1/0"}},
     "substrate.routing_gds.file", ["unknown layout type '.txt'"], "file:"),
    ({"file": "bad.gds", "layers": {"L1": "1/0"}},
     "substrate.routing_gds.file", ["cannot read bad.gds as GDSII"], "file:"),
    ({"file": "r.gds", "cell": "TPO", "layers": {"L1": "1/0"}},
     "substrate.routing_gds.cell", ["r.gds has no cell 'TPO'", "did you mean 'TOP'", "top cells: "], "cell:"),
    ({"file": "r.gds", "layers": {"L1": "1/0"}},
     "substrate.routing_gds", ["r.gds has 2 top cells (SPARE, TOP)", "cell:"], "routing_gds:"),
    ({"file": "r.gds", "cell": "TOP", "layers": {"L1": "1/0", "L2": "2/0"}},
     "substrate.routing_gds.layers.L2", ["r.gds", "no geometry on layer 2/0", "layers present: 1/0"], "L2:"),
    ({"file": "r.gds", "cell": "TOP", "layers": {"L1": "1-0"}},
     "substrate.routing_gds.layers.L1", ["GDS layer/datatype", "'1-0'"], "L1:"),
    ({"file": "r.gds", "cell": "TOP", "layers": {"L1": [1, 0, 0]}},
     "substrate.routing_gds.layers.L1", ["GDS layer/datatype", "[1, 0, 0]"], "L1:"),
    ({"file": "r.gds", "cell": "TOP", "layers": {"L1": "1/0", "L3": "1/0"}},
     "substrate.routing_gds.layers.L3", ["'L1' and 'L3' both map to 1/0"], "L3:"),
    ({"file": "r.gds", "cell": "TOP", "layer": {"L1": "1/0"}},
     "substrate.routing_gds.layer", ["unknown field 'layer'", "did you mean 'layers'"], "layer:"),
])
def test_errors_name_design_file_line_field_and_layout(tmp_path, source, field, needles, line_key):
    small_layout(tmp_path / "r.gds")
    (tmp_path / "bad.gds").write_bytes(b"not a layout at all")
    err = load_with(tmp_path, source)
    assert isinstance(err, DesignError)
    assert err.field == field
    assert err.file == "d.yaml"
    assert err.line == error_line(tmp_path / "d.yaml", line_key)
    text = str(err)
    assert text.startswith(f"d.yaml:{err.line}: {field}: ")
    for needle in needles:
        assert needle in text


def test_layer_errors_are_layout_errors(tmp_path):
    small_layout(tmp_path / "r.gds")
    err = load_with(tmp_path, {"file": "r.gds", "cell": "TOP", "layers": {"L2": "9/9"}})
    assert isinstance(err, LayoutError)


def test_layout_layer_on_a_non_conductor_is_rejected(tmp_path):
    small_layout(tmp_path / "r.gds")
    err = load_with(tmp_path, {"file": "r.gds", "cell": "TOP", "layers": {"SM1": "1/0"}})
    assert err.file == "d.yaml"
    assert err.field == "substrate.routing_gds.layers.SM1"  # located at the layer map entry
    assert "'SM1' is not a conductor layer of the stack-up; conductor layers: L1, L2, L3" in str(err)


def test_library_reader_errors_name_layout_file_and_field(tmp_path):
    path = small_layout(tmp_path / "r.gds")
    with pytest.raises(LayoutError) as info:
        read_layout(path, {"L1": "1/0", "L2": "2/0"}, cell="TOP")
    assert (info.value.file, info.value.field) == (str(path), "layers.L2")
    assert "no geometry on layer 2/0; layers present: 1/0" in str(info.value)
    with pytest.raises(LayoutError) as info:
        read_layout(path, {"L1": "one"}, cell="TOP")
    assert info.value.field == "layers.L1" and "'one'" in str(info.value)
    with pytest.raises(LayoutError) as info:
        read_layout(path, {"L1": "1/0"}, cell="NOPE")
    assert info.value.field == "cell" and "no cell 'NOPE'" in str(info.value)
    with pytest.raises(LayoutError) as info:
        read_layout(tmp_path / "missing.oas", {"L1": "1/0"})
    assert info.value.file == str(tmp_path / "missing.oas") and "no such layout file" in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [
    ("1/0", (1, 0)), ("69/20", (69, 20)), (" 2 / 3 ", (2, 3)), ("7", (7, 0)), (7, (7, 0)), ([4, 1], (4, 1)),
])
def test_layer_spec_accepts(value, expected):
    assert layer_spec(value) == expected


@pytest.mark.parametrize("value", ["1/", "a/b", "-1/0", "1/0/0", "70000/0", True, [1], [1, "0"], None, 1.5])
def test_layer_spec_rejects(value):
    with pytest.raises(ValueError, match="GDS layer/datatype"):
        layer_spec(value)


def test_writer_rejects_unknown_extension(tmp_path, pkg):
    with pytest.raises(LayoutError, match=r"unknown layout type '\.dxf'"):
        write_routing_source(pkg, tmp_path / "r.dxf", relative_to=tmp_path)
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------
# full layout export


@pytest.mark.parametrize("suffix", [".gds", ".oas"])
def test_export_layout(tmp_path, pkg, suffix):
    out = tmp_path / f"module{suffix}"
    used = export_layout(pkg, out)
    assert used == {"L1": "1/0", "L2": "2/0", "L3": "3/0", "SM1": "70/0", "DRILL": "60/0",
                    "OUTLINE": "100/0", "DIE_TOP": "110/0", "PASSIVE_TOP": "120/0", "PASSIVE_BOTTOM": "121/0"}
    assert set(used.items()) <= set(default_layer_map(pkg).items())
    lib = gdstk.read_gds(out) if suffix == ".gds" else gdstk.read_oas(out)
    (top,) = lib.top_level()
    polys = top.get_polygons(include_paths=False)

    def on(ld):
        layer, datatype = layer_spec(ld)
        return [p for p in polys if (p.layer, p.datatype) == (layer, datatype)]

    sub = pkg.substrate
    vias = sub.all_vias()
    drills = on("60/0")
    assert len(drills) == len(vias) == 7
    assert sorted(p.get_gds_property(2).rstrip("\0") for p in drills) == ["L1:L2"] + ["L1:L3"] * 6
    assert sum(p.area() for p in drills) == pytest.approx(
        sum(math.pi * v.drill**2 / 4 for v in vias), rel=2e-3)
    (outline,) = on("100/0")
    assert outline.area() == pytest.approx(1e8)
    (opening,) = on("70/0")
    assert opening.area() == pytest.approx(200 * 200)
    (die,) = on("110/0")
    assert np.ravel(die.bounding_box()) == pytest.approx([4000, 6000, 6000, 8000])
    assert sorted(lb.text for lb in top.labels) == ["C1", "C2", "npu"]
    (c2,) = on("121/0")
    assert np.ravel(c2.bounding_box()) == pytest.approx([7500, 1750, 8500, 2250])

    copper = read_layout(out, {k: used[k] for k in ("L1", "L2", "L3")})
    assert copper["L1"].traces == sub.routing_of("L1").traces
    # L1: 2 routing shapes + 7 via pads + 1 finger; L3: 6 via pads + 1 land (bottom layer)
    assert len(copper["L1"].shapes) == 2 + 7 + 1
    assert len(copper["L3"].shapes) == 6 + 1
    pad_nets = [s.net for s in copper["L3"].shapes]
    assert pad_nets == ["GND"] * 7
    finger = copper["L1"].shapes[-1]
    assert finger.net == "D1" and poly(finger).area == pytest.approx(200 * 60)


def test_export_layout_layer_map_overrides(tmp_path, pkg):
    out = tmp_path / "m.gds"
    used = export_layout(pkg, out, {"DRILL": None, "L1": "11/5", "OUTLINE": [200, 1]}, cell="MODULE")
    assert "DRILL" not in used and used["L1"] == "11/5" and used["OUTLINE"] == "200/1"
    lib = gdstk.read_gds(out)
    assert [c.name for c in lib.top_level()] == ["MODULE"]
    present = {(p.layer, p.datatype) for p in lib.cells[0].get_polygons()}
    assert (60, 0) not in present and (11, 5) in present and (200, 1) in present and (1, 0) not in present
    with pytest.raises(DesignError, match="unknown layout layer 'L9'") as info:
        export_layout(pkg, tmp_path / "x.gds", {"L9": "9/0"})
    assert info.value.field == "layer_map.L9"
    with pytest.raises(DesignError, match="GDS layer/datatype"):
        export_layout(pkg, tmp_path / "x.gds", {"L1": "x"})
    assert not (tmp_path / "x.gds").exists()


def test_exported_coordinates_are_on_the_nanometre_grid(tmp_path, pkg):
    export_layout(pkg, tmp_path / "m.gds")
    lib = gdstk.read_gds(tmp_path / "m.gds")
    assert (lib.unit, lib.precision) == (1e-6, 1e-9)
    pts = np.concatenate([p.points for p in lib.cells[0].get_polygons()])
    assert np.allclose(pts / GRID, np.round(pts / GRID), atol=1e-6)
