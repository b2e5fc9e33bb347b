"""One interconnect analysis of a package: wires, bumps, fatigue, advice, and the limits.

:func:`analyze` runs every part of :mod:`sipkit.interconnect` on a package and returns an
:class:`InterconnectReport` whose tables are lists of dicts (or pandas DataFrames through
:meth:`InterconnectReport.table`, when pandas is installed), with JSON and text output.
Column names carry their unit (``length_um``, ``R_ohm``, ``L_nH``, ...).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import DesignError
from .loops import MAX_SEGMENT

__all__ = ["InterconnectReport", "analyze"]

TABLES = ("wires", "couplings", "bumps", "fatigue", "advice", "violations")


def _num(x, digits=6):
    """A JSON-friendly float (None for inf/nan), rounded to `digits` significant figures."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


@dataclass
class InterconnectReport:
    """Result of :func:`analyze`.

    Attributes
    ----------
    design : str
    settings : dict
        The inputs of the run (temperatures, currents, targets, ...).
    wires, couplings, bumps, fatigue, advice, violations : list of dict
        The tables (see :meth:`text` for a summary).
    crossings : list of dict
        Top-view wire crossings with their vertical separation.
    paths, bump_groups, joint_groups : lists
        The underlying objects, for plots and scripts (not serialised).
    """

    design: str
    settings: dict
    wires: list = field(default_factory=list)
    couplings: list = field(default_factory=list)
    crossings: list = field(default_factory=list)
    bumps: list = field(default_factory=list)
    fatigue: list = field(default_factory=list)
    advice: list = field(default_factory=list)
    violations: list = field(default_factory=list)
    paths: list = field(default_factory=list, repr=False)
    bump_groups: list = field(default_factory=list, repr=False)
    joint_groups: list = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        """True when no limit was exceeded."""
        return not self.violations

    def table(self, name: str):
        """Table `name` as a pandas DataFrame (a list of dicts when pandas is missing)."""
        if name not in TABLES:
            raise DesignError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        rows = getattr(self, name)
        if name == "advice":
            rows = [{k: v for k, v in r.items() if k != "criteria"} | {"reasons": "; ".join(r["reasons"])}
                    for r in rows]
        try:
            import pandas as pd
        except ImportError:
            return rows
        return pd.DataFrame(rows)

    def tables(self) -> dict:
        """Every table by name (DataFrames when pandas is installed)."""
        return {name: self.table(name) for name in TABLES}

    def to_dict(self) -> dict:
        """Plain data for JSON."""
        return {"design": self.design, "settings": self.settings, "ok": self.ok,
                "wires": self.wires, "couplings": self.couplings, "crossings": self.crossings,
                "bumps": self.bumps, "fatigue": self.fatigue, "advice": self.advice,
                "violations": self.violations}

    def to_json(self, indent: int | None = 1) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)

    def text(self) -> str:
        """A readable summary: one line per wire, bump group, joint group and die."""
        out = [f"Interconnect analysis of {self.design!r} at {self.settings['temperature_C']:g} °C"]
        if self.wires:
            out += ["", f"Wires ({len(self.wires)})",
                    f"  {'name':<24}{'len µm':>9}{'R mΩ':>9}{'L nH':>8}{'M nH':>8}{'gap µm':>9}"
                    f"{'I_lim A':>9}{'I_fuse A':>10}"]
            for w in self.wires:
                out.append(f"  {w['name']:<24}{w['length_um']:>9.0f}{w['R_ohm'] * 1e3:>9.1f}{w['L_nH']:>8.3f}"
                           f"{_show(w['M_max_nH'], '.3f'):>8}{_show(w['nearest_gap_um'], '.1f'):>9}"
                           f"{_show(w['I_limit_A'], '.3f'):>9}{_show(w['I_fuse_A'], '.3f'):>10}")
        if self.crossings:
            out.append(f"  {len(self.crossings)} wire crossing(s) in top view")
        if self.bumps:
            out += ["", "Bumps", f"  {'body':<12}{'kind':<15}{'count':>7}{'R mΩ':>8}{'L pH':>8}"
                                 f"{'J A/cm²':>10}{'EM t50 h':>11}"]
            for b in self.bumps:
                out.append(f"  {b['body']:<12}{b['kind']:<15}{b['count']:>7}{b['R_ohm'] * 1e3:>8.2f}"
                           f"{b['L_pH']:>8.1f}{b['J_max_A_per_cm2']:>10.3g}"
                           f"{_show(b['t50_min_h'], '.3g'):>11}")
        if self.fatigue:
            t0, t1 = self.settings["cycle_C"]
            out += ["", f"Solder fatigue, {t0:g} to {t1:g} °C",
                    f"  {'joints':<16}{'count':>7}{'Δα ppm/K':>10}{'DNP mm':>8}{'cycles':>12}  underfill"]
            for g in self.fatigue:
                out.append(f"  {g['name']:<16}{g['count']:>7}{g['delta_alpha_ppm_per_K']:>10.2f}"
                           f"{g['dnp_max_um'] / 1000:>8.2f}{_show(g['min_cycles'], '.4g'):>12}  "
                           f"{'yes' if g['underfill'] else 'no'}")
        if self.advice:
            out += ["", "Attachment advice"]
            for a in self.advice:
                mark = "" if a["agrees"] else "  (design uses " + a["current"].replace("_", " ") + ")"
                out.append(f"  {a['die']}: {a['recommendation'].replace('_', ' ')}{mark}")
                for r in a["reasons"]:
                    out.append(f"    - {r}")
        out.append("")
        if self.violations:
            out.append(f"{len(self.violations)} limit(s) exceeded:")
            out += [f"  {v['check']}: {v['message']}" for v in self.violations]
        else:
            out.append("No limits exceeded.")
        return "\n".join(out)


def _show(x, fmt):
    return "-" if x is None else format(x, fmt)


def _lookup(table, keys, default):
    for k in keys:
        if k is not None and k in table:
            return float(table[k])
    return default


def analyze(pkg, *, temperature: float = 25.0, frequency: float | None = None,
            wire_current: float | None = None, wire_currents=None, pulse: float = 1.0,
            bump_current: float = 0.0, bump_currents=None, cycle=(0.0, 100.0), dwell: float = 15.0,
            cycles_target: float | None = None, em_target: float | None = None,
            min_wire_gap: float | None = None, clearance_distance: float | None = None,
            mutual_cutoff: float = 500.0, underfill_factor: float = 5.0, board_cte=None,
            volume: str = "medium", rework: bool = False, known_good_die: bool = False,
            catalog=None, max_segment: float = MAX_SEGMENT) -> InterconnectReport:
    """Run the whole interconnect analysis of a package.

    Parameters
    ----------
    pkg : Package
    temperature : float
        Operating temperature of wires and bumps (°C).
    frequency : float, optional
        Signal frequency (Hz) for AC resistance, inductance and the advisor.
    wire_current : float, optional
        Current per wire (A) checked against each wire's continuous limit.
    wire_currents : mapping, optional
        Current per wire by wire name, net or die name (most specific first).
    pulse : float
        Pulse length (s) of the adiabatic (Onderdonk) fusing current.
    bump_current : float
        Current per bump (A).
    bump_currents : mapping, optional
        Current per bump by ``"body.net"``, net or body name.
    cycle : (float, float)
        Temperature cycle (°C) for solder fatigue.
    dwell : float
        Half-cycle dwell (minutes).
    cycles_target : float, optional
        Required fatigue life (cycles); a shorter joint life is a violation.
    em_target : float, optional
        Required median EM life (hours); a shorter bump life is a violation.
    min_wire_gap : float, optional
        Required surface gap between unconnected wires (µm).
    clearance_distance : float, optional
        Search distance of the clearance check (µm); ``max(200, 2 min_wire_gap +
        largest diameter)`` by default.
    mutual_cutoff : float
        Largest bounding-box distance of wire pairs whose mutual inductance is computed (µm).
    underfill_factor, board_cte :
        See :func:`.fatigue.joint_fatigue`.
    volume, rework, known_good_die :
        See :func:`.advisor.advise`.
    catalog : Catalog, optional
        The built-in catalog by default.
    max_segment : float
        Longest wire polyline segment (µm).

    Returns
    -------
    InterconnectReport
    """
    from .advisor import advise
    from .bumps import bump_analysis
    from .catalog import builtin_catalog
    from .clearance import wire_clearance
    from .fatigue import joint_fatigue
    from .fusing import (
        conduction_limited_current,
        onderdonk_current,
        preece_current,
        wire_temperature_rise,
    )
    from .loops import wire_paths
    from .parasitics import internal_impedance, mutual_inductances, self_inductances

    catalog = catalog or builtin_catalog()
    t_min, t_max = (float(v) for v in cycle)
    settings = {"temperature_C": float(temperature), "frequency_Hz": frequency,
                "wire_current_A": wire_current, "pulse_s": pulse, "bump_current_A": bump_current,
                "cycle_C": [t_min, t_max], "dwell_min": dwell, "cycles_target": cycles_target,
                "em_target_h": em_target, "min_wire_gap_um": min_wire_gap, "mutual_cutoff_um": mutual_cutoff,
                "underfill_factor": underfill_factor, "volume": volume}
    report = InterconnectReport(pkg.name, settings)
    paths = wire_paths(pkg, max_segment=max_segment)
    report.paths = paths
    cards = [pkg.material(p.material) for p in paths]
    rho = [c.resistivity_at(temperature) for c in cards]
    L0 = self_inductances(paths)
    Lf = self_inductances(paths, resistivities=rho, frequency=frequency) if frequency else L0
    mutual = mutual_inductances(paths, cutoff=mutual_cutoff)
    best, mval = mutual.strongest()
    diam = max((p.diameter for p in paths), default=0.0)
    if clearance_distance is None:
        clearance_distance = max(200.0, 2 * (min_wire_gap or 0.0) + diam)
    clear = wire_clearance(paths, clearance_distance)
    table = dict(wire_currents or {})
    for k, (p, card, r) in enumerate(zip(paths, cards, rho, strict=True)):
        length = p.length
        area = math.pi * (p.diameter * 1e-6 / 2) ** 2
        R = r * length * 1e-6 / area
        fam = catalog.wire_family(p.material)
        max_t = fam.max_temperature if fam is not None else 150.0
        I_lim = (conduction_limited_current(length, p.diameter, card, max_t - temperature, temperature)
                 if max_t > temperature else 0.0)
        I_fuse = conduction_limited_current(length, p.diameter, card, card.require("melting") - temperature,
                                            temperature)
        row = {
            "name": p.name, "die": p.die, "pad": p.pad, "to": p.to, "net": p.net, "profile": p.profile,
            "material": p.material, "diameter_um": _num(p.diameter), "length_um": _num(length),
            "span_um": _num(p.span), "loop_height_um": _num(p.height),
            "R_ohm": _num(R), "L_nH": _num(L0[k] * 1e9),
            "M_max_nH": _num(mval[k] * 1e9) if best[k] >= 0 else None,
            "M_neighbour": paths[best[k]].name if best[k] >= 0 else None,
            "k_max": _num(abs(mval[k]) / math.sqrt(L0[k] * L0[best[k]])) if best[k] >= 0 else None,
            "nearest_gap_um": _num(clear.nearest_gap[k]),
            "nearest_wire": paths[clear.nearest[k]].name if clear.nearest[k] >= 0 else None,
            "I_limit_A": _num(I_lim), "max_temperature_C": _num(max_t), "I_fuse_A": _num(I_fuse),
            "I_pulse_A": _num(onderdonk_current(p.diameter, pulse, card, temperature)),
            "I_preece_A": (_num(preece_current(p.diameter, fam.preece))
                           if fam is not None and fam.preece else None),
        }
        if frequency:
            z = internal_impedance(p.radius, r, frequency)
            row["R_ac_ohm"] = _num(z.real * length * 1e-6)
            row["L_f_nH"] = _num(Lf[k] * 1e9)
        current = _lookup(table, (p.name, p.net, p.die), wire_current)
        if current is not None:
            rise = wire_temperature_rise(length, p.diameter, card, current, temperature)
            row["I_A"] = _num(current)
            row["rise_K"] = _num(rise)
            if abs(current) > I_lim:
                report.violations.append({
                    "check": "wire_current", "item": p.name, "value": _num(abs(current)),
                    "limit": _num(I_lim), "unit": "A",
                    "message": f"wire {p.name}: {abs(current):g} A exceeds its continuous limit "
                               f"{I_lim:.3g} A (hot spot {max_t:g} °C)"})
        report.wires.append(row)
    report.couplings = [{"wire_a": paths[i].name, "wire_b": paths[j].name, "M_nH": _num(m * 1e9),
                         "k": _num(abs(m) / math.sqrt(L0[i] * L0[j]))}
                        for i, j, m in zip(mutual.i, mutual.j, mutual.M, strict=True)]
    report.crossings = clear.crossings()
    if min_wire_gap is not None:
        for v in clear.violations(float(min_wire_gap)):
            report.violations.append({
                "check": "wire_gap", "item": f"{v['wire_a']} / {v['wire_b']}", "value": _num(v["gap_um"]),
                "limit": _num(min_wire_gap), "unit": "µm",
                "message": f"wires {v['wire_a']} and {v['wire_b']} are {v['gap_um']:.1f} µm apart "
                           f"(required {min_wire_gap:g} µm) near {[round(c) for c in v['where_um']]}"})
    groups = bump_analysis(pkg, current=bump_current, currents=bump_currents, temperature=temperature,
                           catalog=catalog)
    report.bump_groups = groups
    for g in groups:
        t50_h = g.t50_min / 3600.0
        report.bumps.append({
            "body": g.body, "kind": g.kind, "count": g.count, "R_ohm": _num(g.resistance),
            "R_parallel_ohm": _num(g.parallel_resistance), "L_pH": _num(g.inductance * 1e12),
            "area_um2": _num(g.area * 1e12), "I_max_A": _num(np.abs(g.current).max() if g.count else 0.0),
            "J_max_A_per_cm2": _num(g.J_max / 1e4), "t50_min_h": _num(t50_h), "underfill": g.underfill})
        if em_target is not None and t50_h < em_target:
            report.violations.append({
                "check": "bump_em", "item": g.body, "value": _num(t50_h), "limit": _num(em_target),
                "unit": "h", "message": f"bumps of {g.body}: median EM life {t50_h:.3g} h is below "
                                        f"{em_target:g} h"})
    joints = joint_fatigue(pkg, t_min=t_min, t_max=t_max, dwell=dwell, board_cte=board_cte,
                           underfill_factor=underfill_factor, catalog=catalog)
    report.joint_groups = joints
    for g in joints:
        report.fatigue.append({
            "name": g.name, "level": g.level, "body": g.body, "support": g.support, "kind": g.kind,
            "count": g.count, "height_um": _num(g.height), "delta_alpha_ppm_per_K": _num(g.delta_alpha * 1e6),
            "dnp_max_um": _num(g.dnp.max() if g.count else 0.0),
            "strain_max": _num(g.strain.max() if g.count else 0.0),
            "min_cycles_bare": _num(g.cycles_bare.min() if g.count else math.inf),
            "min_cycles": _num(g.min_cycles), "underfill": g.underfill, "worst": [
                {k: _num(v) for k, v in w.items()} for w in g.worst(5)]})
        if cycles_target is not None and g.min_cycles < cycles_target:
            report.violations.append({
                "check": "fatigue", "item": g.name, "value": _num(g.min_cycles), "limit": _num(cycles_target),
                "unit": "cycles", "message": f"{g.name}: worst joint lasts {g.min_cycles:.4g} cycles, below "
                                             f"{cycles_target:g}"})
    advice = advise(pkg, frequency=frequency, volume=volume, rework=rework, known_good_die=known_good_die,
                    wires=paths, inductances=L0)
    report.advice = [a.to_dict() | {"reasons": a.reasons} for a in advice]
    for a in report.advice:
        for c in a["criteria"]:
            c["value"] = _num(c["value"])
            c["limit"] = _num(c["limit"])
    return report
