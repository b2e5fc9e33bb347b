"""The whole analysis end to end: report, advisor, CLI and plots."""

import argparse
import json
import math

import matplotlib
import pytest

matplotlib.use("Agg")

from sipkit.cli import COMMANDS, main
from sipkit.cli import interconnect as cli_interconnect
from sipkit.errors import SipkitError
from sipkit.interconnect import (
    AdvisorRules,
    advise,
    analyze,
    inductance_budget,
    self_inductances,
    wire_paths,
)
from sipkit.model import DiePad


@pytest.fixture(scope="module")
def report(mini):
    return analyze(mini, frequency=2e9, wire_current=0.3, bump_current=0.05, temperature=85)


def test_report_tables(report, mini):
    assert report.ok and report.design == "mini"
    names = [w["name"] for w in report.wires]
    assert names == [p.name for p in wire_paths(mini)]
    w = report.wires[0]
    for key in ("length_um", "R_ohm", "R_ac_ohm", "L_nH", "L_f_nH", "M_max_nH", "k_max", "I_limit_A",
                "I_fuse_A", "I_pulse_A", "I_preece_A", "I_A", "rise_K", "nearest_gap_um"):
        assert w[key] is not None, key
    assert w["R_ac_ohm"] >= w["R_ohm"] and w["L_f_nH"] < w["L_nH"]
    assert 0 < w["k_max"] < 1 and w["M_neighbour"] == "mem.P2-F2"
    assert 0 < w["rise_K"] < w["max_temperature_C"] - 85
    assert w["I_limit_A"] < w["I_fuse_A"]
    assert {b["body"] for b in report.bumps} == {"npu", "pmic"}
    assert {f["name"] for f in report.fatigue} == {"npu bumps", "pmic bumps", "BGA balls"}
    assert [a["die"] for a in report.advice] == ["npu", "mem", "mem2", "pmic"]
    assert len(report.couplings) == 3 and all(0 < abs(c["k"]) < 1 for c in report.couplings)
    data = json.loads(report.to_json())
    assert data["ok"] is True and data["settings"]["frequency_Hz"] == 2e9
    text = report.text()
    for part in ("Wires (3)", "Bumps", "Solder fatigue", "Attachment advice", "No limits exceeded."):
        assert part in text
    table = report.table("wires")
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    assert rows[0]["name"] == "mem.P1-F1"
    assert set(report.tables()) == {"wires", "couplings", "bumps", "fatigue", "advice", "violations"}
    with pytest.raises(SipkitError):
        report.table("nonsense")


def test_limits_are_reported(mini):
    r = analyze(mini, wire_current=5.0, cycles_target=1e9, em_target=1e12, bump_current=0.1, min_wire_gap=160)
    checks = {v["check"] for v in r.violations}
    assert checks == {"wire_current", "fatigue", "bump_em", "wire_gap"}
    assert not r.ok
    gap = [v for v in r.violations if v["check"] == "wire_gap"]
    assert len(gap) == 1 and gap[0]["item"] == "mem.P2-F2 / mem2.Q1-mem.P1"
    # per-wire currents by name override the default
    r2 = analyze(mini, wire_current=5.0, wire_currents={"mem": 0.1, "mem2.Q1-mem.P1": 0.2})
    assert r2.ok and [w["I_A"] for w in r2.wires] == [0.1, 0.1, 0.2]


def test_inductance_budget():
    assert inductance_budget(1e9) == pytest.approx(2 * 50 * 0.1 / (2 * math.pi * 1e9))
    assert inductance_budget(5e9, z0=25, max_reflection=0.2) == pytest.approx(inductance_budget(5e9))


def test_advisor_per_die(mini):
    low = {a.die: a for a in advise(mini, frequency=100e6)}
    high = {a.die: a for a in advise(mini, frequency=10e9)}
    # the memory's 0.68 nH wires are fine at 100 MHz and too much at 10 GHz
    assert low["mem"].recommendation == "wire_bond" and low["mem"].agrees
    assert high["mem"].recommendation == "flip_chip" and not high["mem"].agrees
    freq = next(c for c in high["mem"].criteria if c.name == "frequency")
    paths = wire_paths(mini)
    L = max(L for p, L in zip(paths, self_inductances(paths), strict=True) if p.die == "mem")
    assert freq.value == pytest.approx(L * 1e9) and freq.limit == pytest.approx(inductance_budget(10e9) * 1e9)
    # 2.5 W on 9 mm² (27.8 W/cm²) wants the die back for a heat sink
    thermal = next(c for c in low["npu"].criteria if c.name == "thermal")
    assert thermal.value == pytest.approx(2.5 / 0.09) and thermal.verdict == "flip_chip"
    assert low["npu"].recommendation == "flip_chip"
    assert all(c.verdict == "unknown" for c in advise(mini)[0].criteria if c.name == "frequency")


def test_advisor_io_and_height(mini):
    mem = mini.die("mem")
    pads = tuple(DiePad(name=f"X{i}", at=(100 + 30 * (i % 60), 100 + 30 * (i // 60))) for i in range(400))
    many = mem.replace(wire_bond=mem.wire_bond.replace(pads=mem.wire_bond.pads + pads))
    pkg = mini.replace(dies=tuple(many if d.name == "mem" else d for d in mini.dies))
    advice = {a.die: a for a in advise(pkg, frequency=100e6)}
    io = next(c for c in advice["mem"].criteria if c.name == "io")
    capacity = int(2 * (2000 + 1500) / 40.0) * 2
    assert io.value == 402 and io.limit == capacity and io.verdict == "flip_chip"
    assert advice["mem"].recommendation == "flip_chip"
    # a mold cap too thin for the loops
    thin = {a.die: a for a in advise(mini, height_budget=mini.z_range("mem2")[1] + 50, frequency=100e6)}
    h = next(c for c in thin["mem"].criteria if c.name == "height")
    assert h.verdict == "flip_chip" and h.strength == "required"
    rules = AdvisorRules(power_density=50.0)
    relaxed = {a.die: a for a in advise(mini, rules=rules)}
    assert next(c for c in relaxed["npu"].criteria if c.name == "thermal").verdict == "either"


def run_cli(*argv):
    parser = argparse.ArgumentParser()
    cli_interconnect.add_parser(parser.add_subparsers())
    args = parser.parse_args(["interconnect", *map(str, argv)])
    return args.run(args)


def test_cli(mini_path, tmp_path, capsys):
    assert run_cli(mini_path, "--frequency", "1") == 0
    assert "Attachment advice" in capsys.readouterr().out
    out = tmp_path / "ic.json"
    assert run_cli(mini_path, "--format", "json", "-o", out, "--wire-current", "5") == 1
    data = json.loads(out.read_text())
    assert not data["ok"] and data["violations"][0]["check"] == "wire_current"
    assert run_cli(mini_path, "--cycles", "1e12", "--cycle", "-40", "125") == 1
    assert "fatigue" in capsys.readouterr().out


def test_cli_through_main(mini_path, capsys):
    if "interconnect" not in COMMANDS:
        pytest.skip("the interconnect subcommand is not registered yet")
    assert main(["interconnect", str(mini_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["design"] == "mini"
    assert main(["interconnect", "missing.yaml"]) == 2


def test_plots(mini, report):
    from sipkit.interconnect.plots import plot_fatigue_map, plot_wire_inductance, plot_wires_3d

    ax = plot_wires_3d(mini)
    assert len(ax.lines) == 3 + 1 + len(mini.dies)  # wires, substrate outline, die tops
    ax = plot_wires_3d(report.paths, values=[w["L_nH"] for w in report.wires], label="L (nH)")
    assert len(ax.lines) == 3
    ax = plot_wire_inductance(report)
    assert len(ax.patches) == 2 * len(report.wires)
    ax = plot_fatigue_map(report)
    assert len(ax.collections) == len(report.joint_groups)
    import matplotlib.pyplot as plt

    plt.close("all")
