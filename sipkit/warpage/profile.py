"""Reflow profiles and allowed warpage bands (``thermal/`` data folder), and warpage curves.

A reflow profile preset (``thermal/reflow-jedec-pbfree.yaml``)::

    kind: reflow-profile
    name: jedec-pbfree
    title: IPC/JEDEC J-STD-020 Pb-free classification profile
    points: [[0, 25], [60, 150], ...]     # [time s, temperature °C], piecewise linear
    samples: 50                           # temperatures at which warpage is evaluated

Warpage is evaluated at `samples` temperatures spread evenly along the temperature path
(heating and cooling alike, the start, the peak and the end always included).  The
model is elastic and rate-independent, so only the temperatures matter, and the
cooling branch retraces the heating branch (no cure shrinkage, no viscoelastic
relaxation, no moisture).

The allowed bands (``thermal/warpage-limits.yaml``)::

    kind: warpage-limits
    units: mm                             # pitches, balls and limits
    standards:
      - name: jeita-ed-7306
        bands:
          - {pitch: 0.8, concave: 0.17, convex: 0.17, source: "..."}

A band is chosen by the ball pitch: the row of the largest tabulated pitch not above
the package's (finer pitches have tighter limits, so this is the conservative row).
The band applies at every temperature of the profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._schema import Spec, choice, integer, many, quantity, read_fields, table, text
from .._source import Cursor, read_document
from ..errors import DesignError
from .result import Band

__all__ = ["LimitRow", "LimitStandard", "ReflowProfile", "WarpageLimits", "WarpageProfile",
           "available_profiles", "load_limits", "load_profile"]

PROFILE_KIND = "reflow-profile"
LIMITS_KIND = "warpage-limits"
LIMITS_FILE = "warpage-limits"
DEFAULT_PROFILE = "reflow-jedec-pbfree"
DEFAULT_STANDARD = "jeita-ed-7306"


def _folder() -> Path:
    from .._resources import data_folder

    return data_folder("thermal")


@dataclass(frozen=True)
class ReflowProfile(Spec):
    """A temperature profile: time-temperature points and how many temperatures to evaluate.

    Parameters
    ----------
    name : str
    points : list of (time s, temperature °C)
        Piecewise-linear profile, times increasing.
    samples : int
        Temperatures at which warpage is evaluated (at least 2).
    title, description : str, optional
    sources : mapping, optional
    """

    name: str = text()
    points: tuple = ()
    samples: int = integer(50, min=2)
    title: str | None = text(None)
    description: str | None = text(None)
    sources: tuple | None = table("text")
    kind: str = choice((PROFILE_KIND,), PROFILE_KIND)

    def _validate(self):
        pts = []
        for i, p in enumerate(self.points):
            try:
                t, T = (float(v) for v in p)
            except (TypeError, ValueError):
                raise DesignError(f"expected [time, temperature], got {p!r}", f"points[{i}]") from None
            if not (np.isfinite(t) and np.isfinite(T)):
                raise DesignError(f"expected finite numbers, got {p!r}", f"points[{i}]")
            if pts and t <= pts[-1][0]:
                raise DesignError(f"times must increase, got {t:g} s after {pts[-1][0]:g} s", f"points[{i}]")
            pts.append((t, T))
        if len(pts) < 2:
            raise DesignError("a profile needs at least two [time, temperature] points", "points")
        object.__setattr__(self, "points", tuple(pts))

    @classmethod
    def _from_cursor(cls, cur: Cursor):
        kwargs = read_fields(cls, cur, skip=("points", "units"))
        pts = []
        for c in cur["points"].sequence("a list of [time, temperature] points"):
            items = c.sequence("a point [time, temperature]")
            if len(items) != 2:
                raise c.error(f"expected [time, temperature], got {len(items)} values")
            pts.append((items[0].quantity("time"), items[1].quantity("temperature")))
        return cur.build(cls, points=tuple(pts), **kwargs)

    @property
    def peak(self) -> float:
        """Highest temperature (°C)."""
        return max(T for _, T in self.points)

    def sample(self, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(times s, temperatures °C) of `n` points evenly spaced along the temperature path.

        The first point, the last point and the peak are always included.

        Examples
        --------
        >>> p = ReflowProfile(name="p", points=[(0, 25), (100, 225), (200, 25)], samples=5)
        >>> p.sample()[1].tolist()
        [25.0, 125.0, 225.0, 125.0, 25.0]
        """
        n = self.samples if n is None else int(n)
        if n < 2:
            raise DesignError(f"need at least two samples, got {n}", "samples")
        t = np.array([p[0] for p in self.points])
        T = np.array([p[1] for p in self.points])
        path = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(T)))])
        if path[-1] == 0:
            times = np.linspace(t[0], t[-1], n)
            return times, np.interp(times, t, T)
        k = int(np.argmax(T))
        s = np.linspace(0.0, path[-1], n)
        # snap the sample nearest the peak onto it
        s[int(np.argmin(np.abs(s - path[k])))] = path[k]
        s = np.unique(s)
        times = np.interp(s, path, t)
        temps = np.interp(s, path, T)
        return times, temps


@dataclass(frozen=True)
class LimitRow(Spec):
    """One row of a limit table: the band for a ball pitch (lengths in µm inside)."""

    pitch: float = quantity("length", positive=True)
    concave: float = quantity("length", min=0.0)
    convex: float = quantity("length", min=0.0)
    ball: float | None = quantity("length", None, positive=True)
    size: str | None = text(None)
    source: str | None = text(None)


@dataclass(frozen=True)
class LimitStandard(Spec):
    """A named standard with its limit rows."""

    name: str = text()
    bands: tuple = many(LimitRow)
    title: str | None = text(None)
    applies: str | None = text(None)

    def _validate(self):
        if not self.bands:
            raise DesignError("a standard needs at least one band", "bands")

    def band(self, pitch: float) -> Band:
        """The band for a ball `pitch` (µm): the row of the largest tabulated pitch ≤ `pitch`."""
        rows = sorted(self.bands, key=lambda r: r.pitch)
        fit = [r for r in rows if r.pitch <= pitch * (1 + 1e-9)]
        if not fit:
            raise DesignError(f"{self.name} has no band for a ball pitch of {pitch:g} µm (tabulated: "
                              f"{', '.join(f'{r.pitch:g}' for r in rows)} µm); give the limits yourself",
                              "pitch")
        row = fit[-1]
        return Band(lower=-row.concave, upper=row.convex, standard=self.name, pitch=pitch, source=row.source)


@dataclass(frozen=True)
class WarpageLimits(Spec):
    """Allowed warpage bands of one or more standards."""

    standards: tuple = many(LimitStandard)
    name: str = text(LIMITS_FILE)
    title: str | None = text(None)
    description: str | None = text(None)
    sources: tuple | None = table("text")
    kind: str = choice((LIMITS_KIND,), LIMITS_KIND)

    def _validate(self):
        names = [s.name for s in self.standards]
        if not names:
            raise DesignError("no standards", "standards")
        for i, n in enumerate(names):
            if n in names[:i]:
                raise DesignError(f"duplicate standard {n!r}", f"standards[{i}].name")

    def standard(self, name: str) -> LimitStandard:
        """The standard called `name`."""
        for s in self.standards:
            if s.name == name:
                return s
        raise DesignError(f"unknown warpage standard {name!r}; known: "
                          f"{', '.join(s.name for s in self.standards)}", "standard")


def _document(name_or_path, kind: str, folder_name: str | None = None) -> Cursor:
    path = Path(os.fspath(name_or_path))
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        candidate = _folder() / f"{name_or_path}.yaml"
        if not candidate.exists():
            known = ", ".join(available_profiles()) if kind == PROFILE_KIND else folder_name
            raise DesignError(f"unknown {kind} preset {str(name_or_path)!r}; built-in: {known} "
                              "(or give a .yaml file)")
        path = candidate
    root = read_document(path)
    root.mapping(f"a {kind} file")
    root.read_header()
    if root.has("kind") and root["kind"].value != kind:
        raise root["kind"].error(f"expected a {kind} file, got kind {root['kind'].value!r}")
    return root


def available_profiles() -> list[str]:
    """Names of the built-in reflow-profile presets (file names in ``thermal/``)."""
    out = []
    for file in sorted(_folder().glob("*.yaml")):
        root = read_document(file)
        if root.has("kind") and root["kind"].value == PROFILE_KIND:
            out.append(file.stem)
    return out


def load_profile(name_or_path=DEFAULT_PROFILE) -> ReflowProfile:
    """A reflow profile by built-in name (``reflow-jedec-pbfree``) or from a file.

    Raises
    ------
    DesignError
        For an unknown name or a bad file, naming file, line and field.
    """
    if isinstance(name_or_path, ReflowProfile):
        return name_or_path
    root = _document(name_or_path, PROFILE_KIND)
    return ReflowProfile._from_cursor(root)


def load_limits(name_or_path=LIMITS_FILE) -> WarpageLimits:
    """The allowed-warpage tables (built-in ``warpage-limits``) or a file of the same form."""
    if isinstance(name_or_path, WarpageLimits):
        return name_or_path
    root = _document(name_or_path, LIMITS_KIND, LIMITS_FILE)
    kwargs = read_fields(WarpageLimits, root, skip=("units", "sipkit"))
    return root.build(WarpageLimits, **kwargs)


@dataclass(eq=False)
class WarpageProfile:
    """Warpage across a temperature profile.

    Attributes
    ----------
    name : str
        Profile name.
    times, temperatures : ndarray
        Sample times (s; NaN for a plain list of temperatures) and temperatures (°C).
    signed, warpage : ndarray
        Signed warpage and coplanarity (µm) at each temperature.
    shapes : list of str
    kx, ky : ndarray
        Curvatures (1/m, convex > 0).
    band : Band or None
    """

    name: str
    times: np.ndarray
    temperatures: np.ndarray
    signed: np.ndarray
    warpage: np.ndarray
    shapes: list
    kx: np.ndarray
    ky: np.ndarray
    band: Band | None = None

    @property
    def passed(self) -> bool | None:
        """Whether every temperature is inside the band (None without a band)."""
        if self.band is None:
            return None
        return bool(np.all((self.signed >= self.band.lower) & (self.signed <= self.band.upper)))

    @property
    def worst(self) -> int:
        """Index of the largest coplanarity (the first one on ties)."""
        return int(np.argmax(self.warpage))

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        return {"name": self.name,
                "time_s": [None if not np.isfinite(t) else float(t) for t in self.times],
                "temperature_C": self.temperatures.tolist(), "warpage_um": self.signed.tolist(),
                "coplanarity_um": self.warpage.tolist(), "shape": list(self.shapes),
                "curvature_per_m": [[float(a), float(b)] for a, b in zip(self.kx, self.ky, strict=True)],
                "worst_temperature_C": float(self.temperatures[self.worst]), "pass": self.passed}

    def summary(self) -> str:
        """Text table of the curve."""
        lines = [f"  profile {self.name}: {self.temperatures.size} temperatures"]
        if self.band is not None:
            pitch = f", pitch {self.band.pitch:g} µm" if self.band.pitch else ""
            lines[0] += (f", allowed [{self.band.lower:+.0f}, {self.band.upper:+.0f}] µm "
                         f"({self.band.standard}{pitch})")
        lines.append(f"  {'t (s)':>7s} {'T (°C)':>7s} {'warpage (µm)':>13s}  shape")
        for t, T, s, sh in zip(self.times, self.temperatures, self.signed, self.shapes, strict=True):
            flag = "" if self.band is None or self.band.contains(s) else "  OUTSIDE"
            tt = f"{t:7.0f}" if np.isfinite(t) else f"{'':>7s}"
            lines.append(f"  {tt} {T:7.1f} {s:+13.2f}  {sh}{flag}")
        if self.band is not None:
            lines.append(f"  result: {'PASS' if self.passed else 'FAIL'}")
        return "\n".join(lines)
