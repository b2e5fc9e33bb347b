"""estimate(), sign conventions, reflow profiles, allowed bands, JSON, bad inputs and the CLI."""

import json
from pathlib import Path

import numpy as np
import pytest

import sipkit.cli as cli
from sipkit.errors import DesignError, UnitError
from sipkit.solid import SolidModel
from sipkit.warpage import ball_pitch, estimate, load_limits, load_profile
from sipkit.warpage.profile import available_profiles

DATA = Path(__file__).parent / "data"


def bimetal(cte_mold, cte_sub=15.0, **kw):
    return SolidModel(boxes=[
        {"name": "sub", "min": [0, 0, 0], "max": [10000, 10000, 300], "material": "sub"},
        {"name": "mold", "min": [0, 0, 300], "max": [10000, 10000, 900], "material": "mold"}],
        materials=[{"name": "sub", "E": 25, "nu": 0.2, "cte": cte_sub},
                   {"name": "mold", "E": 20, "nu": 0.3, "cte": cte_mold, **kw}], stress_free=175)


def test_sign_convention_on_a_known_bimetal():
    # Mold on top with the higher CTE, cooled from its stress-free 175 degC to 25 degC: the top
    # shrinks more than the substrate, so it ends up on the inside of the bend and the corners
    # rise above the centre: concave ("smile"), negative warpage (JESD22-B112A / ED-7306).
    r = estimate(bimetal(cte_mold=25.0), temperature=25, grid=20)
    assert r.shape == "concave" and r.signed < 0 and r.warpage == pytest.approx(-r.signed)
    assert r.curvature[0] < 0 and r.curvature[1] < 0
    assert all(v < 0 for v in r.center_to_corners.values())
    c = r.w[r.y.size // 2, r.x.size // 2]
    assert c < r.w[0, 0] and c < r.w[-1, -1]  # z up: the centre lies below the corners
    # heating it above the stress-free temperature bends it the other way
    hot = estimate(bimetal(cte_mold=25.0), temperature=250, grid=20)
    assert hot.shape == "convex" and hot.signed > 0
    # and a mold with the lower CTE makes the cooled package convex ("cry", centre up)
    assert estimate(bimetal(cte_mold=9.0), temperature=25, grid=20).shape == "convex"
    # equal CTEs: flat
    flat = estimate(bimetal(cte_mold=15.0), temperature=25, grid=20)
    assert flat.shape == "flat" and flat.signed == 0.0


def test_stress_free_temperature_sources():
    model = bimetal(cte_mold=25.0)
    assert estimate(model, temperature=25, grid=12).stress_free == 175.0  # the model's
    r = estimate(model, temperature=25, grid=12, stress_free="448.15 K")  # the call's, with units
    assert r.stress_free == pytest.approx(175.0)
    r2 = estimate(model, temperature=25, grid=12, stress_free=100)
    assert r2.signed == pytest.approx(r.signed * 75 / 150, rel=1e-6)  # linear below any Tg
    import dataclasses

    default = estimate(dataclasses.replace(model, stress_free=None), temperature=25, grid=12)
    assert default.stress_free == 175.0


def test_reflow_profile_preset():
    prof = load_profile()
    assert prof.peak == 260.0 and prof.samples == 50
    assert "reflow-jedec-pbfree" in available_profiles()
    times, temps = prof.sample()
    assert temps.size == 50 and temps[0] == temps[-1] == 25.0 and temps.max() == 260.0
    assert np.all(np.diff(times) > 0)
    k = int(np.argmax(temps))
    assert np.all(np.diff(temps[:k + 1]) > 0) and np.all(np.diff(temps[k:]) < 0)


def test_warpage_across_the_profile():
    model = bimetal(cte_mold=9.0, Tg=185, E_above_Tg=1.0, cte_above_Tg=40)
    r = estimate(model, profile="reflow-jedec-pbfree", grid=24, limits=(-80, 80))
    prof = r.profile
    assert prof.temperatures.size == 50
    # elastic and rate independent: cooling retraces heating
    k = int(np.argmax(prof.temperatures))
    heat = np.interp(prof.temperatures[k:][::-1], prof.temperatures[:k + 1], prof.signed[:k + 1])
    assert np.allclose(heat, prof.signed[k:][::-1], atol=1e-6 * np.abs(prof.signed).max())
    # below the mold's Tg convex at room temperature, flat at the stress-free temperature
    assert prof.signed[0] > 0 and prof.shapes[0] == "convex"
    assert r.at(175).warpage < 1e-6
    # the map is at the worst temperature, and any profile point matches a direct estimate
    assert r.temperature == prof.temperatures[prof.worst]
    for T in (25.0, 200.0, 260.0):
        direct = estimate(model, temperature=T, grid=24)
        assert r.at(T).signed == pytest.approx(direct.signed, rel=1e-6, abs=1e-9)
    # a temperature outside the profile still works (the range grows)
    assert r.at(-40).signed > r.at(25).signed > 0
    assert r.passed == prof.passed is True
    tight = estimate(model, profile=[25, 100, 260, 25], grid=12, limits=(-1, 1))
    assert tight.passed is False and np.isnan(tight.profile.times).all()


def test_bands_from_pitch_and_standard():
    limits = load_limits()
    jeita = limits.standard("jeita-ed-7306")
    assert (jeita.band(800).lower, jeita.band(800).upper) == (-170.0, 170.0)
    assert jeita.band(1000).upper == 220.0
    assert jeita.band(900).upper == 170.0  # between rows: the finer (tighter) row
    jedec = limits.standard("jedec-spp-024").band(800)
    assert (jedec.lower, jedec.upper) == (-140.0, 230.0)
    with pytest.raises(DesignError, match="no band for a ball pitch of 500"):
        jeita.band(500)
    with pytest.raises(DesignError, match="unknown warpage standard"):
        limits.standard("ipc")
    r = estimate(bimetal(9.0), temperature=25, grid=12, pitch="0.8 mm", standard="jedec-spp-024")
    assert r.band.upper == 230.0 and r.passed is True
    with pytest.raises(DesignError, match="pitch"):
        estimate(bimetal(9.0), temperature=25, grid=12, pitch=400)


def test_package_pitch_gives_the_band():
    from sipkit.io import load

    pkg = load(DATA / "mini.yaml")
    assert ball_pitch(pkg) == 800.0
    r = estimate(pkg, temperature=260, grid=30)
    assert r.band.pitch == 800.0 and r.band.upper == 170.0 and r.passed is True


def test_json_follows_the_design_contract():
    r = estimate(bimetal(9.0), profile=[25, 260, 25], grid=12, limits=(-50, 50))
    data = json.loads(r.to_json())
    assert data["warpage_um"] == pytest.approx(r.warpage)
    assert data["shape"] in ("convex", "concave", "saddle", "mixed", "flat")
    assert len(data["curvature_per_m"]) == 2
    assert data["signed_warpage_um"] == pytest.approx(r.signed)
    assert data["profile"]["temperature_C"] == [25.0, 260.0, 25.0]
    assert data["pass"] is True and data["limits"]["upper_um"] == 50.0
    assert "map" not in data
    full = r.to_dict(include_map=True)
    assert len(full["map"]["w_um"]) == r.y.size and len(full["map"]["x_um"]) == r.x.size


def test_figures(tmp_path):
    r = estimate(bimetal(9.0), profile=[25, 150, 260, 150, 25], grid=12, limits=(-50, 50))
    assert r.save_figure(tmp_path / "w.png").stat().st_size > 1000
    single = r.at(25)
    assert single.save_figure(tmp_path / "m.svg").stat().st_size > 1000
    ax = single.plot_map(kind="surface")
    assert ax.name == "3d"
    with pytest.raises(DesignError, match="no profile"):
        single.plot_profile()
    with pytest.raises(DesignError, match=r"expected a \.png"):
        r.save_figure(tmp_path / "w.gif")


# -- bad inputs ---------------------------------------------------------------------------------
def test_bad_arguments():
    model = bimetal(9.0)
    with pytest.raises(DesignError, match="not both"):
        estimate(model, temperature=25, profile="reflow-jedec-pbfree")
    with pytest.raises(UnitError) as err:
        estimate(model, temperature="20 kg")
    assert err.value.field == "temperature"
    with pytest.raises(DesignError, match=r"unknown reflow-profile preset 'nope'.*reflow-jedec-pbfree"):
        estimate(model, profile="nope")
    with pytest.raises(DesignError, match="limits"):
        estimate(model, temperature=25, limits=(10, 20))
    with pytest.raises(DesignError, match="expected a Package, a SolidModel"):
        estimate(42)
    with pytest.raises(DesignError, match="no such file"):
        estimate("missing.yaml")


def test_bad_profile_file_names_file_line_and_field(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("kind: reflow-profile\nname: p\npoints:\n  - [0, 25]\n  - [60, 150]\n  - [50, 200]\n")
    with pytest.raises(DesignError) as err:
        load_profile(f)
    assert (err.value.file, err.value.line, err.value.field) == ("p.yaml", 6, "points[2]")
    f.write_text("kind: reflow-profile\nname: p\npoints:\n  - [0, 25]\n  - [60, '150 kg']\n")
    with pytest.raises(DesignError) as err:
        load_profile(f)
    assert (err.value.line, err.value.field) == (5, "points[1][1]")
    f.write_text("kind: warpage-limits\nname: p\n")
    with pytest.raises(DesignError, match="expected a reflow-profile file") as err:
        load_profile(f)
    assert err.value.line == 1
    f.write_text("kind: reflow-profile\nname: p\npoints: [[0, 25], [10, 30]]\nsampels: 3\n")
    with pytest.raises(DesignError, match=r"did you mean 'samples'") as err:
        load_profile(f)
    assert err.value.line == 4


def test_bad_limits_file_names_file_line_and_field(tmp_path):
    f = tmp_path / "l.yaml"
    f.write_text("kind: warpage-limits\nunits: mm\nstandards:\n  - name: x\n    bands:\n"
                 "      - {pitch: 0.8, concave: -0.1, convex: 0.2}\n")
    with pytest.raises(DesignError) as err:
        load_limits(f)
    assert (err.value.file, err.value.line) == ("l.yaml", 6)
    assert err.value.field == "standards[0].bands[0].concave"
    f.write_text("kind: warpage-limits\nunits: mm\nstandards:\n  - name: x\n    bands:\n"
                 "      - {pitch: 0.8, concave: 0.1, convex: 0.2}\n")
    assert load_limits(f).standard("x").band(800).lower == pytest.approx(-100.0)


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture
def run(capsys):
    assert "warpage" in cli.COMMANDS

    def _run(*args):
        code = cli.main(["warpage", *map(str, args)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return _run


def test_cli_solid_model_file(run, tmp_path):
    code, out, _ = run(DATA / "warpage-fe" / "package.yaml", "--at", 25, "--grid", 24)
    assert code == 0 and "convex" in out and "stress-free 175" in out
    code, out, _ = run(DATA / "warpage-fe" / "package.yaml", "--format", "json", "--grid", 12,
                       "--stress-free", 150, "--plot", tmp_path / "w.png")
    data = json.loads(out)
    assert code == 0 and data["stress_free_C"] == 150.0 and data["temperature_C"] == 25.0
    assert (tmp_path / "w.png").exists()


def test_cli_profile_and_exit_codes(run, tmp_path):
    design = DATA / "warpage-fe" / "package.yaml"
    code, out, _ = run(design, "--profile", "reflow-jedec-pbfree", "--grid", 12, "--limits=-100,100")
    assert code == 0 and "PASS" in out and "jedec-pbfree" in out
    code, out, err = run(design, "--profile", "reflow-jedec-pbfree", "--grid", 12, "--limits=-5,5")
    assert code == 1 and "FAIL" in out and "leaves the allowed band" in err
    code, _, err = run(design, "--at", "20 kg")
    assert code == 2 and "temperature" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("units: mm\nboxes:\n  - {name: a, min: [0, 0, 0], max: [1, 1], material: x}\n")
    code, _, err = run(bad)
    assert code == 2 and "bad.yaml:3" in err
    code, _, err = run(design, "--grid", 2)
    assert code == 2 and "--grid" in err
