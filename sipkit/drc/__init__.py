"""Design-rule checking of packages and layouts.

:func:`check` runs a rule deck (:func:`load_deck`; built-in decks in ``rules/``) on a
:class:`~sipkit.model.Package`, a design file or a GDSII/OASIS layout and returns a
:class:`Report`.  Geometric checks follow KLayout's semantics: shapes are merged per
layer first (GDS paths become the polygons KLayout makes of them), distances are
Euclidean, and a violation is ``distance < min``.  Package rules check vias, fingers,
solder mask, copper density and balance, placement and the 3-D bond-wire loops of
:mod:`sipkit.interconnect`; a layout of separate repeated units (package sites on a
panel) is checked one unit cell at a time.
"""

from .check import check
from .deck import CHECKS, Deck, NetClass, Rule, builtin_decks, load_deck
from .layers import MergedLayer, merge_rings
from .report import Report, RuleResult, Violation

__all__ = [
    "CHECKS",
    "Deck",
    "MergedLayer",
    "NetClass",
    "Report",
    "Rule",
    "RuleResult",
    "Violation",
    "builtin_decks",
    "check",
    "load_deck",
    "merge_rings",
]
