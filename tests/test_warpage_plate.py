"""The Kirchhoff plate solver: against a naive assembly, closed forms and its own refinements."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from sipkit.materials import Material
from sipkit.solid import SolidModel
from sipkit.warpage import PlateOperator, Ply, estimate, free_response, solve_plate
from sipkit.warpage import _kernels as kn
from sipkit.warpage.plate import to_nodes

DATA = Path(__file__).parent / "data" / "warpage-fe"


# -- a slow, obvious reference: the energy's operators as sparse matrices ------------------------
def naive_operators(nx, ny, hx, hy):
    def second(n, h):
        rows, cols, vals = [], [], []
        for i in range(n):
            c = min(max(i, 1), n - 2)
            rows += [i, i, i]
            cols += [c - 1, c, c + 1]
            vals += [1.0, -2.0, 1.0]
        return sp.csr_matrix((np.array(vals) / h**2, (rows, cols)), shape=(n, n))

    def first(n, h):  # central inside, one-sided at the ends
        rows, cols, vals = [], [], []
        for i in range(n):
            a, b, f = (0, 1, 1.0) if i == 0 else (n - 2, n - 1, 1.0) if i == n - 1 else (i - 1, i + 1, 0.5)
            rows += [i, i]
            cols += [a, b]
            vals += [-f / h, f / h]
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))

    Ix, Iy = sp.identity(nx), sp.identity(ny)
    return (sp.kron(Iy, second(nx, hx)).tocsr(), sp.kron(second(ny, hy), Ix).tocsr(),
            sp.kron(first(ny, hy), first(nx, hx)).tocsr())


def naive_system(d11, d12, d22, d66, mx, my, hx, hy):
    ny, nx = d11.shape
    Lxx, Lyy, Lxy = naive_operators(nx, ny, hx, hy)
    a = hx * hy
    W = lambda v: sp.diags(a * v.ravel())  # noqa: E731
    K = (Lxx.T @ W(d11) @ Lxx + Lxx.T @ W(d12) @ Lyy + Lyy.T @ W(d12) @ Lxx + Lyy.T @ W(d22) @ Lyy
         + 4 * Lxy.T @ W(d66) @ Lxy)
    b = Lxx.T @ (a * mx.ravel()) + Lyy.T @ (a * my.ravel())
    return K, b


def random_fields(nx, ny, seed=0):
    rng = np.random.default_rng(seed)
    d11 = rng.uniform(1, 3, (ny, nx))
    d22 = rng.uniform(1, 3, (ny, nx))
    d12 = 0.3 * np.sqrt(d11 * d22)
    d66 = rng.uniform(0.2, 0.6, (ny, nx))
    return d11, d12, d22, d66, rng.normal(size=(ny, nx)), rng.normal(size=(ny, nx))


def test_stencil_assembly_matches_the_naive_sparse_energy():
    nx, ny, hx, hy = 9, 7, 0.7, 1.3
    d11, d12, d22, d66, mx, my = random_fields(nx, ny)
    K, b = naive_system(d11, d12, d22, d66, mx, my, hx, hy)
    S = kn.assemble(d11, d12, d22, d66, hx, hy)
    x = np.random.default_rng(1).normal(size=(ny, nx))
    xp = np.zeros((ny + 4, nx + 4))
    xp[2:-2, 2:-2] = x
    out = np.zeros_like(xp)
    kn.apply(S, xp, out)
    assert np.allclose(out[2:-2, 2:-2].ravel(), K @ x.ravel(), rtol=1e-12, atol=1e-12 * abs(K).max())
    assert np.allclose(kn.load(mx, my, hx, hy).ravel(), b, rtol=1e-12, atol=1e-14)
    # K is symmetric and annihilates exactly the rigid motions 1, x, y
    assert abs(K - K.T).max() < 1e-12 * abs(K).max()
    yy, xx = np.mgrid[0:ny, 0:nx]
    for mode in (np.ones(nx * ny), xx.ravel() * hx, yy.ravel() * hy):
        assert np.abs(K @ mode).max() < 1e-10 * abs(K).max()


def test_solver_matches_a_direct_solve():
    nx, ny, hx, hy = 14, 11, 1.0, 1.0
    d11, d12, d22, d66, mx, my = random_fields(nx, ny, seed=3)
    w, info = solve_plate(d11, d12, d22, d66, mx, my, hx, hy, rtol=1e-12)
    K, b = naive_system(d11, d12, d22, d66, mx, my, hx, hy)
    # pin three cells, solve directly, remove the rigid motion as the solver does
    keep = np.setdiff1d(np.arange(nx * ny), [0, nx - 1, nx * ny - 1])
    ref = np.zeros(nx * ny)
    ref[keep] = sp.linalg.spsolve(K.tocsc()[keep][:, keep], -b[keep])
    yy, xx = np.mgrid[0:ny, 0:nx]
    R = np.stack([np.ones(nx * ny), xx.ravel(), yy.ravel()], axis=1)
    ref -= R @ np.linalg.lstsq(R, ref, rcond=None)[0]
    assert np.allclose(w.ravel(), ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    assert info.iterations < 30


@pytest.mark.parametrize("shape", [(20, 20), (37, 12)])
def test_uniform_plate_takes_the_free_curvature_exactly(shape):
    ny, nx = shape
    ones = np.ones(shape)
    D11, D22, D12, D66, M = 2.0, 0.5, 0.3, 0.4, 1.7
    h = 1e-3
    w, _ = solve_plate(D11 * ones, D12 * ones, D22 * ones, D66 * ones, M * ones, M * ones, h, h, rtol=1e-12)
    kappa = np.linalg.solve([[D11, D12], [D12, D22]], [M, M])  # kappa = D^-1 M
    x = (np.arange(nx) + 0.5) * h
    y = (np.arange(ny) + 0.5) * h
    X, Y = np.meshgrid(x, y)
    ref = -0.5 * (kappa[0] * X**2 + kappa[1] * Y**2)
    R = np.stack([np.ones(X.size), X.ravel(), Y.ravel()], axis=1)
    ref = (ref.ravel() - R @ np.linalg.lstsq(R, ref.ravel(), rcond=None)[0]).reshape(shape)
    assert np.allclose(w, ref, rtol=0, atol=1e-9 * np.abs(ref).max())
    # rigid motion removed: zero mean, zero tilt
    assert abs(w.mean()) < 1e-12 * np.abs(w).max()
    assert abs((w * (X - X.mean())).sum()) < 1e-10 * np.abs(w).max() * np.abs(X - X.mean()).sum()


def test_estimate_on_a_uniform_laminate_reproduces_lamination_theory():
    model = SolidModel(boxes=[
        {"name": "sub", "min": [0, 0, 0], "max": [14000, 9000, 300], "material": "sub"},
        {"name": "mold", "min": [0, 0, 300], "max": [14000, 9000, 1000], "material": "mold"}],
        materials=[{"name": "sub", "E": 25, "nu": 0.2, "cte": 15},
                   {"name": "mold", "E": 20, "nu": 0.3, "cte": 10, "Tg": 150, "E_above_Tg": 1,
                    "cte_above_Tg": 40}])
    lam = [Ply(Material(name="sub", E=25, nu=0.2, cte=15), 0, 300),
           Ply(Material(name="mold", E=20, nu=0.3, cte=10, Tg=150, E_above_Tg=1, cte_above_Tg=40), 300, 1000)]
    for T in (25.0, 260.0):
        r = estimate(model, temperature=T, stress_free=175, grid=28, rtol=1e-11)
        _, k = free_response(lam, 175, T)
        assert r.curvature[0] == pytest.approx(k[0], rel=5e-3)
        assert r.curvature[1] == pytest.approx(k[1], rel=5e-3)
        assert r.curvature[0] == pytest.approx(k[0], rel=1e-7)  # in fact exact
        # corner to centre of a paraboloid: kappa / 2 * (half diagonal)^2
        half_diag2 = (7e-3) ** 2 + (4.5e-3) ** 2
        assert abs(r.signed) == pytest.approx(abs(k[0]) / 2 * half_diag2 * 1e6, rel=1e-6)
        assert r.shape == ("convex" if k[0] > 0 else "concave")


def test_iterations_do_not_grow_with_the_grid():
    its = []
    for n in (32, 128):
        x = (np.arange(n) + 0.5) / n
        X, Y = np.meshgrid(x, x)
        die = (abs(X - 0.5) < 0.25) & (abs(Y - 0.5) < 0.25)
        D = np.where(die, 20.0, 1.0)
        M = np.where(die, 1.0, -0.3)
        _, info = solve_plate(D, 0.3 * D, D, 0.35 * D, M, M, 1.0 / n, 1.0 / n, rtol=1e-8)
        its.append(info.iterations)
    assert max(its) <= 25 and its[1] <= its[0] + 4, its


def test_several_loads_at_once_equal_one_by_one():
    d11, d12, d22, d66, mx, my = random_fields(24, 18, seed=5)
    op = PlateOperator(d11, d12, d22, d66, 0.1, 0.1)
    many, _ = op.solve_many([(mx, my), (my, mx), (0 * mx, 0 * my)], rtol=1e-11)
    for w, (a, b) in zip(many, [(mx, my), (my, mx), (0 * mx, 0 * my)], strict=True):
        one, _ = op.solve(a, b, rtol=1e-11)
        assert np.allclose(w, one, atol=1e-9 * max(1.0, np.abs(one).max()))
    assert not many[2].any()


def test_node_interpolation_is_exact_for_cubics():
    x = np.arange(9) + 0.5
    y = np.arange(6) + 0.5
    f = lambda X, Y: 1 + X**3 - 2 * Y**2 * X + 0.3 * Y**3  # noqa: E731
    nodes = to_nodes(f(*np.meshgrid(x, y)))
    assert np.allclose(nodes, f(*np.meshgrid(np.arange(10.0), np.arange(7.0))), atol=1e-10)


def test_grid_convergence_of_the_map():
    """Die on substrate under mold: the warpage converges at second order with the grid."""
    w = [estimate(DATA / "package.yaml", temperature=25, grid=n).signed for n in (24, 48, 96)]
    d1, d2 = abs(w[1] - w[0]), abs(w[2] - w[1])
    order = np.log2(d1 / d2)
    assert order > 1.5, (w, order)
    assert d2 < 1e-3 * abs(w[2])


def test_cells_without_material_are_left_out():
    # an L-shaped package: the notch has no material and no map
    model = SolidModel(boxes=[
        {"name": "a", "min": [0, 0, 0], "max": [10000, 5000, 300], "material": "sub"},
        {"name": "b", "min": [0, 5000, 0], "max": [5000, 10000, 300], "material": "sub"},
        {"name": "mold_a", "min": [0, 0, 300], "max": [10000, 5000, 900], "material": "mold"},
        {"name": "mold_b", "min": [0, 5000, 300], "max": [5000, 10000, 900], "material": "mold"}],
        materials=[{"name": "sub", "E": 25, "nu": 0.2, "cte": 15},
                   {"name": "mold", "E": 20, "nu": 0.3, "cte": 9}])
    r = estimate(model, temperature=25, stress_free=175, grid=20)
    X, Y = np.meshgrid(r.x, r.y)
    notch = (X > 5100) & (Y > 5100)
    assert np.isnan(r.w[notch]).all() and np.isfinite(r.w[~notch]).all()
    assert r.warpage > 0 and np.isfinite(r.curvature).all()
