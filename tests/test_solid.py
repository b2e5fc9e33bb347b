"""The solid model: file format, validation with located errors, tiles and mixing."""

import textwrap

import numpy as np
import pytest

from sipkit.errors import DesignError, MaterialError
from sipkit.materials import Material, mix
from sipkit.solid import (
    Boundary,
    SolidBox,
    SolidModel,
    TileMap,
    effective_conductivity,
    load_solid,
    save_solid,
)
from sipkit.solid.rects import rectangles
from sipkit.solid.tiles import overlap_matrix

MODEL = """\
units: mm
materials:
  si:    {k: 148, rho: 2330, cp: 705, E: 131, nu: 0.28, cte: 2.6}
  sub:   {k: [20, 20, 0.6], E: 26, nu: 0.2, cte: 15}
  mold:  {k: 0.9, E: 20, nu: 0.3, cte: 10, Tg: 150, E_above_Tg: 1, cte_above_Tg: 35}
  l1:    {mix: {cu: 0.7, abf: 0.3}}
  cu:    {k: 390, rho: 8900, cp: 385}
  abf:   {k: 0.3, rho: 1400, cp: 1000}
boxes:
  - {name: substrate, min: [0, 0, 0], max: [15, 15, 0.4], material: sub}
  - {name: die, min: [2.5, 2.5, 0.45], max: [12.5, 12.5, 0.75], material: si, power: 2.0}
  - {name: hot, min: [3, 3, 0.74], max: [5, 5, 0.75], material: si, power: 1.0, power_on: top}
  - name: routing
    min: [0, 0, 0.4]
    max: [15, 15, 0.45]
    material: abf
    tiles: {metal: cu, x: [0, 5, 15], y: [0, 15], fraction: [[0.5, 0.2]], column: [[0.1, 0]]}
boundaries:
  - {face: +z, h: 10, ambient: 25}
  - {face: -z, h: 500, ambient: 25}
  - {face: sides, h: 10, where: {min: [0, 0, 0], max: [15, 15, 1]}}
probes: {die_center: [7.5, 7.5, 0.75]}
stress_free: 175
"""


def write(tmp_path, text, name="model.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_the_design_notes_example_loads_in_mm(tmp_path):
    m = load_solid(write(tmp_path, MODEL))
    die = m.box("die")
    assert die.min == (2500.0, 2500.0, 450.0) and die.max == (12500.0, 12500.0, 750.0)
    assert m.box("hot").power_on == "top" and m.total_power() == 3.0
    assert m.probes == (("die_center", (7500.0, 7500.0, 750.0)),)
    assert m.stress_free == 175.0
    assert m.material("sub").k == (20.0, 20.0, 0.6)
    assert m.material("l1").k[0] == pytest.approx(0.7 * 390 + 0.3 * 0.3)  # a mixture card, resolved
    tiles = m.box("routing").tiles
    assert tiles.x.tolist() == [0.0, 5000.0, 15000.0] and tiles.fraction.shape == (1, 2)
    sides = m.boundaries[2]
    assert sides.normals == ("+x", "-x", "+y", "-y") and sides.where.max == (15000.0, 15000.0, 1000.0)
    assert m.bounds() == (0.0, 0.0, 0.0, 15000.0, 15000.0, 750.0)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_save_and_load_round_trip(tmp_path, suffix):
    m = load_solid(write(tmp_path, MODEL))
    out = tmp_path / f"again{suffix}"
    save_solid(m, out)
    again = load_solid(out)
    assert again == m
    assert m.to_dict()["units"] == "um" and len(m.to_dict()["boxes"]) == 4
    assert again.box("routing").tiles == m.box("routing").tiles


@pytest.mark.parametrize("change, where", [
    (("max: [12.5, 12.5, 0.75]", "max: [12.5, 12.5, 0.4]"),
     "model.yaml:11: boxes[1].max: max must exceed min"),
    (("material: si, power: 2.0", "material: sj, power: 2.0"),
     "model.yaml:11: boxes[1].material: unknown material 'sj'"),
    (("power: 2.0}", "power: 2 kg}"), "model.yaml:11: boxes[1].power: expected a power, got '2 kg'"),
    (("power_on: top", "power_on: side"), "model.yaml:12: boxes[2].power_on: expected one of volume, top"),
    (("{face: +z, h: 10, ambient: 25}", "{face: +z, T: 25, ambient: 25}"),
     "model.yaml:19: boundaries[0].ambient: a fixed-temperature face has no ambient"),
    (("{face: +z, h: 10, ambient: 25}", "{face: +z, h: 10, T: 25}"),
     "model.yaml:19: boundaries[0].h: give either h (convection) or T"),
    (("{face: -z, h: 500, ambient: 25}", "{face: -z}"),
     "model.yaml:20: boundaries[1].h: give either h (convection) or T"),
    (("{face: +z, h: 10, ambient: 25}", "{face: top, h: 10}"),
     "model.yaml:19: boundaries[0].face: expected one of"),
    (("fraction: [[0.5, 0.2]]", "fraction: [[0.5, 0.2, 0.1]]"),
     "model.yaml:17: boxes[3].tiles.fraction: expected 1 rows of 2 values"),
    (("column: [[0.1, 0]]", "column: [[0.6, 0]]"),
     "model.yaml:17: boxes[3].tiles.column: the column fraction cannot exceed the metal fraction"),
    (("probes: {die_center: [7.5, 7.5, 0.75]}", "probes: {die_center: [7.5, 7.5]}"),
     "model.yaml:22: probes.die_center: expected a point [x, y, z], got 2 values"),
    (("stress_free: 175", "stres_free: 175"),
     "model.yaml:23: stres_free: unknown field 'stres_free' (did you mean"),
    (("units: mm", "units: kg"), "model.yaml:1: units: expected a length unit"),
])
def test_bad_input_names_file_line_and_field(tmp_path, change, where):
    path = write(tmp_path, MODEL.replace(*change))
    with pytest.raises(DesignError) as info:
        load_solid(path)
    assert str(info.value).startswith(where), str(info.value)


def test_more_errors(tmp_path):
    dup = MODEL.replace("name: hot,", "name: die,")
    with pytest.raises(DesignError, match=r"model.yaml:12: boxes\[2\].name: duplicate box name 'die'"):
        load_solid(write(tmp_path, dup))
    with pytest.raises(DesignError, match="missing required field 'boxes'"):
        load_solid(write(tmp_path, "units: mm\nmaterials: {}\n"))
    with pytest.raises(DesignError, match="unknown file type"):
        load_solid(tmp_path / "x.txt")
    with pytest.raises(MaterialError, match="unknown material 'zz'"):
        SolidModel(boxes=(SolidBox(name="a", min=(0, 0, 0), max=(1, 1, 1), material="zz"),))
    with pytest.raises(DesignError, match="at least one box"):
        SolidModel(boxes=())


def test_power_overrides_keep_the_distribution():
    mats = (Material(name="m", k=1.0),)
    chip = {"owner": "chip", "role": "die", "material": "m"}
    boxes = (SolidBox(name="a", min=(0, 0, 0), max=(1, 1, 1), power=1.0, **chip),
             SolidBox(name="b", min=(1, 0, 0), max=(2, 1, 1), power=3.0, **chip),
             SolidBox(name="c", min=(2, 0, 0), max=(4, 1, 1), material="m", role="die"))
    m = SolidModel(boxes=boxes, materials=mats)
    assert set(m.sources()) == {"chip", "c"}
    m2 = m.with_power({"chip": 8.0, "c": "500 mW"})
    assert [b.power for b in m2.boxes] == [2.0, 6.0, 0.5]
    with pytest.raises(DesignError, match="no box or component named 'x'; heat sources: c, chip"):
        m.with_power({"x": 1})


def test_mixing_rules():
    km, kd = (400.0, 400.0, 400.0), (0.5, 0.5, 0.5)
    f = np.array([0.0, 0.3, 0.3, 1.0])
    c = np.array([0.0, 0.0, 0.3, 1.0])
    kx, ky, kz = effective_conductivity(f, c, km, kd)
    assert kx[0] == kz[0] == 0.5 and kx[3] == kz[3] == 400.0
    # lamellae (a routing layer): in-plane parallel, through-plane series, like materials.mix
    card = mix("x", [Material(name="cu", k=400.0), Material(name="d", k=0.5)], [0.3, 0.7])
    assert (kx[1], kz[1]) == pytest.approx((card.k[0], card.k[2]))
    # columns (vias): through-plane parallel, in-plane by Rayleigh's formula for cylinders
    assert kz[2] == pytest.approx(0.3 * 400 + 0.7 * 0.5)
    ray = 0.5 * ((1.3) * 400 + 0.7 * 0.5) / (0.7 * 400 + 1.3 * 0.5)
    assert kx[2] == pytest.approx(ray) and ky[2] == pytest.approx(ray)
    assert kx[2] < kx[1]  # columns conduct less in-plane than traces of the same area


def test_tile_maps_remap_by_area():
    t = TileMap(metal="cu", x=[0, 10, 20], y=[0, 10], fraction=[[1.0, 0.0]], column=[[0.5, 0.0]])
    f, c = t.fractions([0, 5, 15, 20], [0, 10])
    assert f.tolist() == [[1.0, 0.5, 0.0]] and c.tolist() == [[0.5, 0.25, 0.0]]
    f, _ = t.fractions([-10, 0, 20], [0, 10])
    assert f.tolist() == [[0.0, 0.5]]  # outside the map there is no metal
    assert overlap_matrix([0, 1, 3], [0, 3]).tolist() == [[1 / 3, 2 / 3]]
    with pytest.raises(DesignError, match="fractions must lie in"):
        TileMap(metal="cu", x=[0, 1], y=[0, 1], fraction=[[1.5]])


def test_rectangles_of_footprints():
    import shapely

    ell = shapely.Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 3), (0, 3)])
    rects = rectangles(ell)
    assert sum((r[2] - r[0]) * (r[3] - r[1]) for r in rects) == pytest.approx(ell.area)
    assert shapely.union_all([shapely.box(*r) for r in rects]).equals(ell)
    ring = shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 8, 8))
    assert sum((r[2] - r[0]) * (r[3] - r[1]) for r in rectangles(ring)) == pytest.approx(64.0)
    disk = shapely.Point(0, 0).buffer(5.0, quad_segs=64)
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in rectangles(disk, resolution=0.1))
    assert area == pytest.approx(disk.area, rel=0.02)


def test_boundary_labels_and_checks():
    assert Boundary(face="+z", h=10.0).label == "+z h=10"
    assert Boundary(face="all", T=30.0, name="plate").label == "plate"
    assert len(Boundary(face="all", h=1.0).normals) == 6
    with pytest.raises(DesignError, match=r"h: expected a heat transfer coefficient"):
        Boundary(face="+z", h="10 K")
