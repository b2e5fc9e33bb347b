"""Warpage estimation: laminate theory per tile and a Kirchhoff plate over the package.

>>> import sipkit.warpage as wp                                        # doctest: +SKIP
>>> r = wp.estimate(package, profile="reflow-jedec-pbfree")            # doctest: +SKIP
>>> r.profile.passed, r.signed, r.shape                                # doctest: +SKIP

The solid model (:mod:`sipkit.solid`) is sampled on a lateral grid (:mod:`.stack`):
each tile's vertical stack is a laminate (:mod:`.laminate`, classical lamination
theory with copper mixed in by its coverage and properties stepping at Tg).  A plate
with the tiles' bending stiffness and thermal moments and free edges (:mod:`.plate`)
gives the warpage map, integrated over temperature from the stress-free state
(:mod:`.response`).  Results follow the JEDEC JESD22-B112A / JEITA ED-7306 sign
conventions (:mod:`.result`); reflow profiles and allowed bands come from the
``thermal/`` data folder (:mod:`.profile`).
"""

from .api import DEFAULT_STRESS_FREE, ball_pitch, estimate, load_design, to_solid
from .laminate import Ply, abd, breakpoints, free_response, reduced_stiffness, thermal_resultants
from .plate import PlateOperator, solve_plate
from .profile import (
    ReflowProfile,
    WarpageLimits,
    WarpageProfile,
    available_profiles,
    load_limits,
    load_profile,
)
from .response import ThermalResponse
from .result import CONVENTION, Band, WarpageResult, warpage_metrics
from .stack import StackGrid, build_stack

__all__ = [
    "CONVENTION",
    "DEFAULT_STRESS_FREE",
    "Band",
    "PlateOperator",
    "Ply",
    "ReflowProfile",
    "StackGrid",
    "ThermalResponse",
    "WarpageLimits",
    "WarpageProfile",
    "WarpageResult",
    "abd",
    "available_profiles",
    "ball_pitch",
    "breakpoints",
    "build_stack",
    "estimate",
    "free_response",
    "load_design",
    "load_limits",
    "load_profile",
    "reduced_stiffness",
    "solve_plate",
    "thermal_resultants",
    "to_solid",
    "warpage_metrics",
]
