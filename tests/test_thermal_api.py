"""The thermal API on packages and solid models: presets, metrics, JSON, plots, CLI, transients."""

import json

import numpy as np
import pytest

import sipkit.thermal as th
from sipkit import cli
from sipkit.errors import DesignError
from sipkit.materials import Material
from sipkit.solid import Boundary, SolidBox, SolidModel, save_solid

MATS = (Material(name="si", k=148.0, rho=2330, cp=705),
        Material(name="sub", k=(20.0, 20.0, 0.6), rho=1900, cp=900),
        Material(name="mold", k=0.9, rho=1900, cp=900))


def _solid(power=1.0):
    boxes = (SolidBox(name="sub", min=(0, 0, 0), max=(5000, 5000, 300), material="sub"),
             SolidBox(name="mold", min=(0, 0, 300), max=(5000, 5000, 900), material="mold"),
             SolidBox(name="die", min=(1500, 1500, 330), max=(3500, 3500, 530), material="si", power=power,
                      power_on="top", role="die"))
    return SolidModel(name="s", boxes=boxes, materials=MATS, probes={"top": (2500, 2500, 900)},
                      boundaries=(Boundary(face="-z", h=1000.0, name="board"), Boundary(face="+z", h=10.0)))


@pytest.fixture(scope="module")
def mini_still_air(mini):
    return th.solve(mini, jedec=True, resolution=500.0, nonlinear=False)


def test_presets_load_with_their_sources():
    names = th.available_presets()
    assert {"still-air", "forced-air-1ms", "forced-air-2ms", "forced-air-3ms", "cold-plate"} <= set(names)
    for name in names:
        preset = th.load_preset(name)
        assert preset.boundaries and preset.sources, name
    air = [th.load_preset(f"forced-air-{v}ms").boundaries[0].h for v in (1, 2, 3)]
    assert air[0] < air[1] < air[2]  # more air, more cooling
    assert th.load_preset("still-air").load_board().name == "jesd51-7-2s2p"
    assert th.available_presets("board") == ["jesd51-7-2s2p"]
    with pytest.raises(DesignError, match="unknown boundary preset 'windy'; built-in: cold-plate"):
        th.load_preset("windy")
    with pytest.raises(DesignError, match="expected a boundary preset"):
        th.load_preset(th.presets._folder() / "jesd51-7-2s2p.yaml")


def test_a_package_on_the_jedec_board_in_still_air(mini, mini_still_air):
    res = mini_still_air
    assert res.model.ambient == 25.0 and any(b.role == "board" for b in res.model.boxes)
    assert abs(res.info.energy_balance) <= 1e-6 and res.info.picard == 0
    assert sum(res.heat_out.values()) == pytest.approx(mini.total_power(), rel=1e-6)
    npu = res.dies["npu"]
    assert npu.power == pytest.approx(2.5) and npu.tj_max >= npu.tj_mean > 25.0
    assert npu.theta_ja == pytest.approx((npu.tj_max - 25.0) / mini.total_power())
    # JEDEC: with the heat forced through the case top or the bottom only, the junction-to-case
    # and junction-to-board resistances are lower than junction-to-ambient
    assert 0 < npu.theta_jc < npu.theta_ja and 0 < npu.theta_jb < npu.theta_ja
    assert npu.psi_jt < npu.theta_jc  # Ψ values are smaller: most heat leaves elsewhere
    assert res.max == max(d.tj_max for d in res.dies.values())


def test_more_air_cools_more(mini):
    coarse = {"max_cell": 800.0, "min_cell": 200.0, "source_cells": 4}
    still = th.solve(mini, nonlinear=False, resolution=coarse).dies["npu"].tj_max
    wind = th.solve(mini, "forced-air-3ms", nonlinear=False, resolution=coarse).dies["npu"].tj_max
    plate = th.solve(mini, "cold-plate", nonlinear=False, resolution=coarse)
    assert wind < still
    assert plate.dies["npu"].tj_max < wind and not any(b.role == "board" for b in plate.model.boxes)
    assert plate.heat_out["cold-plate"] == pytest.approx(mini.total_power(), rel=1e-6)


def test_json_output_follows_the_design_notes(mini_still_air):
    data = json.loads(mini_still_air.to_json())
    assert {"max_C", "boxes", "probes", "energy_balance", "dies", "solver"} <= set(data)
    assert abs(data["energy_balance"]) <= 1e-6
    assert set(data["boxes"]["npu.core"]) == {"mean_C", "max_C"}
    assert set(data["dies"]["npu"]) >= {"tj_max_C", "tj_mean_C", "theta_ja_K_per_W", "theta_jc_K_per_W",
                                        "theta_jb_K_per_W", "psi_jt_K_per_W", "psi_jb_K_per_W"}
    assert data["solver"]["iterations"] > 0 and data["grid"]["cells"] == mini_still_air.grid.size


def test_power_overrides_and_superposition():
    model = _solid()
    a = th.solve(model, nonlinear=False)
    b = th.solve(model, power={"die": 2.0}, nonlinear=False)
    assert b.dies["die"].tj_max - 25.0 == pytest.approx(2 * (a.dies["die"].tj_max - 25.0), rel=1e-5)
    names, theta = th.resistance_matrix(model)
    assert names == ["die"] and theta[0, 0] == pytest.approx(a.dies["die"].theta_ja, rel=1e-5)
    with pytest.raises(DesignError, match="no box or component named 'gpu'"):
        th.solve(model, power={"gpu": 1.0})


def test_probes_and_face_temperatures():
    res = th.solve(_solid())
    top = res.probes["top"]
    assert 25.0 < top < res.dies["die"].tj_max
    # the probe sits on a convective face: the flux leaving it is h (T_face - T_a)
    assert res.temperature_at((2500, 2500, 900)) == pytest.approx(top)
    assert res.face_stats("die", "+z")["mean_C"] == pytest.approx(res.dies["die"].tj_mean)
    with pytest.raises(DesignError, match="lies outside the model"):
        res.temperature_at((2500, 2500, 5000))
    with pytest.raises(DesignError, match="not a grid plane"):
        res.plane_mean(123.4)


def test_plots_write_files(tmp_path):
    from matplotlib.figure import Figure

    from sipkit.thermal.plots import save_thermal_figure

    res = th.solve(_solid())
    fig = Figure()
    ax = fig.add_subplot()
    assert res.plot_die("die", ax=ax) is ax and res.plot_layer(ax=ax) is ax
    assert res.plot_section("y", at=2500.0) is not None
    out = save_thermal_figure(res, tmp_path / "t.png")
    assert out.stat().st_size > 10_000
    with pytest.raises(DesignError, match=r"expected a \.png"):
        save_thermal_figure(res, tmp_path / "t.txt")


def test_transient_waveforms_and_zth():
    w = th.Waveform.pulse(period=1.0, duty=0.25, delay=0.5)
    assert [w(t) for t in (0.2, 0.6, 0.8, 1.55, 1.8)] == [0.0, 1.0, 0.0, 1.0, 0.0]
    assert w.jumps(2.0) == [0.5, 0.75, 1.5, 1.75]
    table = th.Waveform.table([0, 1, 2], [0.0, 1.0, 0.5], linear=True)
    assert table(0.5) == 0.5 and table(5.0) == 0.5
    with pytest.raises(DesignError, match="must not be negative"):
        th.Waveform.table([0, 1], [1.0, -1.0])
    model = _solid()
    steady = th.solve(model, nonlinear=False)
    step = th.transient(model, t_end=200.0, times=[0.01, 0.1, 1.0, 10.0, 200.0])
    tj = step.dies["die"]["tj_max"]
    assert np.all(np.diff(tj) > 0) and tj[-1] < steady.dies["die"].tj_max + 1e-3
    assert step.zth("die")[-1] == pytest.approx((tj[-1] - 25.0) / 1.0)
    assert step.info.energy_balance <= 1e-6
    pulse = th.transient(model, t_end=2.0, waveform=th.Waveform.pulse(1.0, 0.5), times=[0.5, 1.0, 1.5, 2.0])
    p = pulse.dies["die"]["tj_max"]
    assert p[0] > p[1] < p[2] and pulse.power.tolist() == [0.0, 1.0, 0.0, 1.0]
    data = pulse.to_dict()
    assert data["times_s"] == [0.5, 1.0, 1.5, 2.0] and len(data["dies"]["die"]["tj_max"]) == 4
    with pytest.raises(DesignError, match="no rho or cp"):
        th.transient(SolidModel(name="x", materials=(Material(name="k", k=1.0),), boxes=(
            SolidBox(name="b", min=(0, 0, 0), max=(1, 1, 1), material="k", power=1.0),),
            boundaries=(Boundary(face="all", h=10.0),)), t_end=1.0)


@pytest.fixture
def sipkit_cli():
    assert "thermal" in cli.COMMANDS
    return cli.main


def test_cli_on_a_solid_model_file(sipkit_cli, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    save_solid(_solid(), path)
    assert sipkit_cli(["thermal", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Tj max" in out and "die" in out and "energy balance" in out
    assert sipkit_cli(["thermal", str(path), "--format", "json", "--power", "die=2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["power_W"] == 2.0 and data["probes"]["top"] > 25
    assert sipkit_cli(["thermal", str(path), "--format", "json", "--power", "die=2", "--precision",
                       "float32"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert single["solver"]["cycle_precision"] == "float32"
    assert single["probes"]["top"] == pytest.approx(data["probes"]["top"], abs=1e-5)
    assert sipkit_cli(["thermal", str(path), "--limit", "26"]) == 1
    assert "exceeds the limit" in capsys.readouterr().err
    png = tmp_path / "t.png"
    assert sipkit_cli(["thermal", str(path), "--plot", str(png), "-o", str(tmp_path / "r.txt")]) == 0
    assert png.exists() and "Tj max" in (tmp_path / "r.txt").read_text()
    assert sipkit_cli(["thermal", str(path), "--transient", "--end", "5", "--times", "1,5",
                       "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["times_s"] == [1.0, 5.0]


def test_cli_errors_are_one_line(sipkit_cli, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    save_solid(_solid(), path)
    assert sipkit_cli(["thermal", str(path), "--boundary", "windy"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sipkit: error: unknown boundary preset 'windy'") and err.count("\n") == 1
    assert sipkit_cli(["thermal", str(path), "--power", "die"]) == 2
    assert "--power expects NAME=W" in capsys.readouterr().err
    assert sipkit_cli(["thermal", str(path), "--transient"]) == 2
    assert "needs --end" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("units: mm\nboxes:\n  - {name: a, min: [0, 0, 0], max: [1, 1], material: si}\n")
    assert sipkit_cli(["thermal", str(bad)]) == 2
    assert "bad.yaml:3: boxes[0].max: expected a point [x, y, z]" in capsys.readouterr().err
    other = tmp_path / "other.yaml"
    other.write_text("name: x\n")
    assert sipkit_cli(["thermal", str(other)]) == 2
    assert "neither a package design" in capsys.readouterr().err
