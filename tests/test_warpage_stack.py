"""Stacks per tile: column sampling, copper mixing by coverage, mixtures at temperature."""

from pathlib import Path

import numpy as np
import pytest

from sipkit.errors import DesignError
from sipkit.io import load
from sipkit.solid import SolidModel, from_package
from sipkit.warpage import abd, build_stack, estimate, thermal_resultants

DATA = Path(__file__).parent / "data"

MATS = [{"name": "sub", "E": 25, "nu": 0.2, "cte": 15},
        {"name": "mold", "E": 20, "nu": 0.3, "cte": 10, "Tg": 150, "E_above_Tg": 1, "cte_above_Tg": 40},
        {"name": "si", "E": 130, "nu": 0.28, "cte": 2.6},
        {"name": "cu", "E": 120, "nu": 0.34, "cte": 17},
        {"name": "abf", "E": 5, "nu": 0.3, "cte": 39, "Tg": 153, "cte_above_Tg": 117},
        {"name": "air", "k": 0.026}]


def die_model(**extra):
    boxes = [{"name": "sub", "min": [0, 0, 0], "max": [10000, 10000, 300], "material": "sub"},
             {"name": "mold", "min": [0, 0, 300], "max": [10000, 10000, 900], "material": "mold"},
             {"name": "die", "min": [2500, 2500, 300], "max": [7500, 7500, 500], "material": "si"}]
    return SolidModel(boxes=boxes + extra.pop("boxes", []), materials=MATS + extra.pop("materials", []),
                      **extra)


def fields_at(stack, T, j, i):
    f = stack.laminate(T)
    return {k: getattr(f, k)[j, i] for k in ("sA", "dA", "sB", "dB", "sD", "dD", "n", "m")}


def test_later_boxes_override_earlier_ones_in_each_column():
    stack = build_stack(die_model(), 10)
    assert stack.box_names(5000, 5000) == ["sub", "die", "mold"]
    assert stack.box_names(500, 500) == ["sub", "mold"]
    # the laminate fields of a column equal lamination theory on its plies, about the same plane
    for x, y in ((5000, 5000), (500, 9500)):
        j, i = stack.cell(x, y)
        plies = stack.column(x, y)
        A, B, D = abd(plies, 25.0, z_ref=stack.z_ref)
        N, M = thermal_resultants(plies, 25.0, z_ref=stack.z_ref)
        got = fields_at(stack, 25.0, j, i)
        assert got["sA"] == pytest.approx(A[0, 0] + A[0, 1], rel=1e-12)
        assert got["dA"] == pytest.approx(A[0, 0] - A[0, 1], rel=1e-12)
        assert got["sB"] == pytest.approx(B[0, 0] + B[0, 1], rel=1e-12, abs=1e-9)
        assert got["sD"] == pytest.approx(D[0, 0] + D[0, 1], rel=1e-12)
        assert got["n"] == pytest.approx(N[0], rel=1e-12)
        assert got["m"] == pytest.approx(M[0], rel=1e-12, abs=1e-12)


def test_copper_coverage_mixes_in_plane():
    tiles = {"metal": "cu", "x": [0, 5000, 10000], "y": [0, 10000], "fraction": [[0.8, 0.2]]}
    model = die_model(boxes=[{"name": "L1", "min": [0, 0, 300], "max": [10000, 10000, 315],
                              "material": "abf", "tiles": tiles}])
    stack = build_stack(model, (4, 4))
    j, i = stack.cell(1000, 1000)
    left = stack.column(1000, 1000)
    right = stack.column(9000, 1000)
    layer = next(p for p in left if p.z0 == 300.0)
    assert layer.fraction == pytest.approx(0.8) and layer.metal.name == "cu"
    assert next(p for p in right if p.z0 == 300.0).fraction == pytest.approx(0.2)
    # the layer's membrane stiffness is the area-weighted mean of copper and dielectric
    g = fields_at(stack, 25, j, i)
    without = build_stack(die_model(boxes=[{"name": "L1", "min": [0, 0, 300], "max": [10000, 10000, 315],
                                            "material": "abf"}]), (4, 4))
    s_cu, s_abf = 120e9 / (1 - 0.34), 5e9 / (1 - 0.3)
    added = g["sA"] - fields_at(without, 25, j, i)["sA"]
    assert added == pytest.approx(0.8 * (s_cu - s_abf) * 15e-6, rel=1e-9)


def test_mixture_cards_mix_at_temperature_and_keep_their_tg():
    layer = {"name": "L1", "min": [0, 0, 300], "max": [10000, 10000, 315], "material": "l1"}
    model = die_model(materials=[{"name": "l1", "mix": {"cu": 0.5, "abf": 0.5}}], boxes=[layer])
    stack = build_stack(model, 6)
    assert 153.0 in stack.breakpoints()  # the abf part's Tg survives the mixture
    j, i = stack.cell(500, 500)
    below, above = fields_at(stack, 100, j, i), fields_at(stack, 200, j, i)
    # between 152 and 154 degC (the mold's Tg is 150) only the CTE of the abf half steps: n rises
    # by half of abf's (s alpha) jump
    below, above = fields_at(stack, 152, j, i), fields_at(stack, 154, j, i)
    s_abf = 5e9 / (1 - 0.3)
    assert above["n"] - below["n"] == pytest.approx(0.5 * s_abf * (117e-6 - 39e-6) * 15e-6, rel=1e-9)
    assert above["sA"] == pytest.approx(below["sA"])


def test_boxes_without_stiffness_are_skipped_and_override():
    # air over the die region removes the mold there; a TIM-like card (no E) too
    model = die_model(boxes=[{"name": "hole", "min": [2500, 2500, 500], "max": [7500, 7500, 900],
                              "material": "air"}])
    stack = build_stack(model, 10)
    assert stack.box_names(5000, 5000) == ["sub", "die"]
    with pytest.raises(DesignError, match="no material with a modulus"):
        build_stack(SolidModel(boxes=[{"name": "a", "min": [0, 0, 0], "max": [1, 1, 1], "material": "air"}],
                               materials=[MATS[-1]]))


def test_grid_arguments():
    stack = build_stack(die_model(), 50)
    assert stack.shape == (50, 50)
    model = SolidModel(boxes=[{"name": "s", "min": [0, 0, 0], "max": [20000, 5000, 300], "material": "sub"}],
                       materials=MATS)
    assert build_stack(model, 40).shape == (10, 40)
    assert build_stack(model, (8, 5)).shape == (5, 8)
    for bad in (2, (2, 5), "x", (1, 2, 3)):
        with pytest.raises(DesignError, match="grid"):
            build_stack(model, bad)


def test_package_lowering_feeds_the_stacks():
    pkg = load(DATA / "mini.yaml")
    model = from_package(pkg)
    stack = build_stack(model, 40)
    # under the flip-chip die: substrate layers, bumps in underfill, the die (its power-map
    # block), the mold above and the shield on top
    names = stack.box_names(1800, 4500)
    assert names[-4:] == ["npu.bumps", "npu.core", "mold_top", "shield.top"]
    assert "CORE" in names and "L1" in names
    # a routed layer mixes its real copper: L2 is a plane (almost full), L1 mostly dielectric
    plies = {round(p.z0, 3): p for p in stack.column(5000, 4000)}
    z = {b.name: b.min[2] for b in model.boxes if b.name in ("L1", "L2")}
    assert plies[round(z["L2"], 3)].fraction > 0.95
    assert plies[round(z["L1"], 3)].fraction < 0.2
    # the wire-bonded die's die-attach film has a Tg that steps its properties
    assert 215.0 in stack.breakpoints()
    r = estimate(pkg, temperature=25, grid=40)
    assert np.isfinite(r.warpage) and r.warpage > 1.0
