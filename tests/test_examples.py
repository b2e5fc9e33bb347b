"""The bundled example designs: they load, hold what they claim, and regenerate exactly."""

import importlib.util
import itertools
from collections import defaultdict
from pathlib import Path

import pytest
import shapely

import sipkit
from sipkit.model.geometry import layer_polygons

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EDGE_AI = EXAMPLES / "edge-ai" / "edge-ai.yaml"
EDGE_AI_GDS = EXAMPLES / "edge-ai" / "edge-ai-routing.gds"
FCBGA = EXAMPLES / "fcbga" / "fcbga.yaml"


@pytest.fixture(scope="module")
def edge_ai():
    return sipkit.load(EDGE_AI)


@pytest.fixture(scope="module")
def fcbga():
    return sipkit.load(FCBGA)


def _generator():
    spec = importlib.util.spec_from_file_location("edge_ai_generate", EXAMPLES / "edge-ai" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- edge-AI SiP --------------------------------------------------------------------------


def test_edge_ai_routing_comes_from_the_layout_and_has_thousands_of_traces(edge_ai):
    assert "routing_gds:" in EDGE_AI.read_text(encoding="utf-8")
    assert "traces:" not in EDGE_AI.read_text(encoding="utf-8")  # none inline
    traces = [t for r in edge_ai.substrate.routing for t in r.traces]
    assert len(traces) >= 3000
    assert all(t.net for t in traces)
    assert min(t.width for t in traces) >= 25.0
    shapes = [s for r in edge_ai.substrate.routing for s in r.shapes]
    assert all(s.net for s in shapes)
    assert all(edge_ai.substrate.routing_of(la).traces for la in ("L1", "L2", "L3", "L4"))


def test_edge_ai_planes_have_anti_pads(edge_ai):
    # (the layout stores planes as keyhole polygons, fractured: count holes in the merged copper)
    def holes(layer, net):
        return sum(len(p.interiors) for p in shapely.get_parts(edge_ai.layer_geometry(layer, net)))

    gnd = edge_ai.layer_geometry("L2", "VSS")
    assert gnd.area > 0.6 * shapely.Polygon(edge_ai.substrate.outline).area
    assert holes("L2", "VSS") > 50
    assert all(holes("L3", net) > 5 for net in ("VDD_NPU", "VDD2", "VSYS"))


def test_edge_ai_files_stay_within_their_size_budgets():
    assert EDGE_AI.stat().st_size < 300_000
    assert EDGE_AI_GDS.stat().st_size < 2_000_000


def test_edge_ai_stackup_is_a_1_2_1_build_up(edge_ai):
    sub = edge_ai.substrate
    assert [la.name for la in sub.conductor_layers] == ["L1", "L2", "L3", "L4"]
    names = ["SM_TOP", "L1", "BU1", "L2", "CORE", "L3", "BU2", "L4", "SM_BOT"]
    assert [la.name for la in sub.stackup] == names
    assert sub.layer("CORE").kind == "core" and 200 <= sub.layer("CORE").thickness <= 400
    assert all(12 <= la.thickness <= 18 for la in sub.conductor_layers)
    # through-core vias and microvias stacked on them
    spans = defaultdict(set)
    for v in sub.all_vias():
        spans[v.at].add((v.from_layer, v.to_layer))
    assert sum(1 for s in spans.values() if {("L1", "L2"), ("L2", "L3")} <= s) > 100
    assert sum(1 for s in spans.values() if {("L2", "L3"), ("L3", "L4")} <= s) > 100


def test_edge_ai_npu_is_flip_chip_on_copper_pillars(edge_ai):
    npu = edge_ai.die("npu")
    bump = npu.flip_chip.bump
    assert npu.wire_bond is None
    assert bump.kind == "copper_pillar" and bump.material == "cu-pillar" and bump.cap_material == "snag"
    assert 40 <= bump.diameter <= 60
    positions = npu.bump_positions()
    assert len(positions) == 36 * 36
    assert 4.0 <= npu.total_power <= 6.0
    assert npu.power_map is not None and len(npu.power_map.rects) > 5
    # every bump lands on copper of its own net on L1
    pads = edge_ai.layer_geometry("L1", "VDD_NPU")
    vdd = next(b for b in npu.flip_chip.arrays if b.net == "VDD_NPU")
    centre = npu.to_package(vdd.positions(npu.size))
    assert all(pads.covers(shapely.Point(p)) for p in centre[::7])


def test_edge_ai_lpddr_is_wire_bonded_to_fingers(edge_ai):
    lpddr = edge_ai.die("lpddr4x")
    assert lpddr.flip_chip is None
    assert lpddr.wire_bond.attach.material == "daf"
    wires = lpddr.wire_bond.wires
    assert 60 <= len(wires) <= 100
    fingers = {f.name: f for f in edge_ai.substrate.fingers}
    assert all(w.to in fingers for w in wires)
    assert all(fingers[w.to].net == lpddr.pad(w.pad).net for w in wires)
    # each signal finger has a trace of its net on L1 touching it
    l1 = edge_ai.substrate.routing_of("L1")
    traced = {t.net for t in l1.traces}
    signals = [f for f in fingers.values() if f.net.startswith("LP_")]
    assert len(signals) == 35 and all(f.net in traced for f in signals)


def test_edge_ai_has_passives_on_both_sides(edge_ai):
    sides = defaultdict(list)
    for p in edge_ai.passives:
        sides[p.side].append(p)
    assert len(sides["top"]) > 20 and len(sides["bottom"]) > 10
    assert {p.kind for p in sides["top"]} == {"capacitor", "inductor"}
    # the land-side capacitors sit under the NPU, between (not on) the BGA lands
    npu = shapely.box(*edge_ai.die("npu").footprint)
    lands = shapely.union_all([shapely.Point(la.at).buffer(125.0) for la in edge_ai.substrate.lands])
    for p in sides["bottom"]:
        box = shapely.box(*p.footprint)
        assert npu.covers(box) and not box.intersects(lands)
        assert p.height < edge_ai.substrate.lands[0].ball.height


def test_edge_ai_has_a_top_mold_over_everything(edge_ai):
    mold = edge_ai.mold("top")
    assert mold is not None and 500 <= mold.thickness <= 800
    t = edge_ai.substrate.thickness
    tallest = max(edge_ai.z_range(c.name)[1] for c in edge_ai.components if c.side == "top")
    assert tallest < t + mold.thickness


def test_edge_ai_bga_is_half_millimetre_pitch(edge_ai):
    lands = edge_ai.substrate.lands
    assert len(lands) > 500 and all(la.net for la in lands)
    xs = sorted({la.at[0] for la in lands})
    assert {b - a for a, b in itertools.pairwise(xs)} == {500.0}
    signal = [la for la in lands if la.net not in ("VSS", "VSYS", "VDDQ", "VDD1")]
    assert len(signal) > 150


def test_edge_ai_nets_keep_25_um_apart_on_every_layer(edge_ai):
    outline = shapely.Polygon(edge_ai.substrate.outline)
    for layer in ("L1", "L2", "L3", "L4"):
        per_net = defaultdict(list)
        for poly, net in layer_polygons(edge_ai, layer):
            assert net is not None
            per_net[net].append(poly)
        nets = list(per_net)
        geoms = [shapely.union_all(per_net[n]) for n in nets]
        assert all(outline.contains(g) for g in geoms), layer
        tree = shapely.STRtree(geoms)
        a, b = tree.query(geoms, predicate="dwithin", distance=25.0 - 1e-6)
        close = [(nets[i], nets[j]) for i, j in zip(a, b, strict=True) if i < j]
        assert close == [], f"{layer}: nets closer than 25 µm: {close[:5]}"


def test_generator_reproduces_the_committed_files(tmp_path):
    pkg = _generator().main(tmp_path)
    assert isinstance(pkg, sipkit.Package)
    assert (tmp_path / "edge-ai.yaml").read_text(encoding="utf-8") == EDGE_AI.read_text(encoding="utf-8")
    assert (tmp_path / "edge-ai-routing.gds").read_bytes() == EDGE_AI_GDS.read_bytes()


# -- FCBGA ---------------------------------------------------------------------------------


def test_fcbga_has_a_copper_lid_on_tim(fcbga):
    lid = fcbga.lid
    assert lid is not None and lid.material == "cu-lid"
    assert lid.tim is not None and lid.tim.material == "tim" and 25 <= lid.tim.thickness <= 75
    assert lid.foot_width > 0 and lid.adhesive is not None
    assert fcbga.material(lid.adhesive.material).E < 1e9  # a compliant (silicone) adhesive
    roles = {b.role for b in sipkit.model.bodies(fcbga)}
    assert {"lid", "tim", "underfill", "bumps"} <= roles
    assert fcbga.mold("top") is None


def test_fcbga_die_bumps_substrate_and_bga(fcbga):
    soc = fcbga.die("soc")
    assert soc.size == (20000.0, 20000.0) and 100 <= soc.total_power <= 150
    bump = soc.flip_chip.bump
    assert bump.kind == "solder_ball" and bump.diameter == 100
    assert len(soc.bump_positions()) == 108 * 108
    assert soc.flip_chip.underfill is not None
    sub = fcbga.substrate
    assert len(sub.conductor_layers) == 8 and sub.layer("CORE").thickness == 800
    assert sub.bbox() == (0.0, 0.0, 35000.0, 35000.0)
    lands = sub.all_lands()
    assert len(lands) == 34 * 34 - 36
    assert {p.side for p in fcbga.passives} == {"bottom"}
    assert all(p.height < lands[0].ball.height for p in fcbga.passives)


@pytest.mark.parametrize("example", ["edge-ai/edge-ai.yaml", "fcbga/fcbga.yaml"])
def test_examples_round_trip_through_yaml_json_gds_and_oasis(example, tmp_path):
    """Issue acceptance: every example survives YAML, JSON and a layout file unchanged."""
    pkg = sipkit.load(EXAMPLES / example)
    for name, layout in (("inline.yaml", None), ("inline.json", None), ("via-gds.yaml", "routing.gds"),
                         ("via-oas.json", "routing.oas")):
        path = tmp_path / name
        pkg.save(path, routing_gds=None if layout is None else tmp_path / layout)
        assert sipkit.load(path) == pkg, name
