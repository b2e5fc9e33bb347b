"""Grid, assembly, multigrid and conjugate gradients: the pieces of the thermal solver."""

import dataclasses

import numpy as np
import pytest

import sipkit.thermal as th
from sipkit.errors import DesignError, MaterialError
from sipkit.materials import Material
from sipkit.solid import Boundary, Contact, Region, SolidBox, SolidModel
from sipkit.thermal import _kernels
from sipkit.thermal.assembly import assemble, voxelize
from sipkit.thermal.multigrid import Multigrid

MATS = (Material(name="si", k=148.0, rho=2330, cp=705), Material(name="sub", k=(20.0, 20.0, 0.6)),
        Material(name="mold", k=0.9), Material(name="cu", k=385.0), Material(name="al", k=200.0))


def _model(**changes):
    boxes = (
        SolidBox(name="sub", min=(0, 0, 0), max=(6000, 5000, 400), material="sub"),
        SolidBox(name="plane", min=(0, 0, 400), max=(6000, 5000, 415), material="cu"),
        SolidBox(name="mold", min=(0, 0, 415), max=(6000, 5000, 1100), material="mold"),
        SolidBox(name="die", min=(1500, 1000, 450), max=(4000, 3500, 750), material="si", power=1.5,
                 power_on="top", role="die"),
    )
    base = dict(name="m", boxes=boxes, materials=MATS,
                boundaries=(Boundary(face="+z", h=50.0), Boundary(face="-z", h=800.0)))
    base.update(changes)
    return SolidModel(**base)


def test_grid_snaps_to_every_face_and_grades():
    model = _model()
    grid = th.build_grid(model)
    for b in model.boxes:
        for a, e in enumerate(grid.edges):
            assert np.min(np.abs(e - b.min[a])) < 1e-9 and np.min(np.abs(e - b.max[a])) < 1e-9
    for e in grid.edges[:2]:
        w = np.diff(e)
        ratio = np.maximum(w[1:] / w[:-1], w[:-1] / w[1:])
        assert ratio.max() < 1.3 * 1.15  # growth, with slack at interval ends
    # the 15 µm plane gets its own cell; refining divides the cells
    z = grid.z
    assert np.any(np.isclose(z, 400.0)) and np.any(np.isclose(z, 415.0))
    assert th.build_grid(model, {"refine": 2.0}).size > 4 * grid.size
    # a thin top cell at the powered face
    assert z[-1] > 750 and np.diff(z)[np.searchsorted(z, 750.0) - 1] <= 0.1 * 300 + 1e-9


def test_resolution_errors_name_the_field():
    with pytest.raises(DesignError, match="growth: must be greater than 1"):
        th.Resolution(growth=1.0)
    with pytest.raises(DesignError, match="max_cell"):
        th.Resolution(max_cell="2 kg")
    with pytest.raises(DesignError, match="more than 1,000"):
        th.build_grid(_model(), {"max_total": 1000})


def test_voxels_override_in_order_and_keep_power_with_its_region():
    model = _model()
    grid = th.build_grid(model)
    vox = voxelize(model, grid)
    i, j, k = grid.locate((2000, 2000, 600))
    assert model.boxes[vox.owner[i, j, k]].name == "die" and vox.kz[i, j, k] == 148.0
    i, j, k = grid.locate((500, 500, 600))
    assert model.boxes[vox.owner[i, j, k]].name == "mold"
    assert vox.power.sum() == pytest.approx(1.5, rel=1e-12)
    # power on the top face sits in the top layer of die cells
    ks = np.nonzero(vox.power.sum(axis=(0, 1)))[0]
    assert ks.size == 1 and np.isclose(grid.z[ks[0] + 1], 750.0)
    # a later box with power over mold keeps all its power
    over = _model(boxes=(*_model().boxes, SolidBox(name="cover", min=(0, 0, 700), max=(6000, 5000, 800),
                                                    material="mold")))
    assert voxelize(over, th.build_grid(over)).power.sum() == pytest.approx(1.5, rel=1e-12)


@pytest.mark.parametrize("sweeps", [(2, 1, 2), 2, (1, 3)])
def test_multigrid_is_a_symmetric_positive_preconditioner(sweeps):
    model = _model()
    grid = th.build_grid(model)
    system = assemble(voxelize(model, grid), model)
    dx, dy, _ = (w * 1e-6 for w in grid.widths)
    mg = Multigrid(system.gx, system.gy, system.gz, system.diag, system.extra, dx, dy, sweeps=sweeps)
    assert mg.nlevels >= 3
    rng = np.random.default_rng(0)
    u, v = rng.random(grid.shape), rng.random(grid.shape)
    mu, mv = np.empty(grid.shape), np.empty(grid.shape)
    mg.apply(u, mu)
    mg.apply(v, mv)
    assert np.vdot(mu, v) == pytest.approx(np.vdot(u, mv), rel=1e-11)
    assert np.vdot(mu, u) > 0
    # as a stationary iteration the V-cycle converges on this layered package
    e = rng.random(grid.shape)
    e[system.vox.owner < 0] = 0
    ae, z = np.zeros(grid.shape), np.zeros(grid.shape)
    kern = _kernels.kernels(grid.size)
    for _ in range(20):
        kern["_matvec_dot"](e, system.gx, system.gy, system.gz, system.diag, ae)
        mg.apply(ae, z)
        norm0 = np.abs(e).max()
        e -= z
    assert np.abs(e).max() / norm0 < 0.7


def test_multigrid_sweeps_must_be_positive():
    model = _model()
    grid = th.build_grid(model)
    system = assemble(voxelize(model, grid), model)
    dx, dy, _ = (w * 1e-6 for w in grid.widths)
    with pytest.raises(ValueError, match="sweeps must be at least 1"):
        Multigrid(system.gx, system.gy, system.gz, system.diag, system.extra, dx, dy, sweeps=(2, 0))


def test_few_iterations_on_thin_layers_with_strong_contrasts():
    # 15 µm copper and 20 µm dielectric layers under 200 µm cells: aspect ratios over 10
    layers = [("cu", 15.0, "cu"), ("d", 20.0, "mold")] * 6
    boxes, z = [], 0.0
    for n, (name, t, mat) in enumerate(layers):
        boxes.append(SolidBox(name=f"{name}{n}", min=(0, 0, z), max=(8000, 8000, z + t), material=mat))
        z += t
    boxes.append(SolidBox(name="die", min=(3000, 3000, z), max=(5000, 5000, z + 200), material="si",
                          power=1.0,
                          power_on="top", role="die"))
    model = SolidModel(name="thin", boxes=tuple(boxes), materials=MATS,
                       boundaries=(Boundary(face="-z", h=1000.0),))
    res = th.solve(model, resolution=200.0)
    grid = res.grid
    aspect = np.diff(grid.x).max() / np.diff(grid.z).min()
    assert aspect > 10
    assert res.info.iterations <= 15


def test_non_convergence_raises_and_never_returns_a_field():
    with pytest.raises(th.ConvergenceError, match="did not converge in 2 iterations"):
        th.solve(_model(), max_iter=2)
    with pytest.raises(th.ConvergenceError):
        th.solve(_model(), tol=1e-17, max_iter=30)
    err = th.ConvergenceError("x")
    assert isinstance(err, ArithmeticError)


def test_isolated_box_and_missing_boundaries_are_reported():
    floating = SolidBox(name="floating", min=(0, 0, 2000), max=(100, 100, 2100), material="si", power=0.1)
    bottom = Boundary(face="-z", h=800.0, where=Region(min=(0, 0, 0), max=(6000, 5000, 0)))
    with pytest.raises(DesignError, match="'floating' have no conduction path"):
        th.solve(_model(boxes=(*_model().boxes, floating), boundaries=(bottom,)))
    # cooled on its own faces it is fine
    assert th.solve(_model(boxes=(*_model().boxes, floating))).boxes["floating"]["max_C"] > 25
    with pytest.raises(DesignError, match="no boundaries"):
        th.solve(_model(boundaries=()))
    with pytest.raises(MaterialError, match=r"material 'nok' \(box 'x'\) has no thermal conductivity k"):
        th.solve(_model(materials=(*MATS, Material(name="nok", E=1.0)), boxes=(
            *_model().boxes, SolidBox(name="x", min=(0, 0, 1100), max=(10, 10, 1200), material="nok"))))


def test_fixed_temperature_where_and_outermost():
    # a cold plate on the top only over part of the model
    plate = Boundary(face="+z", T=30.0, where=Region(min=(0, 0, 0), max=(3000, 5000, 2000)), name="plate")
    res = th.solve(_model(boundaries=(plate,)))
    assert res.heat_out["plate"] == pytest.approx(1.5, rel=1e-6)
    assert res.temperature_at((1000, 2500, 1100)) == pytest.approx(30.0, abs=1e-9)
    assert res.temperature_at((5000, 2500, 1100)) > 30.5
    # outermost: only the top plane of the model, not the top of the die under the mold
    top = Boundary(face="+z", T=30.0, outermost=True)
    assert th.solve(_model(boundaries=(top,))).heat_out["+z T=30"] == pytest.approx(1.5, rel=1e-6)


def test_contact_resistance_adds_in_series():
    # a 1-D column: die on a plate, bottom fixed; the contact adds R * q to the rise
    width = 1000.0
    boxes = (SolidBox(name="plate", min=(0, 0, 0), max=(width, width, 500), material="al"),
             SolidBox(name="die", min=(0, 0, 500), max=(width, width, 800), material="si", power=1.0,
                      power_on="top"))
    base = SolidModel(name="c", boxes=boxes, materials=MATS, boundaries=(Boundary(face="-z", T=25.0),))
    r = 2e-5  # m²K/W
    with_contact = dataclasses.replace(base, contacts=(Contact(between=("plate", "die"), resistance=r),))
    t0 = th.solve(base, nonlinear=False, tol=1e-10).dies["die"].tj_max
    t1 = th.solve(with_contact, nonlinear=False, tol=1e-10).dies["die"].tj_max
    q = 1.0 / (width * 1e-6) ** 2
    assert t1 - t0 == pytest.approx(r * q, rel=1e-9)
    assert Contact(between=("a", "b"), resistance="20 K*mm**2/W").resistance == pytest.approx(2e-5)


def test_fin_array_converges():
    base = SolidBox(name="base", min=(0, 0, 0), max=(10000, 10000, 2000), material="al")
    src = SolidBox(name="src", min=(4000, 4000, -300), max=(6000, 6000, 0), material="si", power=10.0,
                   power_on="bottom", role="die")
    fins = tuple(SolidBox(name=f"fin{i}", min=(i * 1100.0, 0, 2000), max=(i * 1100.0 + 800, 10000, 15000),
                          material="al") for i in range(9))
    model = SolidModel(name="sink", boxes=(base, src, *fins), materials=MATS,
                       boundaries=(Boundary(face="all", h=30.0),))
    res = th.solve(model)
    assert abs(res.info.energy_balance) <= 1e-6 and res.info.iterations < 80
    assert res.heat_out["all h=30"] == pytest.approx(10.0, rel=1e-6)
