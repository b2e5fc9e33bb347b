"""Wire bond or flip chip? A per-die recommendation with the numbers behind it.

Each die is judged on six criteria; each gives a verdict (``wire_bond``, ``flip_chip``,
``either`` or ``unknown``), a strength (``required``, ``preferred`` or ``neutral``) and
the value and limit it compared:

``frequency``
    A series inductance L in a matched line of impedance Z0 reflects
    ``|Γ| ≈ ωL / (2 Z0)``; keeping |Γ| below `max_reflection` gives the inductance budget
    ``L_max = 2 Z0 |Γ|max / (2π f)`` (0.32 nH at 5 GHz for 50 Ω and 0.1).  A die whose
    wires (the longest one; an estimated wire for a flip-chip die) exceed it requires
    flip chip.
``io``
    I/O count (pads or bumps) against the peripheral pad capacity,
    ``perimeter / pad pitch × rows``: more I/O than fits around the edge requires an
    area array (flip chip).
``height``
    Top of the wire loops (plus a mold clearance) against the height budget (the top
    mold cap's top unless given): loops that do not fit require flip chip.
``thermal``
    Power density against a limit for the face-up (wire-bond) path through the die
    attach: above it, flip chip is preferred, which exposes the die back to a lid or
    heat sink.
``cost``
    Few I/O at low or medium volume favour wire bonding (no bumping, mature, cheap);
    many I/O favour flip chip (lower cost per I/O, smaller package).
``rework``
    Rework favours flip chip (a die can be reflowed off before underfill; bonded wires
    cannot be undone); known-good-die testing favours wire bonding (peripheral pads are
    probed with ordinary probe cards).

The recommendation is flip chip if any criterion requires it, otherwise the side with
more preferences, otherwise ``either``.  The thresholds are rules of thumb kept in
:class:`AdvisorRules`; change them to your process.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from ..errors import DesignError
from .parasitics import straight_wire_inductance

__all__ = ["AdvisorRules", "Criterion", "DieAdvice", "advise", "inductance_budget"]

VOLUMES = ("low", "medium", "high")


@dataclass(frozen=True)
class AdvisorRules:
    """Thresholds of the advisor (lengths µm, power density W/cm², inductance nH).

    Attributes
    ----------
    z0 : float
        Line impedance (Ω).
    max_reflection : float
        Largest acceptable reflection coefficient of the wire.
    wire_pad_pitch : float
        Finest wire-bond pad pitch of the process.
    pad_rows : int
        Pad rows along each edge (2 for staggered pads).
    bump_pitch : float
        Area-array pitch assumed for a wire-bonded die turned flip chip.
    loop_height : float
        Loop height assumed for a flip-chip die turned wire bonded.
    wire_length : float
        Horizontal wire length assumed for a flip-chip die turned wire bonded.
    wire_diameter : float
        Wire diameter assumed there.
    mold_clearance : float
        Mold above the highest loop.
    attach_thickness, bump_height : float
        Die attach and bump height of the alternative attachment.
    power_density : float
        Limit of the face-up path (W/cm²).
    io_wire_bond, io_flip_chip : int
        At or below the first, cost favours wire bonding (low/medium volume); at or
        above the second, flip chip.
    """

    z0: float = 50.0
    max_reflection: float = 0.1
    wire_pad_pitch: float = 40.0
    pad_rows: int = 2
    bump_pitch: float = 150.0
    loop_height: float = 150.0
    wire_length: float = 1000.0
    wire_diameter: float = 25.0
    mold_clearance: float = 75.0
    attach_thickness: float = 20.0
    bump_height: float = 60.0
    power_density: float = 20.0
    io_wire_bond: int = 200
    io_flip_chip: int = 500


@dataclass(frozen=True)
class Criterion:
    """One criterion of a die's advice."""

    name: str
    verdict: str
    strength: str
    value: float | None
    limit: float | None
    unit: str
    note: str


@dataclass(frozen=True)
class DieAdvice:
    """The advice for one die."""

    die: str
    current: str
    recommendation: str
    criteria: tuple = field(default_factory=tuple)

    @property
    def agrees(self) -> bool:
        """Whether the design already uses the recommended attachment (``either`` agrees)."""
        return self.recommendation in ("either", self.current)

    @property
    def reasons(self) -> list[str]:
        """Notes of the criteria that decided the recommendation."""
        if self.recommendation == "either":
            return [c.note for c in self.criteria if c.verdict != "unknown"]
        return [c.note for c in self.criteria if c.verdict == self.recommendation]

    def to_dict(self) -> dict:
        """Plain data."""
        return {"die": self.die, "current": self.current, "recommendation": self.recommendation,
                "agrees": self.agrees, "criteria": [asdict(c) for c in self.criteria]}


def inductance_budget(frequency: float, z0: float = 50.0, max_reflection: float = 0.1) -> float:
    """Largest series inductance (H) whose reflection stays below `max_reflection` at `frequency` Hz.

    Examples
    --------
    >>> round(inductance_budget(5e9) * 1e9, 3)
    0.318
    """
    if not (frequency > 0 and math.isfinite(frequency)):
        raise DesignError(f"frequency must be positive (Hz), got {frequency!r}")
    return 2 * z0 * max_reflection / (2 * math.pi * frequency)


def _per_die(value, name, default=None):
    if isinstance(value, dict):
        return value.get(name, default)
    return default if value is None else value


def _support_top(pkg, die) -> float:
    if die.on == "substrate":
        return pkg.substrate.thickness
    return pkg.z_range(die.on)[1]


def advise(pkg, *, frequency=None, volume: str = "medium", rework: bool = False,
           known_good_die: bool = False, height_budget: float | None = None,
           rules: AdvisorRules | None = None, wires=None, inductances=None) -> list[DieAdvice]:
    """Recommend wire bond, flip chip or either for every top- or bottom-side die.

    Parameters
    ----------
    pkg : Package
    frequency : float or mapping, optional
        Highest signal frequency (Hz), one for all dies or by die name.
    volume : {"low", "medium", "high"}
        Production volume class.
    rework, known_good_die : bool
        Whether rework must be possible / dies must be tested before assembly.
    height_budget : float, optional
        Highest z allowed for loops and dies (µm, from the substrate bottom); the top
        mold cap's top by default.
    rules : AdvisorRules, optional
    wires : list of WirePath, optional
        The package's wires (computed when needed).
    inductances : array_like, optional
        Self-inductance (H) of each of `wires`.

    Returns
    -------
    list of DieAdvice
    """
    if volume not in VOLUMES:
        raise DesignError(f"volume must be one of {', '.join(VOLUMES)}, got {volume!r}")
    rules = rules or AdvisorRules()
    if wires is None:
        from .loops import wire_paths

        wires = wire_paths(pkg)
    if inductances is None:
        from .parasitics import self_inductances

        inductances = self_inductances(wires)
    by_die: dict[str, list] = {}
    for w, L in zip(wires, inductances, strict=True):
        by_die.setdefault(w.die, []).append((w, float(L)))
    out = []
    for die in pkg.dies:
        current = "wire_bond" if die.wire_bond is not None else "flip_chip"
        crit = [
            _frequency(die, _per_die(frequency, die.name), by_die.get(die.name, []), rules),
            _io(die, rules),
            _height(pkg, die, by_die.get(die.name, []), height_budget, rules),
            _thermal(die, rules),
            _cost(die, volume, rules),
            _rework(rework, known_good_die),
        ]
        if any(c.verdict == "flip_chip" and c.strength == "required" for c in crit):
            rec = "flip_chip"
        else:
            fc = sum(c.verdict == "flip_chip" for c in crit)
            wb = sum(c.verdict == "wire_bond" for c in crit)
            rec = "flip_chip" if fc > wb else "wire_bond" if wb > fc else "either"
        out.append(DieAdvice(die.name, current, rec, tuple(crit)))
    return out


def _io_count(die) -> int:
    if die.wire_bond is not None:
        return len(die.wire_bond.pads)
    return len(die.flip_chip.positions(die.size))


def _frequency(die, f, wires, rules) -> Criterion:
    if wires:
        L = max(L for _, L in wires)
        what = f"longest wire {L * 1e9:.2f} nH"
    else:
        r = rules.wire_diameter / 2
        L = straight_wire_inductance(rules.wire_length + rules.loop_height + die.thickness, r)
        what = f"an estimated {rules.wire_length:g} µm wire, {L * 1e9:.2f} nH"
    if f is None:
        return Criterion("frequency", "unknown", "neutral", L * 1e9, None, "nH",
                         f"no signal frequency given ({what})")
    budget = inductance_budget(float(f), rules.z0, rules.max_reflection)
    if L > budget:
        return Criterion("frequency", "flip_chip", "required", L * 1e9, budget * 1e9, "nH",
                         f"at {f / 1e9:g} GHz the wire budget is {budget * 1e9:.2f} nH; {what}")
    return Criterion("frequency", "either", "neutral", L * 1e9, budget * 1e9, "nH",
                     f"at {f / 1e9:g} GHz {what} fits the {budget * 1e9:.2f} nH budget")


def _io(die, rules) -> Criterion:
    n = _io_count(die)
    w, h = die.size
    capacity = int(2 * (w + h) / rules.wire_pad_pitch) * rules.pad_rows
    area = int(w // rules.bump_pitch) * int(h // rules.bump_pitch)
    if n > capacity:
        return Criterion("io", "flip_chip", "required", n, capacity, "I/O",
                         f"{n} I/O exceed the {capacity} pads that fit around the edge at "
                         f"{rules.wire_pad_pitch:g} µm pitch in {rules.pad_rows} rows")
    return Criterion("io", "either", "neutral", n, capacity, "I/O",
                     f"{n} I/O fit the {capacity} peripheral pads (an area array holds {area} at "
                     f"{rules.bump_pitch:g} µm)")


def _height(pkg, die, wires, budget, rules) -> Criterion:
    if die.side != "top":
        mold = pkg.mold("bottom")
    else:
        mold = pkg.mold("top")
    t = pkg.substrate.thickness
    if budget is None and mold is not None:
        budget = t + mold.thickness if die.side == "top" else mold.thickness
        source = "mold top"
    else:
        source = "height budget"
    if budget is None:
        return Criterion("height", "unknown", "neutral", None, None, "µm", "no mold cap or height budget")
    lo, hi = pkg.z_range(die.name)
    base = _support_top(pkg, die) if die.side == "top" else 0.0
    if die.side == "top":
        thick = hi - lo
        if die.wire_bond is not None:
            wb_top = max([float(w.points[:, 2].max()) for w, _ in wires] or [hi]) + rules.mold_clearance
            fc_top = base + rules.bump_height + thick
        else:
            wb_top = base + rules.attach_thickness + thick + rules.loop_height + rules.mold_clearance
            fc_top = hi
    else:  # bottom side: measure downwards from the substrate bottom
        thick = hi - lo
        if die.wire_bond is not None:
            wb_top = -min([float(w.points[:, 2].min()) for w, _ in wires] or [lo]) + rules.mold_clearance
            fc_top = rules.bump_height + thick
        else:
            wb_top = rules.attach_thickness + thick + rules.loop_height + rules.mold_clearance
            fc_top = -lo
    if wb_top > budget and fc_top <= budget:
        return Criterion("height", "flip_chip", "required", wb_top, budget, "µm",
                         f"wire loops reach {wb_top:.0f} µm with clearance, above the {source} at "
                         f"{budget:.0f} µm; flip chip needs {fc_top:.0f} µm")
    if wb_top > budget:
        return Criterion("height", "unknown", "neutral", wb_top, budget, "µm",
                         f"neither fits the {source} at {budget:.0f} µm (wire bond {wb_top:.0f} µm, "
                         f"flip chip {fc_top:.0f} µm)")
    return Criterion("height", "either", "neutral", wb_top, budget, "µm",
                     f"wire loops with clearance ({wb_top:.0f} µm) fit below the {source} at {budget:.0f} µm")


def _thermal(die, rules) -> Criterion:
    area_cm2 = die.size[0] * die.size[1] * 1e-8
    q = die.total_power / area_cm2
    if q > rules.power_density:
        return Criterion("thermal", "flip_chip", "preferred", q, rules.power_density, "W/cm²",
                         f"{q:.1f} W/cm² is above {rules.power_density:g} W/cm²: flip chip frees the die "
                         "back for a lid or heat sink")
    return Criterion("thermal", "either", "neutral", q, rules.power_density, "W/cm²",
                     f"{q:.1f} W/cm² can leave through the die attach")


def _cost(die, volume, rules) -> Criterion:
    n = _io_count(die)
    if n <= rules.io_wire_bond and volume in ("low", "medium"):
        return Criterion("cost", "wire_bond", "preferred", n, rules.io_wire_bond, "I/O",
                         f"{n} I/O at {volume} volume: wire bonding needs no bumping and is cheapest")
    if n >= rules.io_flip_chip:
        return Criterion("cost", "flip_chip", "preferred", n, rules.io_flip_chip, "I/O",
                         f"{n} I/O: flip chip has the lower cost per I/O")
    return Criterion("cost", "either", "neutral", n, None, "I/O",
                     f"{n} I/O at {volume} volume: no clear winner")


def _rework(rework, kgd) -> Criterion:
    if rework and not kgd:
        return Criterion("rework", "flip_chip", "preferred", None, None, "",
                         "rework needed: a flip-chip die can be reflowed off before underfill")
    if kgd and not rework:
        return Criterion("rework", "wire_bond", "preferred", None, None, "",
                         "known-good die needed: peripheral pads are probed with ordinary probe cards")
    return Criterion("rework", "either", "neutral", None, None, "", "no rework or known-good-die preference")
