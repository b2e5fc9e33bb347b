"""Interconnect analysis: wire-bond loops and parasitics, bump reliability, wire bond vs flip chip.

* :mod:`.loops` - 3-D wire loops (:func:`wire_paths`), reused by the DRC's wire rules;
* :mod:`.parasitics` - resistance with temperature and frequency, self- and mutual
  inductance (Rosa/Grover closed forms, Neumann integrals over the 3-D loops);
* :mod:`.fusing` - Preece, Onderdonk and conduction-limited fusing and current limits;
* :mod:`.clearance` - wire-to-wire 3-D distance and top-view crossings over all wires;
* :mod:`.bumps` - bump resistance, inductance, current density and Black's EM life;
* :mod:`.fatigue` - Engelmaier solder-joint fatigue per joint, worst-joint map;
* :mod:`.advisor` - per-die wire bond / flip chip recommendation;
* :mod:`.report` - :func:`analyze`, the whole analysis as tables, JSON and text;
* :mod:`.catalog` - the wire and bump catalogs (``interconnect/*.yaml``);
* :mod:`.plots` - 3-D wire view, per-wire inductance, fatigue map (matplotlib, imported
  lazily and not re-exported here).

Lengths are µm, physics SI (Ω, H, A, s), temperatures °C.
"""

from .advisor import AdvisorRules, Criterion, DieAdvice, advise, inductance_budget
from .bumps import (
    BumpGroup,
    black_acceleration,
    black_life,
    bump_analysis,
    bump_contact_area,
    bump_inductance,
    bump_resistance,
)
from .catalog import (
    BUMP_KINDS,
    BlackParams,
    BumpType,
    Catalog,
    FatigueParams,
    WireFamily,
    builtin_catalog,
    load_catalog,
)
from .clearance import WireClearance, wire_clearance
from .fatigue import (
    JointGroup,
    engelmaier_cycles,
    engelmaier_exponent,
    joint_fatigue,
    package_cte,
    substrate_cte,
)
from .fusing import (
    conduction_limited_current,
    onderdonk_current,
    preece_current,
    runaway_current,
    wire_temperature_rise,
)
from .loops import WirePath, loop_points, pack_paths, wire_paths
from .parasitics import (
    MU0,
    MutualInductances,
    internal_impedance,
    mutual_inductance,
    mutual_inductances,
    parallel_wire_mutual_inductance,
    partial_self_inductance,
    self_inductance,
    self_inductances,
    straight_wire_inductance,
    wire_resistance,
)
from .report import InterconnectReport, analyze

__all__ = [
    "BUMP_KINDS",
    "MU0",
    "AdvisorRules",
    "BlackParams",
    "BumpGroup",
    "BumpType",
    "Catalog",
    "Criterion",
    "DieAdvice",
    "FatigueParams",
    "InterconnectReport",
    "JointGroup",
    "MutualInductances",
    "WireClearance",
    "WireFamily",
    "WirePath",
    "advise",
    "analyze",
    "black_acceleration",
    "black_life",
    "builtin_catalog",
    "bump_analysis",
    "bump_contact_area",
    "bump_inductance",
    "bump_resistance",
    "conduction_limited_current",
    "engelmaier_cycles",
    "engelmaier_exponent",
    "inductance_budget",
    "internal_impedance",
    "joint_fatigue",
    "load_catalog",
    "loop_points",
    "mutual_inductance",
    "mutual_inductances",
    "onderdonk_current",
    "pack_paths",
    "package_cte",
    "parallel_wire_mutual_inductance",
    "partial_self_inductance",
    "preece_current",
    "runaway_current",
    "self_inductance",
    "self_inductances",
    "straight_wire_inductance",
    "substrate_cte",
    "wire_clearance",
    "wire_paths",
    "wire_resistance",
    "wire_temperature_rise",
]
