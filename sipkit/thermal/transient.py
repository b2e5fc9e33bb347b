"""Transient conduction: implicit time steps with the same multigrid-preconditioned CG.

With the heat capacity C of each cell, the semi-discrete system is
C dθ/dt = −A θ + b(t).  Steps are second-order backward differences (BDF2, with
variable step sizes) started, and restarted after every jump of the power, by a
backward Euler step; both are L-stable, so the stiff thin layers never limit the
step.  Each step solves (a₀ C / Δt + A) θⁿ⁺¹ = b(tⁿ⁺¹) − C / Δt (a₁ θⁿ + a₂ θⁿ⁻¹) to the
same residual and energy tolerances as a steady solve.

Temperature-dependent conductivities (silicon) are lagged: before a step, k(T) is
re-evaluated (and the system reassembled) once some cell has moved by more than
``k_update`` kelvin since the last evaluation, so a step never uses conductivities of
temperatures more than that far off; tested against scipy's BDF integration of the same
system with k re-evaluated at every call.

Power follows a :class:`Waveform` (a factor on the sources' power): a step, a pulse
train, or any piecewise-constant or piecewise-linear table.  A mapping from source
(die) names to waveforms drives sources independently.  The step response of a
source gives its thermal impedance Zth(t) = (T_J(t) − T_A) / P.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import DesignError
from ..units import to_internal
from . import _kernels
from .api import prepare
from .assembly import assemble, combine_faces, deposit_power, voxelize
from .grid import build_grid
from .multigrid import Multigrid
from .result import ThermalResult
from .solver import PRECISIONS, ConvergenceError, SolveInfo, cycle_dtype, pcg, solve_picard

__all__ = ["TransientResult", "Waveform", "transient"]


@dataclass(frozen=True)
class Waveform:
    """A power factor versus time (1 = the source's nominal power).

    Build one with :meth:`step`, :meth:`pulse` or :meth:`table`.

    Examples
    --------
    >>> w = Waveform.pulse(period=1e-3, duty=0.25)
    >>> w(0.0001), w(0.0004), w(0.0011)
    (1.0, 0.0, 1.0)
    """

    times: tuple
    values: tuple
    linear: bool = False
    period: float | None = None

    def __post_init__(self):
        t = np.asarray(self.times, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if t.ndim != 1 or t.size == 0 or t.size != v.size:
            raise DesignError("a waveform needs as many values as times", "waveform")
        if np.any(np.diff(t) < 0) or not np.all(np.isfinite(t)) or not np.all(np.isfinite(v)):
            raise DesignError("waveform times must be finite and increasing", "waveform")
        if np.any(v < 0):
            raise DesignError("waveform values (power factors) must not be negative", "waveform")
        object.__setattr__(self, "times", tuple(float(x) for x in t))
        object.__setattr__(self, "values", tuple(float(x) for x in v))

    @classmethod
    def step(cls, at: float = 0.0, level: float = 1.0) -> Waveform:
        """Off before `at` (s), `level` from then on."""
        return cls((0.0, to_internal(at, "time", "at")), (0.0 if at > 0 else level, level))

    @classmethod
    def pulse(cls, period, duty: float, delay=0.0, count: int | None = None, level: float = 1.0) -> Waveform:
        """A pulse train: on for duty × period at the start of every period (s)."""
        period = to_internal(period, "time", "period")
        delay = to_internal(delay, "time", "delay")
        if not period > 0 or not 0 < duty <= 1:
            raise DesignError("a pulse needs period > 0 and 0 < duty <= 1", "pulse")
        if count is None:
            return cls((0.0, delay, delay + duty * period), (0.0 if delay > 0 else level, level, 0.0),
                       period=period)
        t, v = [0.0], [0.0]
        for n in range(int(count)):
            t += [delay + n * period, delay + (n + duty) * period]
            v += [level, 0.0]
        return cls(tuple(t), tuple(v))

    @classmethod
    def table(cls, times, values, linear: bool = False) -> Waveform:
        """Given factors at given times (s): held (or linearly interpolated) between them."""
        return cls(tuple(to_internal(x, "time", f"times[{i}]") for i, x in enumerate(times)), tuple(values),
                   linear=linear)

    def __call__(self, t: float) -> float:
        """The factor at time t (s); values are held after the last time."""
        if self.period is not None and t >= self.times[1]:
            t = self.times[1] + (t - self.times[1]) % self.period
        times = self.times
        if self.linear:
            return float(np.interp(t, times, self.values))
        i = int(np.searchsorted(times, t, side="right")) - 1
        return self.values[max(i, 0)]

    def jumps(self, t_end: float) -> list[float]:
        """Times in (0, t_end) where the factor jumps (or, if linear, bends)."""
        base = [t for t in self.times if 0.0 < t < t_end]
        if self.period is not None:
            start = self.times[1]
            on = self.times[2] - start
            n = 0
            while start + n * self.period < t_end and n < 1_000_000:
                for t in (start + n * self.period, start + n * self.period + on):
                    if 0.0 < t < t_end:
                        base.append(t)
                n += 1
        return sorted(set(base))


@dataclass
class TransientResult:
    """Time series of a transient run.

    Attributes
    ----------
    times : ndarray
        Output times (s).
    dies : dict of name -> dict of arrays
        ``tj_max`` and ``tj_mean`` (°C) of each die (heat source) at the output times.
    probes : dict of name -> ndarray
        Probe temperatures (°C).
    power : ndarray
        Total power (W) at the output times.
    fields : dict of time -> ndarray
        Full temperature fields kept at the requested times.
    info : SolveInfo
        Totals: iterations, worst residual and energy balance over the steps, timings.
    final : ThermalResult
        The state at the last time, with every steady-result query.
    """

    times: np.ndarray
    dies: dict
    probes: dict
    power: np.ndarray
    ambient: float
    nominal_power: dict
    info: SolveInfo
    steps: int
    final: ThermalResult = field(repr=False, default=None)
    fields: dict = field(default_factory=dict, repr=False)

    def zth(self, name: str | None = None) -> np.ndarray:
        """Thermal impedance (T_J,max − T_A) / P_nominal (K/W) of a die versus time."""
        if name is None:
            if len(self.dies) != 1:
                raise DesignError(f"several heat sources ({', '.join(self.dies)}): name one")
            name = next(iter(self.dies))
        if name not in self.dies:
            raise DesignError(f"no heat source {name!r}; sources: {', '.join(self.dies)}")
        p = self.nominal_power[name]
        if not p > 0:
            raise DesignError(f"{name!r} has no power, so no thermal impedance")
        return (self.dies[name]["tj_max"] - self.ambient) / p

    def to_dict(self) -> dict:
        """Plain data: the time series (the transient JSON)."""
        return {
            "times_s": self.times.tolist(),
            "power_W": self.power.tolist(),
            "ambient_C": self.ambient,
            "dies": {n: {k: v.tolist() for k, v in d.items()} for n, d in self.dies.items()},
            "probes": {n: v.tolist() for n, v in self.probes.items()},
            "max_C": float(max((d["tj_max"].max() for d in self.dies.values()), default=float("nan"))),
            "energy_balance": self.info.energy_balance,
            "relative_residual": self.info.residual,
            "steps": self.steps,
            "solver": self.info.to_dict(),
        }

    def plot(self, ax=None, zth: bool = False, **options):
        """Junction temperatures (or Zth) versus time; see :mod:`.plots`."""
        from .plots import plot_transient

        return plot_transient(self, ax=ax, zth=zth, **options)


def _step_times(t_end, outputs, jumps, dt0, growth_every, dt_max):
    """Step end times: start at dt0, double every `growth_every` steps up to dt_max.

    Steps land exactly on output times and power jumps.
    """
    marks = sorted(set([*outputs, *jumps, t_end]))
    out = []
    t = 0.0
    dt = dt0
    count = 0
    for mark in marks:
        while t < mark * (1 - 1e-12):
            step = min(dt, mark - t)
            if mark - (t + step) < 0.2 * step:
                step = mark - t
            t = mark if step == mark - t else t + step
            out.append(t)
            count += 1
            if count % growth_every == 0:
                dt = min(2 * dt, dt_max)
        if mark in jumps:  # after a jump the field changes fast again
            dt = dt0
            count = 0
    return np.array(out)


def transient(design, boundary=None, *, t_end, waveform=None, power=None, ambient=None, times=None,
              dt=None, initial="ambient", resolution=None, keep_fields=(), tol: float = 1e-6,
              energy_tol: float = 1e-6, steps_per_doubling: int = 4, max_iter: int = 500,
              precision: str = "auto", board: bool = True, nonlinear: bool = True,
              k_update: float = 1.0) -> TransientResult:
    """Transient temperatures under power that varies in time.

    Parameters
    ----------
    design : Package, SolidModel, str or path
    boundary : see :func:`sipkit.thermal.solve`
    t_end : float or str
        End time (s).
    waveform : Waveform, mapping of source name to Waveform, optional
        The power factor versus time; a step at t = 0 by default.  Sources left out
        of a mapping keep their power constant.
    power : mapping, optional
        Nominal power of dies, passives or boxes (W).
    times : sequence of float, optional
        Output times (s); 60 logarithmically spaced times by default.
    dt : float, optional
        First step (s); by default t_end / 1e6, at least 1 ns.  Steps double every
        `steps_per_doubling` steps and restart small after each power jump.
    initial : "ambient", "steady" or float
        Initial field: the ambient, the steady state at the t = 0 power, or a uniform
        temperature (°C).
    keep_fields : sequence of float
        Output times whose full fields to keep (``result.fields``).
    precision : {"auto", "float32", "float64"}
        Arithmetic of the multigrid cycle (see :func:`sipkit.thermal.solve`).
    nonlinear : bool
        Let conductivities follow the temperature (``k_exponent`` cards, e.g.
        silicon), as :func:`sipkit.thermal.solve` does.
    k_update : float
        With `nonlinear`, the conductivities are re-evaluated before a step whenever
        some cell's temperature has moved by more than this (K) since they were last
        set (lagged coefficients: each step uses k at the temperatures of at most
        `k_update` ago; silicon's k changes by about 0.3 % per K).

    Returns
    -------
    TransientResult
        ``info.picard`` counts the re-evaluations of the conductivities.
    """
    if precision not in PRECISIONS:
        raise DesignError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}", "precision")
    if not k_update > 0:
        raise DesignError("k_update must be greater than zero (K)", "k_update")
    t_end = to_internal(t_end, "time", "t_end")
    if not t_end > 0:
        raise DesignError("t_end must be greater than zero", "t_end")
    model = prepare(design, boundary, power=power, ambient=ambient, board=board)
    if not model.boundaries:
        raise DesignError("the model has no boundaries: give boundary=", "boundaries")
    if times is None:
        first = t_end / 1e4
        times = np.geomspace(first, t_end, 60)
    times = np.unique(np.array([to_internal(t, "time", "times") for t in times], dtype=float))
    if times.size == 0 or times[0] <= 0 or times[-1] > t_end * (1 + 1e-12):
        raise DesignError("output times must lie in (0, t_end]", "times")
    sources = model.sources()
    if waveform is None:
        waveform = Waveform.step()
    if isinstance(waveform, Waveform):
        waves = {name: waveform for name in sources}
    elif isinstance(waveform, Mapping):
        for name in waveform:
            if name not in sources:
                raise DesignError(f"no heat source {name!r}; sources: {', '.join(sources)}", "waveform")
        waves = {name: waveform.get(name) for name in sources}
    else:
        raise DesignError("waveform must be a Waveform or a mapping of source names to Waveforms", "waveform")
    clock = {"start": time.perf_counter()}
    grid = build_grid(model, resolution)
    vox = voxelize(model, grid, nonlinear=nonlinear)
    system = assemble(vox, model)
    cap = vox.rho_cp * np.prod(np.meshgrid(*(w * 1e-6 for w in grid.widths), indexing="ij"), axis=0)
    active = vox.owner >= 0
    if np.isnan(cap[active]).any():
        bad = model.boxes[int(vox.owner[active][np.isnan(cap[active])][0])]
        raise DesignError(f"box {bad.name!r}: its material has no rho or cp, needed for a transient run",
                          "materials")
    cap[~active] = 0.0
    # power split by source: constant part and one field per driven source; the
    # boundary part of b changes when the conductivities are re-evaluated
    state = {"boundary_b": system.b - vox.power}
    fields = {}
    face_parts = {}
    constant = np.zeros(grid.shape)
    constant_faces: list = []
    source_boxes = {id(b) for boxes in sources.values() for b in boxes}
    for b in model.boxes:
        if b.power > 0 and id(b) not in source_boxes:
            deposit_power(constant, grid, b, constant_faces)
    for name, boxes in sources.items():
        f = np.zeros(grid.shape)
        flist: list = []
        for b in boxes:
            if b.power > 0:
                deposit_power(f, grid, b, flist)
        if waves[name] is None:
            constant += f
            constant_faces += flist
        else:
            fields[name] = f
            face_parts[name] = flist
    nominal = {name: float(sum(b.power for b in boxes)) for name, boxes in sources.items()}

    def b_at(t):
        out = state["boundary_b"] + constant
        for name, f in fields.items():
            w = waves[name](t)
            if w:
                out = out + w * f
        return out

    def power_at(t):
        return float(constant.sum() + sum(waves[n](t) * f.sum() for n, f in fields.items()))

    def faces_at(t):
        parts = list(constant_faces)
        for name, flist in face_parts.items():
            w = waves[name](t)
            parts += [(c, nrm, w * watts) for c, nrm, watts in flist]
        return combine_faces(parts)

    jumps = sorted({j for n in fields for j in waves[n].jumps(t_end)})
    dt0 = to_internal(dt, "time", "dt") if dt is not None else max(t_end / 1e6, 1e-9)
    steps = _step_times(t_end, times, jumps, dt0, steps_per_doubling, t_end / 20)
    # initial state
    if isinstance(initial, str) and initial == "steady":
        system.b = b_at(0.0)
        theta, system, _ = solve_picard(vox, model, system, tol=tol, energy_tol=energy_tol,
                                        max_iter=max_iter, precision=precision)
        state["boundary_b"] = system.b - vox.power
    elif isinstance(initial, str) and initial == "ambient":
        theta = np.zeros(grid.shape)
    else:
        theta = np.full(grid.shape, to_internal(initial, "temperature", "initial") - system.t_ref)
    theta[~active] = 0.0
    theta_k = None  # the field the conductivities were last set at (k(T) cells only)
    updates = 0
    dx, dy, _ = (w * 1e-6 for w in grid.widths)
    kern = _kernels.kernels(grid.size)
    outputs = {name: {"tj_max": [], "tj_mean": []} for name in sources}
    probe_out = {name: [] for name, _ in model.probes}
    power_out = []
    kept = {}
    info = SolveInfo(cells=grid.size)
    worst_res = 0.0
    worst_eb = 0.0
    prev = None
    t_prev = 0.0
    dt_prev = None
    mg_cache = {}
    out_index = 0
    keep = {float(t) for t in keep_fields}
    for n, t in enumerate(steps):
        if vox.nonlinear is not None and (theta_k is None or float(np.abs(theta - theta_k).max()) > k_update):
            vox.set_temperature(theta + system.t_ref)
            system = assemble(vox, model, faces=system.faces)
            state["boundary_b"] = system.b - vox.power
            theta_k = theta.copy()
            mg_cache.clear()
            updates += 1
        h = t - t_prev
        restart = dt_prev is None or any(t_prev - 1e-15 <= j <= t_prev + 1e-15 for j in jumps)
        if restart or prev is None:
            a0, a1, a2 = 1.0, -1.0, 0.0
        else:
            w = h / dt_prev
            a0, a1, a2 = (1 + 2 * w) / (1 + w), -(1 + w), w * w / (1 + w)
        mass = cap * (a0 / h)
        key = round(a0 / h, 12)
        if key not in mg_cache:
            mg_cache.clear()
            extra = system.extra + mass
            diag = np.empty(grid.shape)
            kern["_link_diagonal"](system.gx, system.gy, system.gz, extra, diag)
            mg = Multigrid(system.gx, system.gy, system.gz, diag, extra, dx, dy,
                           dtype=cycle_dtype(precision))
            mg_cache[key] = (diag, mg)
        diag, mg = mg_cache[key]
        rhs = b_at(t) - (cap / h) * (a1 * theta + (a2 * prev if a2 else 0.0))
        scale = float(np.abs(rhs).sum())
        x0 = theta.copy()
        try:
            new, step_info = pcg(system.gx, system.gy, system.gz, diag, rhs, mg, x0=x0, tol=tol,
                                 energy_tol=energy_tol, energy_scale=scale, max_iter=max_iter)
        except ConvergenceError as err:
            raise ConvergenceError(f"time step {n + 1} (t = {t:.3g} s): {err}") from None
        info.iterations += step_info.iterations
        worst_res = max(worst_res, step_info.residual)
        worst_eb = max(worst_eb, abs(step_info.energy_balance))
        prev, theta = theta, new
        dt_prev, t_prev = h, t
        while out_index < times.size and times[out_index] <= t * (1 + 1e-12):
            T = theta + system.t_ref
            T = np.where(active, T, np.nan)
            vox.face_power = faces_at(t)
            snap = ThermalResult(model, grid, T, info, {}, vox=vox, faces=system.faces)
            for name, d in snap.dies.items():
                outputs[name]["tj_max"].append(d.tj_max)
                outputs[name]["tj_mean"].append(d.tj_mean)
            for name, v in snap.probes.items():
                probe_out[name].append(v)
            power_out.append(power_at(t))
            if any(math.isclose(times[out_index], k, rel_tol=1e-9) for k in keep):
                kept[float(times[out_index])] = T.copy()
            out_index += 1
    info.residual = worst_res
    info.energy_balance = worst_eb
    info.picard = updates
    info.times = {"total": time.perf_counter() - clock["start"]}
    T = np.where(active, theta + system.t_ref, np.nan)
    system.b = b_at(t_end)
    vox.face_power = faces_at(t_end)
    final = ThermalResult(model, grid, T, info, {}, vox=vox, faces=system.faces)
    dies = {n: {k: np.array(v) for k, v in d.items()} for n, d in outputs.items()}
    return TransientResult(times=times, dies=dies,
                           probes={n: np.array(v) for n, v in probe_out.items()}, power=np.array(power_out),
                           ambient=model.ambient, nominal_power=nominal, info=info, steps=len(steps),
                           final=final, fields=kept)
