"""The command line: subcommands, machine-readable output, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest

import sipkit
from sipkit.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "sipkit", *map(str, args)], capture_output=True, text=True)


def test_show_text_and_json(mini_path, capsys):
    assert main(["show", str(mini_path)]) == 0
    out = capsys.readouterr().out
    assert "Stack-up (top to bottom)" in out and "npu" in out and "copper pillars" in out
    assert main(["show", str(mini_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "mini"
    assert [la["name"] for la in data["stackup"]][:3] == ["SM1", "L1", "BU1"]
    npu = next(c for c in data["components"] if c["name"] == "npu")
    assert npu["bumps"] == 19 * 19 and npu["power_W"] == pytest.approx(2.5)


def test_show_writes_a_file(mini_path, tmp_path):
    out = tmp_path / "s.json"
    assert main(["show", str(mini_path), "--format", "json", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["counts"]["lands"] == 78


def test_convert_yaml_json_round_trip(mini, mini_path, tmp_path, capsys):
    j = tmp_path / "m.json"
    y = tmp_path / "m.yaml"
    assert main(["convert", str(mini_path), str(j)]) == 0
    assert main(["convert", str(j), str(y)]) == 0
    assert sipkit.load(y) == mini


def test_user_errors_are_one_line_with_exit_2(tmp_path, mini_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(mini_path.read_text().replace("thickness: 100\n", "thickness: 20 kg\n", 1))
    r = run("show", bad)
    assert r.returncode == 2
    assert r.stderr.strip() == "sipkit: error: bad.yaml:53: dies[1].thickness: expected a length, got '20 kg'"
    assert "Traceback" not in r.stderr
    r = run("show", tmp_path / "missing.yaml")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr
    r = run("convert", mini_path, tmp_path / "x.txt")
    assert r.returncode == 2 and "unknown output type '.txt'" in r.stderr


def test_usage_errors_exit_2():
    assert run("nonsense").returncode == 2
    assert run().returncode == 2
    assert run("show").returncode == 2
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("sipkit ")


def test_help_is_instant_and_imports_no_engines():
    code = ("import sys, sipkit.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'pint', 'numba')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip().endswith("[]"), r.stdout


def test_output_piped_into_head_is_not_an_error(mini_path):
    r = subprocess.run(f"'{sys.executable}' -m sipkit show '{mini_path}' | head -1", shell=True,
                       capture_output=True, text=True, executable="/bin/bash")
    assert r.stdout.startswith("Package mini") and "error" not in r.stderr
