"""Warpage as a function of temperature: the plate solved per Tg interval.

With piecewise-constant properties the incremental law of :mod:`.laminate` makes the
deflection at T an integral of a piecewise-constant rate:

    w(T) = ∫_{T0}^{T} ẇ(T') dT' = Σ_k ΔT_k(T) K_k⁻¹ b_k,

where interval k (between consecutive Tg's) has the plate operator K_k (its cells'
bending stiffness) and the load b_k (their thermal moments per kelvin).  Intervals where
only a CTE steps share an operator, and the plate is linear, so:

* one temperature costs one solve per distinct operator (the loads of the intervals
  sharing it are summed with their ΔT first);
* a whole profile costs one solve per interval (a *rate* map each), after which any
  temperature is a weighted sum of rate maps; the intervals sharing an operator are
  solved together (one pass over the operator serves all of them).

Each cell's laminate enters the plate through its reduced bending stiffness
D* = D − B A⁻¹ B and thermal moment M* = M − B A⁻¹ N: the cell bends as a free
laminate when it stands alone, and the plate makes neighbouring cells' curvatures
compatible.  In-plane forces between cells of different free expansion (a die region
inside a mold-only region) are not carried over into moments; see the validation
notes in ``tests/data/warpage-fe/README.md``.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from .plate import PlateOperator, to_nodes
from .stack import StackGrid

__all__ = ["ThermalResponse"]

UM = 1e-6
#: Stiffness given to cells without material, relative to the stiffest cell.
EMPTY_STIFFNESS = 1e-6


@dataclass
class _Interval:
    lo: float
    hi: float
    group: int  # index of the operator
    load: np.ndarray  # thermal moment per kelvin (N/K), (ny, nx)
    kappa: np.ndarray  # free curvature per kelvin (1/(m K)), NaN outside
    rate: np.ndarray | None = None  # deflection per kelvin (m/K)
    iterations: int = 0


@dataclass
class ThermalResponse:
    """Deflection maps of a stack at temperatures in a range; build it with :meth:`solve`.

    Attributes
    ----------
    stack : StackGrid
    stress_free : float
        Stress-free temperature (°C).
    lo, hi : float
        Temperature range covered (°C).
    seconds : float
        Time spent in plate solves and setup.
    solves : int
        Right-hand sides solved.
    """

    stack: StackGrid
    stress_free: float
    lo: float
    hi: float
    rtol: float = 1e-8
    intervals: list = field(default_factory=list)
    seconds: float = 0.0
    solves: int = 0
    iterations: list = field(default_factory=list)
    _groups: list = field(default_factory=list, repr=False)  # (d11, d12, d66, operator or None)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def solve(cls, stack: StackGrid, stress_free: float, temperatures, rtol: float = 1e-8,
              rates: bool | None = None) -> ThermalResponse:
        """Prepare the intervals between `stress_free` and `temperatures` and solve.

        With `rates` (default: more than one distinct temperature) every interval's rate
        map is solved, so that any temperature in the range is cheap afterwards;
        otherwise only the temperatures given are solved.
        """
        temps = sorted({float(T) for T in np.atleast_1d(np.asarray(temperatures, dtype=float))})
        out = cls.prepare(stack, stress_free, min(temps[0], stress_free), max(temps[-1], stress_free), rtol)
        if rates is None:
            rates = len(temps) > 1
        if rates:
            out._solve_rates()
        else:
            out.deflections(temps)
        return out

    @classmethod
    def prepare(cls, stack: StackGrid, stress_free: float, lo: float, hi: float,
                rtol: float = 1e-8) -> ThermalResponse:
        """The intervals of [lo, hi] and their loads, nothing solved yet."""
        t0 = time.perf_counter()
        out = cls(stack, float(stress_free), float(lo), float(hi), rtol=rtol)
        out._prepare()
        out.seconds += time.perf_counter() - t0
        return out

    # -- setup ----------------------------------------------------------------------------
    def _prepare(self) -> None:
        stack = self.stack
        edges = [self.lo, *stack.breakpoints(self.lo, self.hi), self.hi]
        valid = stack.valid
        for a, b in itertools.pairwise(edges):
            if b <= a:
                continue
            sD, dD, m = stack.laminate(0.5 * (a + b)).reduced()
            floor = EMPTY_STIFFNESS * float(sD[valid].max())
            with np.errstate(divide="ignore", invalid="ignore"):
                kappa = np.where(valid, m / np.where(valid, sD, 1.0), np.nan)
            sD = np.where(valid, np.maximum(sD, floor), floor)
            dD = np.where(valid, np.maximum(dD, floor), floor)
            d11, d12 = 0.5 * (sD + dD), 0.5 * (sD - dD)
            g = next((n for n, (e11, e12, _, _) in enumerate(self._groups)
                      if np.array_equal(e11, d11) and np.array_equal(e12, d12)), None)
            if g is None:
                g = len(self._groups)
                self._groups.append((d11, d12, 0.5 * dD, None))
            self.intervals.append(_Interval(a, b, g, m, kappa))

    def _operator(self, g: int) -> PlateOperator:
        d11, d12, d66, op = self._groups[g]
        if op is None:
            hx, hy = (h * UM for h in self.stack.cell_size)
            op = PlateOperator(d11, d12, d11, d66, hx, hy)
            self._groups[g] = (d11, d12, d66, op)
        return op

    def _release(self, g: int) -> None:
        """Drop operator `g` (its multigrid hierarchy is the bulk of the memory)."""
        d11, d12, d66, _ = self._groups[g]
        self._groups[g] = (d11, d12, d66, None)

    def _solve_rates(self) -> None:
        t0 = time.perf_counter()
        for g in range(len(self._groups)):
            items = [iv for iv in self.intervals if iv.group == g and iv.rate is None]
            if not items:
                continue
            rates, infos = self._operator(g).solve_many([(iv.load, iv.load) for iv in items], rtol=self.rtol)
            self._release(g)
            for iv, w, info in zip(items, rates, infos, strict=True):
                iv.rate, iv.iterations = w, info.iterations
                self.iterations.append(info.iterations)
            self.solves += len(items)
        self.seconds += time.perf_counter() - t0

    # -- evaluation -------------------------------------------------------------------------
    def _weights(self, T: float) -> list[float]:
        """Kelvins of each interval between the stress-free temperature and T (signed)."""
        lo, hi = min(self.stress_free, T), max(self.stress_free, T)
        sign = 1.0 if T >= self.stress_free else -1.0
        return [sign * max(0.0, min(hi, iv.hi) - max(lo, iv.lo)) for iv in self.intervals]

    def covers(self, T: float) -> bool:
        """Whether T lies in the solved range."""
        return self.lo - 1e-9 <= T <= self.hi + 1e-9

    def deflections(self, temperatures, nodes: bool = False) -> list[np.ndarray]:
        """Deflection maps (µm, z up, rigid motion removed) at several temperatures.

        With `nodes`, on the grid's nodes (see :func:`~sipkit.warpage.plate.to_nodes`).
        """
        temps = [float(T) for T in temperatures]
        for T in temps:
            if not self.covers(T):
                raise ValueError(f"temperature {T} °C outside the solved range [{self.lo}, {self.hi}]")
        if all(iv.rate is not None for iv in self.intervals):
            if nodes and "node_rates" not in self._cache:
                self._cache["node_rates"] = [to_nodes(iv.rate) for iv in self.intervals]
            rates = self._cache["node_rates"] if nodes else [iv.rate for iv in self.intervals]
            out = []
            for T in temps:
                ny, nx = self.stack.shape
                w = np.zeros((ny + 1, nx + 1) if nodes else (ny, nx))
                for k, rate in zip(self._weights(T), rates, strict=True):
                    if k:
                        w += k * rate
                out.append(w / UM)
            return out
        todo = [T for T in dict.fromkeys(temps) if T not in self._cache]
        if todo:
            t0 = time.perf_counter()
            total = {T: np.zeros(self.stack.shape) for T in todo}
            for g in range(len(self._groups)):
                loads = []
                for T in todo:
                    m = np.zeros(self.stack.shape)
                    for k, iv in zip(self._weights(T), self.intervals, strict=True):
                        if k and iv.group == g:
                            m += k * iv.load
                    loads.append(m)
                if not any(m.any() for m in loads):
                    continue
                ws, infos = self._operator(g).solve_many([(m, m) for m in loads], rtol=self.rtol)
                self._release(g)
                for T, w, info in zip(todo, ws, infos, strict=True):
                    total[T] += w
                    self.iterations.append(info.iterations)
                self.solves += len(todo)
            for T in todo:
                self._cache[T] = total[T] / UM
            self.seconds += time.perf_counter() - t0
        return [to_nodes(self._cache[T]) if nodes else self._cache[T] for T in temps]

    def deflection(self, T: float) -> np.ndarray:
        """Deflection map at T (µm), z up, rigid motion removed."""
        return self.deflections([T])[0]

    def free_curvature(self, T: float) -> np.ndarray:
        """Curvature each cell's laminate would take alone at T (1/m, κx = κy, convex > 0)."""
        out = np.zeros(self.stack.shape)
        for k, iv in zip(self._weights(T), self.intervals, strict=True):
            if k:
                out += k * iv.kappa
        return np.where(self.stack.valid, out, np.nan)

    def extended(self, T: float) -> ThermalResponse:
        """Itself when it covers T, else a new response over a range that does."""
        if self.covers(T):
            return self
        return ThermalResponse.prepare(self.stack, self.stress_free, min(self.lo, T), max(self.hi, T),
                                       self.rtol)
