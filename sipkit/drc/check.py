"""``sipkit.drc.check``: run a rule deck on a package or a layout."""

from __future__ import annotations

import time

from ..errors import DesignError
from . import density, geometric, hierarchy, wires
from .deck import load_deck
from .features import RUNNERS, pads_under_mask, short
from .report import Report, RuleResult
from .sources import LayoutSource, open_source

__all__ = ["check"]

#: Checks on one named layer, which must exist in the design for the rule to run.
_ON_LAYER = ("width", "space", "notch", "isolated", "area", "hole", "net_clearance", "short", "outline",
             "enclosure", "density")


def check(design, deck="organic-25um", *, rules=None, cell: str | None = None) -> Report:
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
    cell : str, optional
        Top cell of a layout with several top cells.

    Returns
    -------
    Report

    Raises
    ------
    DesignError
        An unreadable design or deck, or a rule naming a layer the design lacks.

    Notes
    -----
    A layout whose top cell only places separate copies of unit cells (package sites
    stepped on a strip or panel, farther apart than any rule reaches) is checked one
    unit cell at a time (:mod:`sipkit.drc.hierarchy`): the violations are the flat
    check's, repeated at every placement, and ``report.layout`` holds the unit's layers.

    Examples
    --------
    >>> report = check("module.yaml", deck="organic-25um")   # doctest: +SKIP
    >>> report.clean, len(report)                            # doctest: +SKIP
    (False, 3)
    """
    t0 = time.perf_counter()
    deck = load_deck(deck)
    source = open_source(design, deck, cell=cell)
    selected = [r for r in deck.enabled_rules() if rules is None or r.id in rules]
    units = None
    if source.kind == "layout":
        units = hierarchy.placements(source.top, source.layer_map, hierarchy.halo(deck) + 0.001)
    if not units:
        results = [RuleResult(rule, *_timed(rule, source, deck)) for rule in selected]
        return Report(source.name, deck.name, results, dict(source._cache), time.perf_counter() - t0)
    # separate repeated units: check each unit cell once, repeat its violations at every placement
    groups = {r.id: [] for r in selected}
    skipped = {r.id: [] for r in selected}
    seconds = dict.fromkeys(groups, 0.0)
    layout = {}
    for name, where in units.items():
        unit = LayoutSource(source.lib, source.layer_map, cell=name)
        for rule in selected:
            vs, why, sec = _timed(rule, unit, deck)
            groups[rule.id].append((vs, where))
            skipped[rule.id].append(why)
            seconds[rule.id] += sec
        layout = layout or dict(unit._cache)
    results = [RuleResult(r, hierarchy.RepeatedViolations(groups[r.id]),
                          skipped[r.id][0] if all(skipped[r.id]) else None, seconds[r.id]) for r in selected]
    return Report(source.name, deck.name, results, layout, time.perf_counter() - t0)


def _timed(rule, source, deck):
    """(violations, reason skipped or None, seconds) of one rule."""
    t = time.perf_counter()
    try:
        found, skipped = _run(rule, source, deck)
    except DesignError as err:
        raise err.located(field=f"rule {rule.id}") from None
    return tuple(found), skipped, time.perf_counter() - t


def _run(rule, source, deck):
    """(violations, None) or ([], why the rule did not run)."""
    c = rule.check
    package = source.kind == "package"
    if c in _ON_LAYER and not source.has_layer(rule.layer):
        return [], f"no layer {rule.layer} in the design"
    if c in ("width", "space", "notch", "isolated"):
        return geometric.distance_rule(rule, source.layer(rule.layer)), None
    if c == "area":
        return geometric.area_rule(rule, source.layer(rule.layer)), None
    if c == "hole":
        return geometric.hole_rule(rule, source.layer(rule.layer)), None
    if c == "enclosure":
        if not source.has_layer(rule.inner):
            return [], f"no layer {rule.inner} in the design"
        return geometric.enclosure_rule(rule, source.layer(rule.layer), source.layer(rule.inner)), None
    if c == "outline":
        name = rule.outline or "OUTLINE"
        if not source.has_layer(name):
            return [], f"no outline layer {name} in the design"
        return geometric.outline_rule(rule, source.layer(rule.layer), source.layer(name)), None
    if c in ("net_clearance", "short"):
        if package:
            if c == "short":
                return short(rule, source.pkg, rule.layer), None
            return geometric.net_clearance_rule(rule, source.layer(rule.layer), deck), None
        if not source.has_nets(rule.layer):
            return [], f"no net labels on layer {rule.layer} (text labels on its GDS layer name the nets)"
        layer = source.layer(rule.layer)
        if c == "short":
            return geometric.short_rule(rule, layer), None
        return geometric.net_clearance_rule(rule, layer, deck), None
    if c == "density":
        region = _region(source, rule.outline, [rule.layer])
        return density.density_rule(rule, source.layer(rule.layer), region), None
    if c == "density_balance":
        return _density_balance(rule, source)
    if c in ("mask_expansion", "mask_web"):
        return _masks(rule, source)
    if c == "annular_ring" and not package:
        return _annular_ring_layout(rule, source, deck)
    if c in RUNNERS:
        if not package:
            return [], f"{c} needs a package (a layout has no such features)"
        return RUNNERS[c](rule, source.pkg), None
    if c in wires.RUNNERS:
        if not package:
            return [], f"{c} needs a package (a layout has no bond wires)"
        return wires.RUNNERS[c](rule, source.pkg), None
    return [], "not implemented"  # pragma: no cover - every check is listed above


def _region(source, outline: str | None, layers):
    """The substrate outline (a merged layer), or the bounding box (µm) of `layers`."""
    name = outline or "OUTLINE"
    if source.has_layer(name) and source.layer(name).n_edges:
        return source.layer(name)
    boxes = [source.layer(n).bbox() for n in layers if source.has_layer(n)]
    boxes = [b for b in boxes if b is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes))


def _density_balance(rule, source):
    if rule.layer_pairs:
        pairs = list(rule.layer_pairs)
    elif source.kind == "package":
        pairs = density.mirrored_pairs(source.pkg)
    else:
        return [], "a layout has no stack-up: give the layer pairs (pairs: [[L1, L4], [L2, L3]])"
    missing = sorted({n for p in pairs for n in p if not source.has_layer(n)})
    if missing:
        return [], f"no layer {', '.join(missing)} in the design"
    if not pairs:
        return [], "no conductor layers mirrored about the core"
    names = sorted({n for p in pairs for n in p})
    region = _region(source, rule.outline, names)
    if region is None:
        return [], "no copper on the layers"
    layers = {n: source.layer(n) for n in names}
    return density.density_balance_rule(rule, pairs, layers, region), None


def _mask_layers(source, rule):
    """(mask layer, copper layer) pairs of a mask rule, or a reason why there are none."""
    if source.kind != "package":
        if rule.layer is None or (rule.check == "mask_expansion" and rule.inner is None):
            what = "layer (mask openings) and inner (copper)" if rule.check == "mask_expansion" else "layer"
            return None, f"on a layout, give the rule's {what}"
        for n in (rule.layer, rule.inner):
            if n is not None and not source.has_layer(n):
                return None, f"no layer {n} in the design"
        return [(rule.layer, rule.inner)], None
    sub = source.pkg.substrate
    conductors = [la.name for la in sub.conductor_layers]
    first = next(i for i, la in enumerate(sub.stackup) if la.is_conductor)
    out = []
    for i, la in enumerate(sub.stackup):
        if la.kind != "solder_mask" or (rule.layer is not None and la.name != rule.layer):
            continue
        if not any(m.layer == la.name for m in sub.mask_openings):
            continue
        out.append((la.name, rule.inner or (conductors[0] if i < first else conductors[-1])))
    if rule.layer is not None and not source.has_layer(rule.layer):
        return None, f"no solder-mask layer {rule.layer} in the design"
    return out, None


def _masks(rule, source):
    pairs, why = _mask_layers(source, rule)
    if why:
        return [], why
    out = []
    for mask, copper in pairs:
        if rule.check == "mask_web":
            out += geometric.distance_rule(rule, source.layer(mask))
        else:
            out += geometric.enclosure_rule(rule, source.layer(mask), source.layer(copper))
            if source.kind == "package":
                out += pads_under_mask(rule, source.pkg, mask, copper)
    return out, None


def _annular_ring_layout(rule, source, deck):
    """Copper pads enclose the drills by at least rule.min on each routing layer of a layout."""
    drill = rule.inner or "DRILL"
    if not source.has_layer(drill):
        return [], f"no drill layer {drill} in the design"
    if rule.layer is not None:
        layers = [rule.layer]
    else:  # the routing layers: those the deck checks for width
        layers = list(dict.fromkeys(r.layer for r in deck.rules if r.check == "width"))
    layers = [n for n in layers if source.has_layer(n)]
    if not layers:
        return [], "no copper layer to check (give the rule's layer)"
    out = []
    for n in layers:
        out += geometric.enclosure_rule(rule, source.layer(n), source.layer(drill))
    return out, None
