"""``sipkit.drc.check``: run a rule deck on a package or a layout."""

from __future__ import annotations

import time

from ..errors import DesignError
from . import geometric
from .deck import load_deck
from .features import RUNNERS, short
from .report import Report, RuleResult
from .sources import open_source

__all__ = ["check"]

_LAYER_CHECKS = ("width", "space", "notch", "isolated", "area", "hole", "net_clearance")
_NOT_YET = {
    "density": "not implemented yet",
    "density_balance": "not implemented yet",
    "mask_expansion": "not implemented yet",
    "mask_web": "not implemented yet",
    "wire_length": "needs sipkit.interconnect wire geometry (not available yet)",
    "wire_ratio": "needs sipkit.interconnect wire geometry (not available yet)",
    "wire_clearance": "needs sipkit.interconnect wire geometry (not available yet)",
    "wire_crossing": "needs sipkit.interconnect wire geometry (not available yet)",
    "bond_angle": "needs sipkit.interconnect wire geometry (not available yet)",
    "loop_height": "needs sipkit.interconnect wire geometry (not available yet)",
    "wire_die_edge": "needs sipkit.interconnect wire geometry (not available yet)",
}


def check(design, deck="organic-25um", *, rules=None) -> Report:
    """Check a package or a layout against a rule deck.

    Parameters
    ----------
    design : Package, str, path-like or gdstk.Library
        A package, a design file (.yaml/.json), or a GDSII/OASIS layout (.gds/.oas, or
        a gdstk Library) read through the deck's layer map.
    deck : str, path-like or Deck
        A built-in deck name, a deck file, or a loaded :class:`~sipkit.drc.Deck`.
    rules : collection of str, optional
        Only these rule ids.

    Returns
    -------
    Report

    Raises
    ------
    DesignError
        An unreadable design or deck, or a rule naming a layer the design lacks.

    Examples
    --------
    >>> report = check("module.yaml", deck="organic-25um")   # doctest: +SKIP
    >>> report.clean, len(report)                            # doctest: +SKIP
    (False, 3)
    """
    t0 = time.perf_counter()
    deck = load_deck(deck)
    source = open_source(design, deck)
    results = []
    for rule in deck.enabled_rules():
        if rules is not None and rule.id not in rules:
            continue
        t = time.perf_counter()
        try:
            found, skipped = _run(rule, source, deck)
        except DesignError as err:
            raise err.located(field=f"rule {rule.id}") from None
        results.append(RuleResult(rule, tuple(found), skipped, time.perf_counter() - t))
    layout = dict(source._cache)
    return Report(source.name, deck.name, results, layout, time.perf_counter() - t0)


def _run(rule, source, deck):
    c = rule.check
    if c in _NOT_YET:
        return [], _NOT_YET[c]
    package = source.kind == "package"
    if c in _LAYER_CHECKS or c in ("enclosure", "outline", "short"):
        if not source.has_layer(rule.layer):
            return [], f"no layer {rule.layer} in the design"
    if c in ("width", "space", "notch", "isolated"):
        return geometric.distance_rule(rule, source.layer(rule.layer)), None
    if c == "area":
        return geometric.area_rule(rule, source.layer(rule.layer)), None
    if c == "hole":
        return geometric.hole_rule(rule, source.layer(rule.layer)), None
    if c == "net_clearance":
        return geometric.net_clearance_rule(rule, source.layer(rule.layer), deck), None
    if c == "enclosure":
        if not source.has_layer(rule.inner):
            return [], f"no layer {rule.inner} in the design"
        return geometric.enclosure_rule(rule, source.layer(rule.layer), source.layer(rule.inner)), None
    if c == "outline":
        name = rule.outline or "OUTLINE"
        if not source.has_layer(name):
            return [], f"no outline layer {name} in the design"
        return geometric.outline_rule(rule, source.layer(rule.layer), source.layer(name)), None
    if c == "short":
        if not package:
            return [], "layouts carry no nets here: shorts need a package"
        return short(rule, source.pkg, rule.layer), None
    if c in RUNNERS:
        if not package:
            return [], f"{c} needs a package (a layout has no such features)"
        return RUNNERS[c](rule, source.pkg), None
    return [], "not implemented"  # pragma: no cover - every check is listed above
