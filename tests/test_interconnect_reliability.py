"""Fusing, bump electromigration, solder fatigue and the catalogs against worked examples."""

import math

import numpy as np
import pytest
from scipy.constants import Boltzmann, elementary_charge
from scipy.integrate import quad, solve_bvp

from sipkit import Material, builtin_library
from sipkit.errors import DesignError
from sipkit.interconnect import (
    BUMP_KINDS,
    black_acceleration,
    black_life,
    builtin_catalog,
    bump_analysis,
    bump_contact_area,
    bump_resistance,
    conduction_limited_current,
    engelmaier_cycles,
    engelmaier_exponent,
    joint_fatigue,
    load_catalog,
    onderdonk_current,
    package_cte,
    preece_current,
    runaway_current,
    substrate_cte,
    wire_temperature_rise,
)
from sipkit.model import BumpSpec

K_EV = Boltzmann / elementary_charge


# -- fusing -------------------------------------------------------------------------


def test_onderdonk_from_the_copper_card_reproduces_onderdonks_equation():
    cu = builtin_library()["cu-wire"]
    d_mil, t, ta = 1.0, 1.0, 25.0
    # Onderdonk: I = A sqrt(log10((Tm - Ta)/(234 + Ta) + 1) / (33 t)), A in circular mils
    ref = d_mil**2 * math.sqrt(math.log10((cu.melting - ta) / (234 + ta) + 1) / (33 * t))
    assert onderdonk_current(25.4 * d_mil, t, cu, ta) == pytest.approx(ref, rel=0.02)
    # adiabatic: I scales as 1/sqrt(t) and with the area
    assert onderdonk_current(25.4, 4 * t, cu, ta) == pytest.approx(ref * 0.5, rel=0.02)
    assert onderdonk_current(50.8, t, cu, ta) == pytest.approx(4 * onderdonk_current(25.4, t, cu, ta))


def test_preece_is_the_published_power_law():
    assert preece_current(25.4, 10244) == pytest.approx(10244 * 0.001**1.5)
    assert preece_current(50.8, 7585) == pytest.approx(7585 * 0.002**1.5)


def test_conduction_limited_wire_matches_a_numerical_solution():
    au = builtin_library()["au-wire"]
    L, d, ta, current = 1500.0, 25.0, 25.0, 0.6
    area = math.pi * (d * 1e-6 / 2) ** 2
    k = au.k[0]
    rho_a = au.resistivity_at(ta)
    beta = au.tcr / (1 + au.tcr * (ta - 20))

    scale = (L * 1e-6) ** 2 * current**2 * rho_a / (k * area**2)

    def ode(x, y):  # x in wire lengths; k A y'' = -I² rho_a (1 + beta y) / A
        return np.vstack([y[1], -scale * (1 + beta * y[0])])

    x = np.linspace(0, 1, 101)
    sol = solve_bvp(ode, lambda a, b: np.array([a[0], b[0]]), x, np.zeros((2, x.size)), tol=1e-9)
    assert sol.success
    hot = float(sol.sol(0.5)[0])
    assert wire_temperature_rise(L, d, au, current, ta) == pytest.approx(hot, rel=1e-5)
    # the current for that rise is the one we started from
    assert conduction_limited_current(L, d, au, hot, ta) == pytest.approx(current, rel=1e-9)
    # fusing and runaway
    fuse = conduction_limited_current(L, d, au, au.melting - ta, ta)
    assert fuse < runaway_current(L, d, au, ta)
    assert wire_temperature_rise(L, d, au, runaway_current(L, d, au, ta), ta) == math.inf
    # longer wires carry less (1/L)
    assert conduction_limited_current(2 * L, d, au, 100, ta) == pytest.approx(
        conduction_limited_current(L, d, au, 100, ta) / 2)


def test_conduction_limit_without_tcr_is_the_constant_resistivity_formula():
    card = Material(name="flat", k=300.0, resistivity=2e-8, tcr=0.0)
    L, d, rise = 1000.0, 25.0, 80.0
    area = math.pi * (12.5e-6) ** 2
    assert conduction_limited_current(L, d, card, rise) == pytest.approx(
        area / 1e-3 * math.sqrt(8 * 300.0 * rise / 2e-8))
    assert runaway_current(L, d, card) == math.inf


# -- electromigration -----------------------------------------------------------------


def test_black_worked_example():
    # Catalog solder-ball parameters (n = 2, Ea = 0.77 eV, Basaran et al., ITherm 2012):
    # test at 150 °C and 1e4 A/cm², use at 100 °C and 5e3 A/cm².
    # AF = (1e4 / 5e3)^2 * exp(0.77 / k * (1/373.15 - 1/423.15)) = 4 * exp(2.8295) = 67.7
    black = builtin_catalog().bump("solder_ball").black
    assert (black.n, black.Ea) == (2.0, 0.77)
    by_hand = 4 * math.exp(0.77 / K_EV * (1 / 373.15 - 1 / 423.15))
    assert by_hand == pytest.approx(67.7, abs=0.1)
    af = black_acceleration(5e3, 100, 1e4, 150, n=2.0, Ea=0.77)
    assert af == pytest.approx(by_hand, rel=1e-6)
    # anchored at the catalog's reference: t50(J_ref, T_ref) = t50_ref
    assert black.life(black.J_ref * 1e4, black.T_ref) == pytest.approx(black.t50_ref)
    assert black.life(0.0, 100) == math.inf
    lives = black_life(np.array([1e7, 2e7]), 150, n=2, Ea=0.8, J_ref=1e7, T_ref=150, t50_ref=8.0)
    assert lives.tolist() == [8.0, 2.0]


def test_bump_resistance_and_area_by_hand(mini):
    spec = mini.die("npu").flip_chip.bump  # Cu pillar 50 µm, 60 µm high with a 15 µm SnAg cap
    T = 85.0
    r = 25e-6
    cu, snag = mini.material("cu-pillar"), mini.material("snag")
    expected = (cu.resistivity_at(T) * 45e-6 + snag.resistivity_at(T) * 15e-6) / (math.pi * r * r)
    assert bump_resistance(spec, mini, T) == pytest.approx(expected, rel=1e-12)
    assert bump_contact_area(spec) == pytest.approx(math.pi * r * r)


def test_solder_ball_resistance_is_the_truncated_sphere_integral(mini):
    spec = BumpSpec(kind="solder_ball", diameter=100, height=80, material="sac305")
    rho = mini.material("sac305").resistivity_at(25)
    R = 50e-6
    ref, _ = quad(lambda z: rho / (math.pi * (R * R - z * z)), -40e-6, 40e-6, epsabs=0, epsrel=1e-12)
    assert bump_resistance(spec, mini, 25) == pytest.approx(ref, rel=1e-10)
    assert bump_contact_area(spec) == pytest.approx(math.pi * (R * R - (40e-6) ** 2))


def test_bump_analysis_currents_and_life(mini):
    groups = {g.body: g for g in bump_analysis(mini, current=0.02, currents={"pmic": 0.1}, temperature=105)}
    npu, pmic = groups["npu"], groups["pmic"]
    assert npu.count == 19 * 19 and pmic.count == 16 and npu.underfill and not pmic.underfill
    assert np.allclose(npu.J, 0.02 / npu.area) and np.allclose(pmic.J, 0.1 / pmic.area)
    black = builtin_catalog().bump("copper_pillar").black
    assert npu.t50_min == pytest.approx(black.life(0.02 / npu.area, 105))
    assert npu.parallel_resistance == pytest.approx(npu.resistance / 361)
    idle = bump_analysis(mini)
    assert all(g.t50_min == math.inf and g.J_max == 0 for g in idle)


# -- fatigue ----------------------------------------------------------------------------


def test_engelmaier_worked_example():
    # Parameters of the SAC305 BGA of 'Thermal cycling life prediction of Sn-3.0Ag-0.5Cu solder
    # joint using type-I censored data', Sci. World J. 2014, 807693, Table 1: h = 0.42 mm,
    # ΔT = 165 K (-40 to 125 °C), F = 1, eps_f' = 0.325, half-cycle dwell 15 min; with a
    # corner DNP of 11.667 mm and a CTE mismatch of 3 ppm/K:
    #   c  = -0.442 - 6e-4 * 42.5 + 1.74e-2 * ln(1 + 360/15) = -0.41149
    #   Δγ = 11667 * 3e-6 * 165 / 420 = 0.013750
    #   Nf = 0.5 * (0.013750 / 0.65) ** (1 / c) = 5.87e3 cycles
    c = engelmaier_exponent(42.5, 15.0)
    assert c == pytest.approx(-0.41149, abs=5e-5)
    nf = engelmaier_cycles(11667.0, 420.0, 3e-6, 165.0, mean_T=42.5, dwell=15.0, ductility=0.325, F=1.0)
    assert nf == pytest.approx(0.5 * (0.0137504 / 0.65) ** (1 / c), rel=1e-4)
    assert nf == pytest.approx(5.87e3, rel=0.01)
    # life grows with the joint height as h^(-1/c) and falls with the DNP
    assert engelmaier_cycles(11667.0, 840.0, 3e-6, 165.0, mean_T=42.5) == pytest.approx(nf * 2 ** (-1 / c))
    lives = engelmaier_cycles(np.array([1000.0, 5000.0, 0.0]), 420.0, 3e-6, 165.0, mean_T=42.5)
    assert lives[0] > lives[1] and lives[2] == math.inf


def test_substrate_cte_is_the_turner_average(mini):
    T = 50.0
    num = den = 0.0
    for la in mini.substrate.stackup:
        card = mini.material(la.material)
        if la.is_conductor:
            f = mini.copper_coverage(la.name, mini.bbox())
            fill = mini.material(mini.substrate.fill_material(la.name))
            E = f * card.E + (1 - f) * fill.E
            Ea = f * card.E * card.cte + (1 - f) * fill.E * fill.cte
        else:
            E, Ea = card.E, card.E * card.cte
        num += Ea * la.thickness
        den += E * la.thickness
    assert substrate_cte(mini, T) == pytest.approx(num / den)


def test_joint_fatigue_of_the_mini_package(mini):
    groups = {g.name: g for g in joint_fatigue(mini, t_min=-40, t_max=125, dwell=15, underfill_factor=5)}
    assert set(groups) == {"npu bumps", "pmic bumps", "BGA balls"}
    npu = groups["npu bumps"]
    si = mini.material("si").cte_at(42.5)
    assert npu.delta_alpha == pytest.approx(abs(si - substrate_cte(mini, 42.5)))
    # underfilled: 5x the bare Engelmaier life; the worst joints are the array's corners
    assert np.allclose(npu.cycles, 5 * npu.cycles_bare)
    worst = npu.worst(4)
    assert all(w["dnp_um"] == pytest.approx(npu.dnp.max()) for w in worst)
    assert npu.dnp.max() == pytest.approx(math.hypot(9 * 150, 9 * 150))
    expected = engelmaier_cycles(npu.dnp.max(), 60.0, npu.delta_alpha, 165.0, mean_T=42.5, dwell=15)
    assert npu.min_cycles == pytest.approx(5 * expected)
    pmic = groups["pmic bumps"]
    assert not pmic.underfill and np.array_equal(pmic.cycles, pmic.cycles_bare)
    balls = groups["BGA balls"]
    assert balls.count == 78 and balls.level == "second" and balls.height == 300
    pkg_cte = package_cte(mini, 42.5)
    assert balls.delta_alpha == pytest.approx(abs(pkg_cte - mini.material("fr4").cte_at(42.5)))
    stiff_board = joint_fatigue(mini, t_min=-40, t_max=125, board_cte="20 ppm/K")[-1]
    assert stiff_board.delta_alpha == pytest.approx(abs(pkg_cte - 20e-6))
    # the package sits between its silicon and its substrate
    assert si < pkg_cte < substrate_cte(mini, 42.5)
    with pytest.raises(DesignError):
        joint_fatigue(mini, t_min=100, t_max=0)


def test_interposer_stack_has_no_mismatch_between_silicon_dies(hetero):
    groups = {g.name: g for g in joint_fatigue(hetero)}
    assert groups["soc bumps"].support == "int" and groups["soc bumps"].delta_alpha == 0
    assert groups["soc bumps"].min_cycles == math.inf
    assert groups["int bumps"].support == "substrate" and groups["int bumps"].min_cycles < math.inf


# -- catalogs ---------------------------------------------------------------------------


def test_builtin_catalog_covers_the_wires_and_bumps():
    cat = builtin_catalog()
    lib = builtin_library()
    assert set(cat.wires) == {"au", "cu", "pdcu", "ag", "al"}
    for fam in cat.wires.values():
        assert fam.material in lib
        card = lib[fam.material]
        for prop in ("resistivity", "tcr", "k", "rho", "cp", "melting"):
            assert getattr(card, prop) is not None, (fam.name, prop)
        assert fam.diameters and min(fam.diameters) >= 15 and max(fam.diameters) <= 50
        assert fam.source("preece") and fam.source("max_temperature")
    assert cat.wire_family("pdcu-wire").name == "pdcu"
    assert set(cat.bumps) == set(BUMP_KINDS)
    for kind in BUMP_KINDS:
        entry = cat.bump(kind)
        for key in ("n", "Ea", "reference", "ductility", "F"):
            assert entry.source(key), (kind, key)


def test_user_catalog_overrides_and_errors(tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text("units: mm\nwires:\n"
                    "  au: {material: au-wire, diameters: [0.02, 0.025], max_temperature: 120}\n")
    cat = load_catalog(good)
    assert cat.wires["au"].diameters == (20.0, 25.0) and cat.wires["au"].max_temperature == 120
    assert cat.wires["cu"].material == "cu-wire"  # built-in entries stay
    bad = tmp_path / "bad.yaml"
    bad.write_text("bumps:\n  solder_ball:\n"
                   "    black: {n: 2, Ea: -1, J_ref: 1e4, T_ref: 150, t50_ref: 10 h}\n")
    with pytest.raises(DesignError) as err:
        load_catalog(bad)
    assert str(err.value).startswith("bad.yaml:3: bumps.solder_ball.black.Ea:")
    typo = tmp_path / "typo.yaml"
    typo.write_text("bumps:\n  solder_bal: {black: {n: 2, Ea: 1, J_ref: 1, T_ref: 1, t50_ref: 1}}\n")
    with pytest.raises(DesignError, match="unknown bump kind"):
        load_catalog(typo)
    with pytest.raises(DesignError, match="no such catalog"):
        load_catalog(tmp_path / "missing.yaml")
