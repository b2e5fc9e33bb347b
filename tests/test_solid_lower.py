"""Lowering a Package to the solid model: boxes, effective layers, power, the test board."""

import math

import numpy as np
import pytest

import sipkit
from sipkit.errors import DesignError
from sipkit.solid import SolidModel, from_package, load_solid, save_solid
from sipkit.solid.lower import add_board
from sipkit.thermal import load_board


@pytest.fixture(scope="module")
def mini_solid(mini):
    return from_package(mini)


def test_boxes_follow_the_bodies_in_precedence_order(mini, mini_solid):
    from sipkit.model import bodies

    names = [b.name for b in mini_solid.boxes]
    order = [body.name for body in bodies(mini)]
    # every body is there (power-map blocks add boxes after their die), in the same order
    positions = [names.index(n) for n in order]
    assert positions == sorted(positions)
    assert {b.role for b in mini_solid.boxes} >= {"mold", "layer", "die", "bumps", "underfill", "attach",
                                                  "passive", "shield"}
    assert mini_solid.library_base is mini.library


def test_power_is_preserved_and_sits_on_the_active_face(mini, mini_solid):
    assert mini_solid.total_power() == pytest.approx(mini.total_power(), rel=1e-12)
    npu = [b for b in mini_solid.boxes if b.owner == "npu" and b.role == "die"]
    assert {b.name for b in npu} == {"npu", "npu.core", "npu.sram"}
    assert sum(b.power for b in npu) == pytest.approx(2.5)
    assert all(b.power_on == "bottom" for b in npu)  # a flip chip faces its bumps
    core = mini_solid.box("npu.core")
    x0 = mini.die("npu").footprint[0]
    assert (core.min[0], core.max[0]) == (x0, x0 + 1500.0)
    assert mini_solid.box("mem").power_on == "top"  # wire-bonded, face up
    assert mini_solid.box("pmic").power_on == "top"  # flip chip on the bottom side faces up
    assert set(mini_solid.sources()) == {"npu", "mem", "mem2", "pmic"}
    boosted = from_package(mini, power={"npu": 5.0})
    assert sum(b.power for b in boosted.boxes if b.owner == "npu") == pytest.approx(5.0)
    assert boosted.box("npu.core").power == pytest.approx(4.0)
    with pytest.raises(DesignError, match="no die or passive named 'gpu'"):
        from_package(mini, power={"gpu": 1.0})


def test_routing_layers_carry_their_exact_copper(mini, mini_solid):
    l2 = mini_solid.box("L2")
    assert l2.material == mini.substrate.fill_material("L2") and l2.tiles.metal == "cu-plated"
    xe = np.linspace(0, 10000, 11)
    ye = np.linspace(0, 8000, 9)
    f, c = l2.tiles.fractions(xe, ye)
    assert np.allclose(f, np.maximum(mini.coverage_grid("L2", xe, ye), c))
    # the plated through via (L1 -> L3, drill 150, plating 20) is a copper column in the core
    core = mini_solid.box("CORE")
    fc, cc = core.tiles.fractions([900, 1100], [6900, 7100])
    ring = math.pi / 4 * (150 ** 2 - 110 ** 2)
    assert cc[0, 0] == pytest.approx(ring / 200 ** 2, rel=0.01) and fc[0, 0] == cc[0, 0]


def test_bumps_are_columns_in_the_underfill(mini, mini_solid):
    bumps = mini_solid.box("npu.bumps")
    assert bumps.material == "underfill" and bumps.role == "bumps"
    x0, y0, x1, y1 = mini.die("npu").footprint
    _, c = bumps.tiles.fractions([x0, x1], [y0, y1])
    expected = 19 * 19 * math.pi * 25 ** 2 / ((x1 - x0) * (y1 - y0))
    assert c[0, 0] == pytest.approx(expected, rel=0.01)
    # a copper pillar with a solder cap: one column material, pillar and cap in series
    pillar = mini_solid.material(bumps.tiles.metal)
    lib = mini.library
    kz = 1 / ((45 / 60) / lib["cu-pillar"].k[2] + (15 / 60) / lib["snag"].k[2])
    assert pillar.k[2] == pytest.approx(kz)
    # the pmic has no underfill and hangs below the substrate with no mold: air between its bumps
    assert mini_solid.box("pmic.bumps").material == "air"


def test_hetero_package_lowers_with_lid_heat_sink_and_interposer(hetero):
    m = from_package(hetero)
    roles = {b.role for b in m.boxes}
    assert {"interposer", "lid", "tim", "heatsink", "fin", "coin"} <= roles
    foot = [b for b in m.boxes if b.name.startswith("lid.foot")]
    assert len(foot) >= 4  # the ring foot split into rectangles
    ring_area = sum((b.max[0] - b.min[0]) * (b.max[1] - b.min[1]) for b in foot)
    assert ring_area == pytest.approx(20 * 20 * 1e6 - 17 * 17 * 1e6)
    assert m.total_power() == pytest.approx(36.0)


def test_the_test_board_sits_under_the_balls(mini):
    board = load_board("jesd51-7-2s2p")
    assert board.thickness == pytest.approx(1600.0)
    m = from_package(mini, board=board)
    balls = m.box("balls")
    assert balls.max[2] == 0.0 and balls.min[2] == -500.0  # stretched to the bottom passive C2
    top = max(b.max[2] for b in m.boxes if b.role == "board")
    low = min(b.min[2] for b in m.boxes if b.role == "board")
    assert top == balls.min[2] and top - low == pytest.approx(1600.0)
    plane = m.box("board.plane-1")
    assert plane.material == "cu-plated" and plane.max[0] - plane.min[0] == pytest.approx(114300.0)
    traces = m.box("board.signal-top.traces")
    # the fan-out copper reaches 25 mm beyond the package (its 5 µm shield included)
    assert traces.min[0] == pytest.approx(-25005.0) and m.material(traces.material).k[0] > 30
    _, c = balls.tiles.fractions([0, 10000], [0, 8000])
    assert c[0, 0] == pytest.approx(78 * math.pi * 175 ** 2 / 8e7, rel=0.01)
    with pytest.raises(DesignError, match="does not fit on the board"):
        add_board(m, board.replace(size=(5000.0, 5000.0)))


def test_lowered_models_save_as_standalone_solid_files(mini_solid, tmp_path):
    path = tmp_path / "mini-solid.yaml"
    save_solid(mini_solid, path, tile_size=500.0)
    again = load_solid(path)
    assert isinstance(again, SolidModel) and len(again.boxes) == len(mini_solid.boxes)
    assert again.total_power() == pytest.approx(mini_solid.total_power())
    assert again.material("npu.bump").k == pytest.approx(mini_solid.material("npu.bump").k)
    l2 = again.box("L2").tiles
    f_saved, _ = l2.fractions([0, 10000], [0, 8000])
    f_exact, _ = mini_solid.box("L2").tiles.fractions([0, 10000], [0, 8000])
    assert f_saved[0, 0] == pytest.approx(f_exact[0, 0], rel=1e-9)
    assert sipkit.solid.from_package is from_package
