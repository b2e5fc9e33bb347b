"""Plots: top view, cross-section, Jupyter HTML and figure files."""

import json
import struct
import subprocess
import sys

import matplotlib
import numpy as np
import pytest
import shapely

matplotlib.use("Agg")

import sipkit
from sipkit.errors import DesignError
from sipkit.model.geometry import layer_geometry
from sipkit.plot import package_html, plot_section, plot_top, save_figure, section
from sipkit.plot._shapes import path_area
from sipkit.plot.style import MaterialPalette, material_color

DESIGN = """
sipkit: 1
units: um
name: review-sip
materials:
  si: {k: 148}
  cu: {k: 385}
  abf: {k: 0.3}
  sm: {k: 0.25}
  bt: {k: 0.6}
  emc: {k: 0.9}
  uf: {k: 0.5}
  snag: {k: 60}
  sac305: {k: 60}
  daf: {k: 0.3}
  au: {k: 317}
  mlcc: {k: 4}
substrate:
  outline: {rect: [0, 0, 12000, 12000]}
  stackup:
    - {name: SM1, kind: solder_mask, thickness: 20, material: sm}
    - {name: L1, kind: conductor, thickness: 15, material: cu}
    - {name: BU1, kind: buildup, thickness: 30, material: abf}
    - {name: L2, kind: conductor, thickness: 15, material: cu}
    - {name: CORE, kind: core, thickness: 400, material: bt}
    - {name: L3, kind: conductor, thickness: 15, material: cu}
    - {name: BU2, kind: buildup, thickness: 30, material: abf}
    - {name: L4, kind: conductor, thickness: 15, material: cu}
    - {name: SM2, kind: solder_mask, thickness: 20, material: sm}
  routing:
    L1:
      traces:
        - {net: SIG1, width: 50, points: [[1000, 3000], [2900, 3000], [2900, 2000]]}
        - {net: SIG2, width: 50, points: [[1000, 2500], [2500, 2500]]}
        - {net: SIG2, width: 40, points: [[4000, 1000], [4000, 5000], [7000, 5000]]}
    L2:
      shapes:
        - {net: GND, points: {rect: [500, 500, 11500, 11500]},
           holes: [[[5000, 4000], [5600, 4000], [5600, 4600], [5000, 4600]]]}
  vias:
    - {at: [2900, 2000], from: L1, to: L4, drill: 100, pad: 200, net: SIG1, filled: false}
  fingers:
    - {name: F1, at: [800, 6200], size: [300, 80], net: SIG1}
    - {name: F2, at: [800, 6600], size: [300, 80], net: SIG2}
    - {name: F4, at: [3000, 11500], size: [300, 80], rotation: 90, net: SIG1}
  land_arrays:
    - {center: [6000, 6000], pitch: [800, 800], count: [14, 14], diameter: 400, depopulate: [A1],
       ball: {diameter: 500, height: 380, material: sac305}}
dies:
  - name: soc
    size: [4000, 4000]
    thickness: 300
    at: [8000, 8000]
    power: 5
    flip_chip:
      bump: {kind: copper_pillar, diameter: 60, height: 70, material: cu, cap_material: snag, cap_height: 20}
      arrays: [{pitch: [200, 200], count: [18, 18], net: GND}]
      underfill: {material: uf, fillet: 300}
  - name: dram
    size: [2500, 2000]
    thickness: 100
    at: [2500, 7000]
    wire_bond:
      attach: {material: daf, thickness: 20}
      pads: [{name: P1, at: [100, 800], net: SIG1}, {name: P2, at: [100, 1200], net: SIG2}]
      wires:
        - {pad: P1, to: F1, wire: {material: au, diameter: 20}}
        - {pad: P2, to: F2, wire: {material: au, diameter: 20}}
  - name: dram2
    size: [2000, 1500]
    thickness: 100
    at: [2500, 7000]
    on: dram
    wire_bond:
      attach: {material: daf, thickness: 20}
      pads: [{name: Q1, at: [100, 750], net: SIG2}]
      wires: [{pad: Q1, to: dram.P2, wire: {material: au}}]
  - name: ctl
    size: [1000, 2000]
    thickness: 150
    at: [3000, 10500]
    rotation: 90
    wire_bond:
      attach: {material: daf}
      pads: [{name: R1, at: [100, 1000], net: SIG1}]
      wires: [{pad: R1, to: F4, wire: {material: au}}]
  - name: pmic
    size: [1500, 1500]
    thickness: 200
    at: [3000, 3000]
    side: bottom
    flip_chip:
      bump: {kind: solder_ball, diameter: 100, height: 80, material: sac305}
      arrays: [{pitch: [250, 250], count: [5, 5]}]
passives:
  - {name: C1, at: [5500, 2000], size: [1000, 500], height: 500, material: mlcc}
molds:
  - {thickness: 700, material: emc}
"""


@pytest.fixture(scope="module")
def pkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("plot") / "review.yaml"
    path.write_text(DESIGN)
    return sipkit.load(path)


def _gid(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one collection {gid!r}, found {len(found)}"
    return found[0]


def _layer_collections(ax):
    return [c for c in ax.collections if (c.get_gid() or "").startswith("layer:")]


# -- top view --------------------------------------------------------------------------


def test_top_view_limits_cover_the_outline_in_mm(pkg):
    ax = plot_top(pkg)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 <= 0.0 and x1 >= 12.0 and y0 <= 0.0 and y1 >= 12.0
    assert x1 - x0 < 14.0 and y1 - y0 < 14.0  # mm, not µm
    assert ax.get_xlabel() == "x (mm)" and ax.get_ylabel() == "y (mm)"
    assert "review-sip" in ax.get_title()
    assert ax.get_aspect() == 1.0
    outline = next(p for p in ax.patches if p.get_gid() == "outline").get_xy()
    assert np.allclose(outline.min(axis=0), [0, 0]) and np.allclose(outline.max(axis=0), [12, 12])


@pytest.mark.parametrize("layers, expected", [(None, ["L4", "L3", "L2", "L1"]), (["L1"], ["L1"]),
                                               (["L1", "L4"], ["L4", "L1"]), ("L2", ["L2"])])
def test_one_collection_per_requested_layer(pkg, layers, expected):
    ax = plot_top(pkg, layers=layers)
    # drawn from the far side: on the top view the top layer comes last (uppermost)
    assert [c.get_gid() for c in _layer_collections(ax)] == [f"layer:{n}" for n in expected]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert all(n in legend for n in expected)


def test_layer_collection_area_matches_the_merged_copper_with_holes(pkg):
    ax = plot_top(pkg, layers=["L2"])
    coll = _gid(ax, "layer:L2")
    area = sum(path_area(p) for p in coll.get_paths())  # mm²
    expected = layer_geometry(pkg, "L2").area * 1e-6
    assert area == pytest.approx(expected, rel=1e-9)
    # the plane minus its hole (the via pad sits in another place)
    assert area < 11.0 * 11.0 - 0.6 * 0.6 + 1e-6


def test_net_filter_draws_only_that_net(pkg):
    full = sum(path_area(p) for p in _gid(plot_top(pkg, layers=["L1"]), "layer:L1").get_paths())
    ax = plot_top(pkg, layers=["L1"], net="SIG2")
    paths = _gid(ax, "layer:L1").get_paths()
    area = sum(path_area(p) for p in paths)
    assert area == pytest.approx(layer_geometry(pkg, "L1", "SIG2").area * 1e-6, rel=1e-9)
    assert 0 < area < full
    assert len(paths) == 3  # two SIG2 traces and the SIG2 finger
    assert "SIG2" in ax.get_title()
    # the highlighted wire is the SIG2 one, the others are dimmed
    wires = _gid(ax, "wires")
    widths = wires.get_linewidths()
    assert sorted(widths) == [0.5, 0.5, 1.4, 1.4]  # dram.P2 -> F2 and dram2.Q1 -> dram.P2


def test_one_wire_line_per_bond_from_pad_to_finger(pkg):
    ax = plot_top(pkg)
    segs = [np.asarray(s) for s in _gid(ax, "wires").get_segments()]
    assert len(segs) == 4
    # pads in package mm: dram's lower-left corner is (1.25, 6.0); ctl is turned a quarter
    # (local (100, 1000) -> (-400, 0) from its centre -> (3.0 - 0, 10.5 - 0.4))
    expected = [((1.35, 6.8), (0.8, 6.2)), ((1.35, 7.2), (0.8, 6.6)),
                ((1.6, 7.0), (1.35, 7.2)), ((3.0, 10.1), (3.0, 11.5))]
    assert sorted(tuple(map(tuple, np.round(s, 9))) for s in segs) == sorted(expected)


def test_bumps_and_component_outlines(pkg):
    ax = plot_top(pkg)
    bumps = _gid(ax, "bumps:soc")
    assert len(bumps.get_offsets()) == 18 * 18
    assert np.allclose(bumps.get_offsets().mean(axis=0), [8.0, 8.0])
    gids = {p.get_gid() for p in ax.patches}
    assert {"component:soc", "component:dram", "component:dram2", "component:C1"} <= gids
    assert "component:pmic" not in gids  # bottom side
    soc = next(p for p in ax.patches if p.get_gid() == "component:soc")
    assert (soc.get_x(), soc.get_y(), soc.get_width(), soc.get_height()) == pytest.approx((6, 6, 4, 4))
    labels = {t.get_text() for t in ax.texts}
    assert {"soc", "dram", "dram2 (on dram)", "C1"} <= labels
    assert next(p for p in ax.patches if p.get_gid() == "mold").get_linestyle() != "-"
    bare = plot_top(pkg, show_components=False, show_wires=False, show_bumps=False)
    assert not [c for c in bare.collections if c.get_gid() in ("wires", "bumps:soc")]
    assert not [p for p in bare.patches if (p.get_gid() or "").startswith("component:")]


def test_bottom_view_is_seen_from_below_with_lands(pkg):
    ax = plot_top(pkg, side="bottom")
    x0, x1 = ax.get_xlim()
    assert x0 > x1  # mirrored
    assert len(_gid(ax, "lands").get_offsets()) == 14 * 14 - 1
    gids = {p.get_gid() for p in ax.patches}
    assert "component:pmic" in gids and "component:soc" not in gids
    assert len(_gid(ax, "bumps:pmic").get_offsets()) == 25
    assert not [c for c in ax.collections if c.get_gid() == "fingers"]  # top-side fingers
    # the bottom layer is drawn last (nearest the viewer)
    assert _layer_collections(ax)[-1].get_gid() == "layer:L4"


def test_draws_into_a_given_axes_without_pyplot(pkg):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = plt.get_fignums()
    ax = pkg.plot(layers=["L1"])
    assert isinstance(ax.figure, Figure) and plt.get_fignums() == before
    fig = Figure()
    axes = fig.subplots(1, 2)
    assert plot_top(pkg, ax=axes[0]) is axes[0]
    assert pkg.plot_section(ax=axes[1]) is axes[1]
    assert axes[1].collections and axes[0].collections


# -- cross-section ---------------------------------------------------------------------


def _extent(coll):
    v = np.concatenate([p.vertices for p in coll.get_paths()])
    return v[:, 0].min(), v[:, 0].max(), v[:, 1].min(), v[:, 1].max()


def test_section_through_a_die_has_its_z_range_and_footprint(pkg):
    ax = plot_section(pkg, axis="y", at=8000)
    u0, u1, z0, z1 = _extent(_gid(ax, "soc"))
    assert (u0, u1) == pytest.approx((6.0, 10.0))  # mm along y
    assert (z0, z1) == pytest.approx(pkg.z_range("soc"))  # µm
    assert ax.get_xlabel() == "y (mm)" and ax.get_ylabel() == "z (µm)"
    assert "x = 8 mm" in ax.get_title()
    ax = plot_section(pkg, axis="x", at="7 mm")
    u0, u1, z0, z1 = _extent(_gid(ax, "dram2"))
    assert (u0, u1) == pytest.approx((1.5, 3.5))
    assert (z0, z1) == pytest.approx(pkg.z_range("dram2"))
    assert pkg.z_range("dram2")[0] == pytest.approx(pkg.z_range("dram")[1] + 20.0)


def _shapely_intervals(pkg, layer, y):
    line = shapely.LineString([(-1.0, y), (12001.0, y)])
    cut = line.intersection(layer_geometry(pkg, layer))
    parts = [g for g in shapely.get_parts(cut) if g.geom_type == "LineString"]
    return sorted((g.bounds[0], g.bounds[2]) for g in parts)


@pytest.mark.parametrize("layer, y", [("L1", 3000.0), ("L1", 2500.0), ("L2", 4300.0), ("L4", 6400.0)])
def test_section_copper_matches_the_cut_of_the_layer_geometry(pkg, layer, y):
    pieces = [p for p in section(pkg, "x", y) if p.name == layer]
    copper = [(p.u0, p.u1) for p in pieces if p.material == "cu"]
    expected = _shapely_intervals(pkg, layer, y)
    assert len(copper) == len(expected)
    assert np.allclose(copper, expected, rtol=0, atol=1e-9)
    assert copper  # every case cuts some copper
    fill = [(p.u0, p.u1) for p in pieces if p.material != "cu"]
    assert sum(b - a for a, b in copper + fill) == pytest.approx(12000.0)  # the layer spans the outline
    z = pkg.substrate.layer_z(layer)
    assert all((p.z0, p.z1) == z for p in pieces)


def test_section_known_values(pkg):
    pieces = section(pkg, "x", 4300.0)
    l2 = [(p.u0, p.u1, p.material) for p in pieces if p.name == "L2"]
    # the plane from 0.5 to 11.5 mm with its hole from 5.0 to 5.6 mm; fill is the build-up film
    assert l2 == [(0.0, 500.0, "abf"), (500.0, 5000.0, "cu"), (5000.0, 5600.0, "abf"),
                  (5600.0, 11500.0, "cu"), (11500.0, 12000.0, "abf")]
    # the drawn collection holds the same rectangles, in mm
    ax = plot_section(pkg, axis="x", at=4300.0)
    got = sorted((round(p.vertices[:, 0].min(), 9), round(p.vertices[:, 0].max(), 9))
                 for p in _gid(ax, "L2").get_paths())
    assert got == [(0.0, 0.5), (0.5, 5.0), (5.0, 5.6), (5.6, 11.5), (11.5, 12.0)]


def test_section_bumps_are_cut_with_their_caps(pkg):
    # bump rows of soc at y = 8000 ± 100, ± 300, ...: a cut through a row centre
    pieces = [p for p in section(pkg, "x", 8100.0) if p.name == "soc.bumps"]
    pillars = [p for p in pieces if p.material == "cu"]
    caps = [p for p in pieces if p.material == "snag"]
    assert len(pillars) == len(caps) == 18
    assert all(p.u1 - p.u0 == pytest.approx(60.0) for p in pillars)
    lo, hi = pkg.z_range("soc")[0] - 70.0, pkg.z_range("soc")[0]
    assert all((c.z0, c.z1) == pytest.approx((lo, lo + 20.0)) for c in caps)
    assert all((p.z0, p.z1) == pytest.approx((lo + 20.0, hi)) for p in pillars)
    # between rows only the underfill is cut; the underfill comes before the bumps
    assert not [p for p in section(pkg, "x", 8000.0) if p.name == "soc.bumps"]
    names = [p.name for p in section(pkg, "x", 8100.0)]
    assert names.index("soc.underfill") < names.index("soc.bumps") < names.index("soc")


def test_section_balls_and_bottom_die(pkg):
    pieces = section(pkg, "x", 2400.0)  # a land row (6000 - 4.5 * 800)
    balls = [p for p in pieces if p.name == "balls"]
    assert len(balls) == 14 and all(p.shape == "ball" and p.z1 == 0.0 and p.z0 == -380.0 for p in balls)
    pmic = [p for p in pieces if p.name == "pmic"]
    assert [(p.z0, p.z1) for p in pmic] == [pkg.z_range("pmic")] and pkg.z_range("pmic")[1] < 0


def test_section_legend_and_scale(pkg):
    ax = plot_section(pkg, at=8100.0, z_scale=4)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"cu", "snag", "si", "emc", "abf", "bt", "sm", "uf"} <= set(legend)
    assert len(legend) == len(set(legend))
    assert ax.get_aspect() == pytest.approx(4e-3)  # 1 µm of z drawn 4x as tall as 1 µm of x
    assert "×4" in ax.get_title()
    default = plot_section(pkg)
    assert default.get_aspect() > 1e-3  # exaggerated so thin layers show


def test_material_colours_are_stable_and_distinct():
    assert material_color("cu-plated") == material_color("cu") == material_color("cu-pillar")
    assert material_color("solder-mask") != material_color("sac305")
    assert material_color("mystery-x") == material_color("mystery-x")
    names = [f"m{i}" for i in range(40)]
    by_colour = {}
    for n in names:
        by_colour.setdefault(material_color(n), []).append(n)
    a, b = next(v for v in by_colour.values() if len(v) > 1)[:2]
    palette = MaterialPalette()
    assert palette(a) != palette(b) and palette(a) == material_color(a)


# -- errors ----------------------------------------------------------------------------


def test_unknown_layer_is_named(pkg):
    with pytest.raises(DesignError, match="'L9'") as err:
        plot_top(pkg, layers=["L1", "L9"])
    assert "L1, L2, L3, L4" in str(err.value)
    with pytest.raises(DesignError, match=r"'CORE'.*not a conductor"):
        plot_top(pkg, layers="CORE")


def test_bad_arguments(pkg):
    with pytest.raises(DesignError, match="'NOPE'"):
        plot_top(pkg, net="NOPE")
    with pytest.raises(DesignError, match="side"):
        plot_top(pkg, side="left")
    with pytest.raises(DesignError, match="axis"):
        plot_section(pkg, axis="z")
    with pytest.raises(DesignError, match="z_scale"):
        plot_section(pkg, z_scale=-1)


@pytest.mark.parametrize("axis, at", [("x", 12500.0), ("y", -1.0), ("x", "20 mm")])
def test_section_outside_the_package(pkg, axis, at):
    with pytest.raises(DesignError, match="misses the package") as err:
        plot_section(pkg, axis=axis, at=at)
    assert err.value.field == "at"


# -- HTML and files --------------------------------------------------------------------


def _dense_design(tmp_path, n=2000):
    rng = np.random.default_rng(7)
    traces = []
    for i in range(n):
        pts = [rng.uniform(500, 19500, 2)]
        for _ in range(int(rng.integers(1, 4))):
            step = np.zeros(2)
            step[int(rng.integers(2))] = rng.uniform(200, 2000) * rng.choice([-1, 1])
            pts.append(np.clip(pts[-1] + step, 100, 19900))
        pts = [p.tolist() for k, p in enumerate(pts) if k == 0 or not np.array_equal(p, pts[k - 1])]
        if len(pts) < 2:
            pts.append([pts[0][0] + 300.0, pts[0][1]])
        traces.append({"net": f"N{i % 200}", "width": 25, "points": pts})
    design = {
        "name": "dense<&>", "description": "<script>alert(1)</script>",
        "materials": {"cu": {"k": 385}, "abf": {"k": 0.3}, "si": {"k": 148}},
        "substrate": {
            "outline": {"rect": [0, 0, 20000, 20000]},
            "stackup": [{"name": "L1", "kind": "conductor", "thickness": 15, "material": "cu"},
                        {"name": "D1", "kind": "buildup", "thickness": 30, "material": "abf"},
                        {"name": "L2", "kind": "conductor", "thickness": 15, "material": "cu"}],
            "routing": {"L1": {"traces": traces[: n // 2]}, "L2": {"traces": traces[n // 2:]}}},
        "dies": [{"name": "asic", "size": [5000, 5000], "thickness": 300, "at": [10000, 10000],
                  "flip_chip": {"bump": {"kind": "solder_ball", "diameter": 80, "height": 70,
                                         "material": "cu"},
                                "arrays": [{"pitch": [150, 150], "count": [30, 30]}]}}],
    }
    path = tmp_path / "dense.json"
    path.write_text(json.dumps(design))
    return sipkit.load(path)


def test_package_html_is_svg_escaped_and_small(tmp_path):
    pkg = _dense_design(tmp_path)
    assert sum(len(r.traces) for r in pkg.substrate.routing) == 2000
    text = pkg._repr_html_()
    assert text.count("<svg") == 2
    assert "dense&lt;&amp;&gt;" in text and "dense<&>" not in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "Stack-up (top to bottom)" in text
    assert len(text.encode()) < 1.5e6
    assert "<image" in text  # the dense copper is rasterized inside the SVG


def test_package_html_small_package(pkg):
    text = package_html(pkg)
    assert "review-sip" in text and text.count("<svg") == 2 and "<?xml" not in text


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_save_figure_png_svg_pdf(pkg, tmp_path):
    out = save_figure(pkg, tmp_path / "both.png", dpi=40)
    assert out == tmp_path / "both.png"
    assert _png_size(out) == (680, 272)  # 17 x 6.8 in at 40 dpi
    top = save_figure(pkg, tmp_path / "top.png", kind="top", dpi=50, figsize=(6, 4), layers=["L1"])
    assert _png_size(top) == (300, 200)
    svg = save_figure(pkg, tmp_path / "sec.svg", kind="section", at=8100, z_scale=3)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and len(text) > 1000
    pdf = save_figure(pkg, tmp_path / "v.pdf", kind="both", axis="y")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_save_figure_rejects_bad_requests(pkg, tmp_path):
    with pytest.raises(DesignError, match=r"\.png, \.svg or \.pdf"):
        save_figure(pkg, tmp_path / "x.bmp")
    with pytest.raises(DesignError, match="kind"):
        save_figure(pkg, tmp_path / "x.png", kind="side")
    with pytest.raises(DesignError, match="'layers'"):
        save_figure(pkg, tmp_path / "x.png", kind="section", layers=["L1"])
    assert not list(tmp_path.iterdir())


def test_importing_sipkit_does_not_import_matplotlib():
    code = "import sys, sipkit; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
