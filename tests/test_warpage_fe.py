"""The plate model against an independent 3-D finite-element result (CalculiX).

See ``tests/data/warpage-fe/README.md`` for the model, how the reference was produced and
why the plate model is a few per cent stiffer in warpage than the 3-D solution.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from sipkit.materials import Material
from sipkit.warpage import Ply, estimate, free_response

FE = Path(__file__).parent / "data" / "warpage-fe"


def fe_map(name):
    d = json.loads((FE / name).read_text())
    x, y, w = (np.array(d[k]) for k in ("x_mm", "y_mm", "uz_um"))
    n = round(np.sqrt(x.size))
    order = np.lexsort((x, y))
    return x[order].reshape(n, n), y[order].reshape(n, n), w[order].reshape(n, n)  # [j, i], y rows


def test_the_fe_reference_agrees_with_lamination_theory_without_the_die():
    # validates the finite-element model itself: a uniform two-layer plate
    _, _, w = fe_map("fe_uniform.json")
    lam = [Ply(Material(name="sub", E=25, nu=0.2, cte=15), 0, 300),
           Ply(Material(name="mold", E=20, nu=0.3, cte=10), 300, 1000)]
    _, k = free_response(lam, 175, 25)
    clt = k[0] / 2 * (6e-3**2 + 6e-3**2) * 1e6  # centre to corner of the 12 mm package
    fe = w[0, 0] - w[-1, -1]
    assert fe == pytest.approx(clt, rel=5e-3)


def test_die_on_substrate_under_mold_against_finite_elements():
    _, _, w_fe = fe_map("fe_result.json")
    r = estimate(FE / "package.yaml", temperature=25, grid=48)  # 0.25 mm cells, on the FE nodes
    assert r.stress_free == 175 and r.shape == "convex"
    # the quarter (x, y >= 6 mm) of the plate map on the FE nodes, relative to the centre
    q = r.w[24:, 24:]
    assert q.shape == w_fe.shape
    plate = q - q[0, 0]
    fe = w_fe - w_fe[0, 0]
    warp_fe = -fe[-1, -1]  # centre minus corner
    assert warp_fe == pytest.approx(23.713, abs=1e-3)
    # warpage (coplanarity): within 4 % (the plate model is 2.8 % high, see the README)
    assert r.warpage == pytest.approx(warp_fe, rel=0.04)
    assert r.warpage > warp_fe
    # centre to edge middle, and the whole quarter map, within 4 % of the warpage
    assert -plate[0, -1] == pytest.approx(-fe[0, -1], rel=0.04)
    assert np.abs(plate - fe).max() < 0.04 * warp_fe
    # along the diagonal the slope changes at the die edge (x = 9 mm) in both
    diag_p, diag_f = np.diag(plate), np.diag(fe)
    assert np.allclose(diag_p, diag_f, atol=0.04 * warp_fe)
