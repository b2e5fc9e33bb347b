"""Classical lamination theory against closed forms: Timoshenko, Stoney, symmetric laminates, Tg."""

import itertools
import math

import numpy as np
import pytest

from sipkit.errors import DesignError, MaterialError
from sipkit.materials import Material
from sipkit.warpage import Ply, abd, breakpoints, free_response, thermal_resultants


def card(name, E, nu, cte, **kw):
    return Material(name=name, E=E, nu=nu, cte=cte, **kw)


def timoshenko(t1, t2, E1, E2, a1, a2, dT):
    """Curvature of a bimetal strip, S. Timoshenko, 'Analysis of bi-metal thermostats',
    J. Opt. Soc. Am. 11 (1925) 233-255, eq. (4); layer 1 at the bottom, convex > 0."""
    m, n, h = t1 / t2, E1 / E2, t1 + t2
    return 6 * (a2 - a1) * dT * (1 + m) ** 2 / (h * (3 * (1 + m) ** 2 + (1 + m * n) * (m * m + 1 / (m * n))))


@pytest.mark.parametrize("t1, t2, E1, E2", [(100, 100, 120, 130), (300, 50, 25, 130), (20, 700, 200, 3)])
def test_timoshenko_bimetal_is_exact(t1, t2, E1, E2):
    # with nu = 0 the plate is a pair of beams: Timoshenko's formula holds exactly
    bottom, top = card("a", E1, 0.0, 17.0), card("b", E2, 0.0, 2.6)
    _, k = free_response([Ply(bottom, 0, t1), Ply(top, t1, t1 + t2)], 150.0, 25.0)
    ref = timoshenko(t1 * 1e-6, t2 * 1e-6, E1, E2, 17e-6, 2.6e-6, -125.0)
    assert k[0] == pytest.approx(ref, rel=1e-9)
    assert k[1] == pytest.approx(ref, rel=1e-9)
    assert k[2] == 0.0


def test_timoshenko_with_equal_poisson_ratio_uses_biaxial_moduli():
    # equal nu: the plate curvature is Timoshenko's with E/(1 - nu) and the same CTEs
    nu = 0.3
    bottom, top = card("a", 20.0, nu, 40.0), card("b", 70.0, nu, 5.0)
    _, k = free_response([Ply(bottom, 0, 250), Ply(top, 250, 400)], 25.0, 225.0)
    ref = timoshenko(250e-6, 150e-6, 20 / (1 - nu), 70 / (1 - nu), 40e-6, 5e-6, 200.0)
    assert k[0] == pytest.approx(ref, rel=1e-9)


def test_stoney_thin_film_limit():
    # G. G. Stoney, Proc. R. Soc. A 82 (1909) 172: kappa = 6 sigma_f t_f / (M_s t_s^2), with the
    # biaxial film stress sigma_f = M_f (alpha_s - alpha_f) dT and M = E / (1 - nu)
    sub, film = card("si", 130.0, 0.28, 2.6), card("cu", 120.0, 0.34, 17.0)
    ts, dT = 500.0, -150.0
    Ms, Mf = 130e9 / (1 - 0.28), 120e9 / (1 - 0.34)
    errors = []
    for tf in (5.0, 2.5, 1.25, 0.625):
        _, k = free_response([Ply(sub, 0, ts), Ply(film, ts, ts + tf)], 175.0, 25.0)
        sigma = Mf * (2.6e-6 - 17e-6) * dT
        stoney = -6 * sigma * tf * 1e-6 / (Ms * (ts * 1e-6) ** 2)  # film on top in tension: concave
        assert np.sign(k[0]) == np.sign(stoney) == -1.0
        errors.append(abs(k[0] / stoney - 1))
    # the relative error of Stoney's formula vanishes linearly with t_f / t_s
    assert errors[-1] < 0.02
    ratios = [a / b for a, b in itertools.pairwise(errors)]
    assert all(1.8 < r < 2.2 for r in ratios), ratios


def test_symmetric_laminate_does_not_bend():
    cu, core, mask = card("cu", 120, 0.34, 17), card("bt", 23, 0.2, 14), card("sm", 4.5, 0.3, 25)
    stack = [Ply(mask, 0, 20), Ply(cu, 20, 35), Ply(core, 35, 235), Ply(cu, 235, 250), Ply(mask, 250, 270)]
    A, B, _ = abd(stack, 25.0)
    assert np.abs(B).max() < 1e-12 * np.abs(A).max() * 270e-6
    eps, k = free_response(stack, 175.0, 25.0)
    assert np.abs(k).max() < 1e-12
    # while the same stack without its bottom copper does bend
    _, k2 = free_response([Ply(mask, 0, 20), Ply(core, 20, 220), Ply(cu, 220, 235), Ply(mask, 235, 255)],
                          175.0, 25.0)
    assert abs(k2[0]) > 1e-1
    # the free strain is the stiffness-weighted CTE times dT
    assert eps[0] == pytest.approx(eps[1]) and eps[0] < 0


def test_curvature_does_not_depend_on_the_reference_plane():
    plies = [Ply(card("a", 25, 0.2, 15), 0, 300), Ply(card("b", 20, 0.3, 10), 300, 1000)]
    k = [free_response(plies, 175, 25, z_ref=z)[1] for z in (0.0, 500.0, 1234.0)]
    assert np.allclose(k[0], k[1], rtol=1e-12) and np.allclose(k[0], k[2], rtol=1e-12)


def test_tg_crossing_incremental_against_a_hand_calculation():
    # a mold compound layer on a substrate, heated from 25 to 260 degC across the mold's Tg
    sub = card("sub", 25.0, 0.0, 15.0)
    mold = card("mold", 20.0, 0.0, 10.0, Tg=150.0, E_above_Tg=1.0, cte_above_Tg=40.0)
    plies = [Ply(sub, 0, 300), Ply(mold, 300, 1000)]
    T0, Tg, T1 = 25.0, 150.0, 260.0
    _, k = free_response(plies, T0, T1)
    # by hand: Timoshenko per interval (nu = 0), the increments add up
    below = timoshenko(300e-6, 700e-6, 25.0, 20.0, 15e-6, 10e-6, Tg - T0)
    above = timoshenko(300e-6, 700e-6, 25.0, 1.0, 15e-6, 40e-6, T1 - Tg)
    assert k[0] == pytest.approx(below + above, rel=1e-12)
    # cooling back to 25 degC retraces the path (elastic, path independent)
    _, back = free_response(plies, T1, T0)
    assert back[0] == pytest.approx(-k[0], rel=1e-12)
    # below Tg the substrate expands more (concave), above it the mold does (convex)
    assert below < 0 < above and k[0] > 0
    # a single linear step with the properties at the start misses the Tg: wrong sign
    single = timoshenko(300e-6, 700e-6, 25.0, 20.0, 15e-6, 10e-6, T1 - T0)
    assert single < 0 and abs(single - k[0]) > k[0]
    # the rate is piecewise constant: halfway through each interval it is the interval's
    _, k_mid = free_response(plies, T0, 0.5 * (T0 + Tg))
    assert k_mid[0] == pytest.approx(below / 2, rel=1e-12)


def test_breakpoints_are_the_tgs_that_change_something():
    a = card("a", 20, 0.3, 10, Tg=150.0, E_above_Tg=1.0)
    b = card("b", 20, 0.3, 10, Tg=120.0)  # Tg alone changes nothing
    c = card("c", 20, 0.3, 10, Tg=200.0, cte_above_Tg=30.0)
    plies = [Ply(a, 0, 1), Ply(b, 1, 2), Ply(c, 2, 3)]
    assert breakpoints(plies) == [150.0, 200.0]
    assert breakpoints(plies, 25, 175) == [150.0]


def test_copper_mixes_by_the_rule_of_mixtures():
    cu, die = card("cu", 120, 0.34, 17), card("abf", 5, 0.3, 39)
    f = 0.35
    A_mix, _, _ = abd([Ply(die, 0, 15, metal=cu, fraction=f)], 25)
    A_cu, _, _ = abd([Ply(cu, 0, 15)], 25)
    A_d, _, _ = abd([Ply(die, 0, 15)], 25)
    assert np.allclose(A_mix, f * A_cu + (1 - f) * A_d, rtol=1e-14)
    N, _ = thermal_resultants([Ply(die, 0, 15, metal=cu, fraction=f)], 25)
    # effective CTE = stiffness-weighted mean (Turner)
    s_cu, s_d = 120e9 / (1 - 0.34), 5e9 / (1 - 0.3)
    turner = (f * s_cu * 17e-6 + (1 - f) * s_d * 39e-6) / (f * s_cu + (1 - f) * s_d)
    assert N[0] / (A_mix[0, 0] + A_mix[0, 1]) == pytest.approx(turner, rel=1e-12)


def test_layers_without_stiffness_are_skipped():
    air, tim = Material(name="air", k=0.026), Material(name="tim", k=4.0)
    sub, mold = card("sub", 25, 0.2, 15), card("mold", 20, 0.3, 10)
    base = [Ply(sub, 0, 300), Ply(mold, 300, 1000)]
    _, k = free_response(base, 175, 25)
    _, k_top = free_response([*base, Ply(air, 1000, 1500), Ply(tim, 1500, 1600)], 175, 25)
    assert np.allclose(k, k_top, rtol=1e-12)


def test_bad_cards_and_plies_name_the_field():
    with pytest.raises(MaterialError, match="no Poisson"):
        free_response([Ply(Material(name="x", E=10, cte=5), 0, 1)], 25, 100)
    with pytest.raises(MaterialError, match="no CTE"):
        free_response([Ply(Material(name="x", E=10, nu=0.3), 0, 1)], 25, 100)
    with pytest.raises(DesignError, match="z1 > z0"):
        Ply(card("a", 1, 0.3, 1), 5, 5)
    with pytest.raises(DesignError, match="fraction"):
        Ply(card("a", 1, 0.3, 1), 0, 5, fraction=1.5)
    assert not math.isnan(free_response([Ply(Material(name="air", k=0.02), 0, 1)], 25, 100)[1][0])
