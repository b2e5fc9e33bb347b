"""Material cards: completeness, sources, temperature models, mixtures, user overrides."""

import dataclasses
import math

import pytest

import sipkit
from sipkit.errors import MaterialError
from sipkit.materials import Material, MaterialLibrary, builtin_library, mix
from sipkit.materials.card import PROPERTIES

REQUIRED = ["si", "cu-plated", "au-wire", "cu-wire", "ag-alloy-wire", "al-pad", "sac305", "snag",
            "cu-pillar", "bt-core", "abf-gx92", "fr4", "polyimide", "solder-mask", "emc", "underfill",
            "daf", "die-attach-epoxy", "tim", "aln", "alumina", "glass-core", "air"]


def test_the_issue_list_of_materials_is_there():
    lib = builtin_library()
    missing = [m for m in REQUIRED if m not in lib]
    assert not missing


def test_every_value_names_its_source():
    lib = builtin_library()
    for name in lib:
        card = lib[name]
        given = [p for p in PROPERTIES if getattr(card, p) is not None]
        sources = dict(card.sources or ())
        assert sorted(given) == sorted(sources), name
        assert all(len(s) > 15 for s in sources.values()), name


def test_every_card_has_what_the_engines_need():
    lib = builtin_library()
    for name in lib:
        card = lib[name]
        assert card.k is not None, name  # every engine needs conductivity
        # gases and grease-like TIMs carry no load: no stiffness on purpose
        if card.kind != "gas" and name != "tim":
            assert card.E is not None and card.cte is not None and card.nu is not None, name
        if card.kind in ("metal", "solder"):
            assert card.resistivity is not None, name


def test_mold_compound_has_a_glass_transition():
    emc = builtin_library()["emc"]
    assert 100 < emc.Tg < 200
    assert emc.E_above_Tg < emc.E / 5  # rubbery plateau
    assert emc.cte_above_Tg > 2 * emc.cte


def test_thermal_strain_integrates_across_tg():
    m = Material(name="x", E=20, cte=10, Tg=150, E_above_Tg=1, cte_above_Tg=40)
    # 25 -> 260 °C: 125 K at 10 ppm/K, then 110 K at 40 ppm/K
    assert m.thermal_strain(25, 260) == pytest.approx(125 * 10e-6 + 110 * 40e-6, rel=1e-12)
    assert m.thermal_strain(260, 25) == pytest.approx(-m.thermal_strain(25, 260), rel=1e-12)
    assert m.thermal_strain(25, 100) == pytest.approx(75 * 10e-6)
    assert m.thermal_strain(175, 200) == pytest.approx(25 * 40e-6)
    assert m.E_at(100) == 20e9 and m.E_at(200) == 1e9
    assert m.cte_at(149) == 10e-6 and m.cte_at(151) == 40e-6


def test_silicon_conductivity_falls_with_temperature():
    si = builtin_library()["si"]
    k25 = si.k_at(26.85)[0]
    k125 = si.k_at(126.85)[0]
    assert k25 == pytest.approx(si.k[0])
    assert k125 == pytest.approx(si.k[0] * (300 / 400) ** si.k_exponent)
    assert 95 < k125 < 115  # handbook: ~105 W/mK at 400 K


def test_copper_resistivity_with_temperature():
    cu = builtin_library()["cu-plated"]
    assert 1.6e-8 < cu.resistivity < 2.0e-8
    assert cu.resistivity_at(120) == pytest.approx(cu.resistivity * (1 + cu.tcr * 100))


def test_mixture_rules():
    cu = Material(name="cu", k=400, rho=8900, cp=385, E=120, nu=0.34, cte=17)
    resin = Material(name="r", k=0.4, rho=1400, cp=1200, E=4, nu=0.35, cte=50)
    m = mix("m", [cu, resin], [0.25, 0.75])
    assert m.k[0] == pytest.approx(0.25 * 400 + 0.75 * 0.4)  # parallel in-plane
    assert m.k[2] == pytest.approx(1 / (0.25 / 400 + 0.75 / 0.4))  # series through-plane
    assert m.rho == pytest.approx(0.25 * 8900 + 0.75 * 1400)
    assert m.cp * m.rho == pytest.approx(0.25 * 8900 * 385 + 0.75 * 1400 * 1200)
    assert m.E == pytest.approx((0.25 * 120 + 0.75 * 4) * 1e9)
    assert m.cte == pytest.approx((0.25 * 120 * 17 + 0.75 * 4 * 50) / (0.25 * 120 + 0.75 * 4) * 1e-6)


def test_mixture_cards_resolve_through_the_library():
    lib = MaterialLibrary.from_paths(cards=[Material(name="l1", mix={"cu-plated": 0.6, "abf-gx92": 0.4})])
    card = lib["l1"]
    cu, abf = lib["cu-plated"], lib["abf-gx92"]
    assert card.k[0] == pytest.approx(0.6 * cu.k[0] + 0.4 * abf.k[0])
    with pytest.raises(MaterialError, match="add up to 1"):
        Material(name="bad", mix={"cu-plated": 0.6, "abf-gx92": 0.6})
    with pytest.raises(MaterialError, match="unknown material 'nope'"):
        MaterialLibrary.from_paths(cards=[Material(name="b", mix={"nope": 1.0})])["b"]
    loop = MaterialLibrary.from_paths(cards=[Material(name="a", mix={"b": 1.0}),
                                             Material(name="b", mix={"a": 1.0})], builtin=False)
    with pytest.raises(MaterialError, match="contains itself"):
        loop["a"]


def test_user_folder_overrides_builtin(tmp_path):
    (tmp_path / "site.yaml").write_text("materials:\n  emc: {k: 2.0, E: 25, nu: 0.3, cte: 7, "
                                        "sources: {k: our lab, E: our lab, nu: our lab, cte: our lab}}\n")
    lib = MaterialLibrary.from_paths([tmp_path])
    assert lib["emc"].k == (2.0, 2.0, 2.0)
    assert lib.origin("emc") == str(tmp_path)
    assert lib.origin("si").startswith("builtin:")


def test_unknown_material_suggests_names():
    with pytest.raises(MaterialError, match=r"unknown material 'sac350'; did you mean 'sac305'"):
        builtin_library().check("sac350", "dies[0].material")


def test_bad_cards_are_rejected():
    with pytest.raises(MaterialError, match="Poisson"):
        Material(name="x", nu=0.5)
    with pytest.raises(MaterialError, match="need Tg"):
        Material(name="x", E_above_Tg=1)
    with pytest.raises(sipkit.UnitError, match=r"^k\[2\]: expected a thermal conductivity"):
        Material(name="x", k=[1, 2, "3 m"])
    assert dataclasses.replace(Material(name="x", k=[1, 2, 3]), name="y").k == (1.0, 2.0, 3.0)
    assert math.isfinite(builtin_library()["air"].k[0])


def test_replace_keeps_scaled_values():
    """Moduli (GPa in, Pa kept) and CTEs (ppm/K in, 1/K kept) survive copies unchanged."""
    m = Material(name="x", E=130, cte=2.6, E_above_Tg=1, cte_above_Tg=40, Tg=150)
    for copy in (m.replace(name="y"), dataclasses.replace(m, name="z")):
        assert (copy.E, copy.cte, copy.E_above_Tg, copy.cte_above_Tg) == (130e9, m.cte, 1e9, m.cte_above_Tg)
    assert m.replace(E=120).E == 120e9  # a changed value is read in default units
    described = Material(name="l", mix={"cu-plated": 0.5, "abf-gx92": 0.5}, description="layer")
    card = MaterialLibrary.from_paths(cards=[described])["l"]
    assert 10e9 < card.E < 100e9 and 5e-6 < card.cte < 50e-6
    assert card.description == "layer"
