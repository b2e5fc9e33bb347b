"""Rules on merged layers: width, space, notch, isolated, enclosure, outline, area, hole, nets."""

from __future__ import annotations

import numpy as np

from .layers import DBU, MergedLayer
from .report import Violation
from .spacing import RELATIONS, EdgePairs, distance_checks, enclosure_check

__all__ = ["area_rule", "distance_rule", "enclosure_rule", "hole_rule", "net_clearance_rule", "outline_rule",
           "short_rule"]


def _edge_pair_violations(rule, pairs: EdgePairs, layers, nets_of=None) -> list[Violation]:
    out = []
    d = pairs.distances()
    p = pairs.parts.astype(np.float64) * DBU
    for k in range(len(pairs)):
        a = tuple(float(v) for v in p[k, :4])
        b = tuple(float(v) for v in p[k, 4:])
        xs = (a[0], a[2], b[0], b[2])
        ys = (a[1], a[3], b[1], b[3])
        nets = nets_of(k) if nets_of else ()
        out.append(Violation(rule.id, rule.check, tuple(layers), nets, round(float(d[k]), 6), rule.limit_text,
                             ("edge_pair", (a, b)), (min(xs), min(ys), max(xs), max(ys)), rule.severity,
                             RELATIONS[int(pairs.rel[k])]))
    return out


def distance_rule(rule, layer: MergedLayer) -> list[Violation]:
    """width, space (notch + isolated), notch or isolated on one layer; mask_web is a space rule."""
    d = rule.min
    kw = {"width": {"width": d}, "space": {"notch": d, "isolated": d}, "notch": {"notch": d},
          "isolated": {"isolated": d}, "mask_web": {"notch": d, "isolated": d}}[rule.check]
    pairs = distance_checks(layer, **kw)
    return _edge_pair_violations(rule, pairs, (layer.name,))


def enclosure_rule(rule, outer: MergedLayer, inner: MergedLayer) -> list[Violation]:
    """`outer` encloses `inner` by at least rule.min (KLayout's enclosing_check)."""
    pairs = enclosure_check(outer, inner, rule.min)
    return _edge_pair_violations(rule, pairs, (outer.name, inner.name))


def outline_rule(rule, copper: MergedLayer, outline: MergedLayer) -> list[Violation]:
    """Copper at least rule.min inside the outline, and none outside it."""
    out = _edge_pair_violations(rule, enclosure_check(outline, copper, rule.min), (copper.name, outline.name))
    # copper beyond the outline: edges of copper crossing or lying outside the outline region
    if copper.n_edges and outline.n_edges:
        import shapely

        region = shapely.union_all([shapely.Polygon(outline.ring_points(c))
                                    for c in range(len(outline.contours()[2]) - 1)
                                    if outline.contours()[3][c] < 0])
        mid = np.column_stack(((copper.x1 + copper.x2) / 2, (copper.y1 + copper.y2) / 2)) * DBU
        outside = ~shapely.contains_xy(region, mid[:, 0], mid[:, 1])
        for poly in np.unique(copper.poly[outside]):
            sel = copper.poly == poly
            x0 = float(min(copper.x1[sel].min(), copper.x2[sel].min())) * DBU
            y0 = float(min(copper.y1[sel].min(), copper.y2[sel].min())) * DBU
            x1 = float(max(copper.x1[sel].max(), copper.x2[sel].max())) * DBU
            y1 = float(max(copper.y1[sel].max(), copper.y2[sel].max())) * DBU
            nets = tuple(sorted(copper.poly_nets[poly])) if copper.poly_nets else ()
            out.append(Violation(rule.id, rule.check, (copper.name, outline.name), nets, None,
                                 rule.limit_text, ("box", (x0, y0, x1, y1)), (x0, y0, x1, y1), rule.severity,
                                 "copper outside the outline"))
    return out


def _contour_polygon(layer: MergedLayer, c: int):
    pts = layer.ring_points(c)
    return tuple((float(x), float(y)) for x, y in pts)


def area_rule(rule, layer: MergedLayer) -> list[Violation]:
    """Merged polygons with an area below rule.min (µm²)."""
    areas = layer.polygon_areas()
    small = np.nonzero(areas < rule.min)[0]
    if not small.size:
        return []
    cid, _order, _start, carea = layer.contours()
    # the hull of each polygon: its contour of largest negative (clockwise) area
    out = []
    first = {}
    for e in range(layer.n_edges):
        c = cid[e]
        p = int(layer.poly[e])
        if carea[c] < 0 and (p not in first or carea[c] < carea[first[p]]):
            first[p] = c
    for p in small.tolist():
        pts = _contour_polygon(layer, first[p])
        xs = [x for x, _ in pts]
        ys = [y for _, y in pts]
        out.append(Violation(rule.id, rule.check, (layer.name,), tuple(sorted(layer.poly_nets[p]))
                             if layer.poly_nets else (), round(float(areas[p]), 6), rule.limit_text,
                             ("polygon", pts), (min(xs), min(ys), max(xs), max(ys)), rule.severity))
    return out


def hole_rule(rule, layer: MergedLayer) -> list[Violation]:
    """Holes (counter-clockwise contours) with an area below rule.min (µm²)."""
    _, _, _start, carea = layer.contours()
    out = []
    for c in np.nonzero((carea > 0) & (carea * DBU * DBU < rule.min))[0].tolist():
        pts = _contour_polygon(layer, c)
        xs = [x for x, _ in pts]
        ys = [y for _, y in pts]
        out.append(Violation(rule.id, rule.check, (layer.name,), (), round(float(carea[c]) * DBU * DBU, 6),
                             rule.limit_text, ("polygon", pts), (min(xs), min(ys), max(xs), max(ys)),
                             rule.severity))
    return out


def net_clearance_rule(rule, layer: MergedLayer, deck) -> list[Violation]:
    """Space between polygons of different nets below the larger of their classes' clearances."""
    default = rule.min or 0.0
    nets = layer.poly_nets
    if not nets or not any(nets):
        return []
    clear = [max([deck.clearance_of(n, default) for n in ns] or [default]) for ns in nets]
    dmax = max(clear)
    if dmax <= 0:
        return []
    pairs = distance_checks(layer, isolated=dmax)
    pa = layer.poly[pairs.a]
    pb = layer.poly[pairs.b]
    dist = pairs.distances()
    keep = np.zeros(len(pairs), bool)
    for k in range(len(pairs)):
        na, nb = nets[pa[k]], nets[pb[k]]
        if na and nb and na != nb:
            keep[k] = dist[k] < max(clear[pa[k]], clear[pb[k]]) - 1e-9
    sel = pairs.select(keep)
    pa = pa[keep]
    pb = pb[keep]
    return _edge_pair_violations(rule, sel, (layer.name,),
                                 lambda k: tuple(sorted(nets[pa[k]] | nets[pb[k]])))


def short_rule(rule, layer: MergedLayer) -> list[Violation]:
    """Merged polygons carrying more than one net (copper of different nets touching)."""
    out = []
    if not layer.poly_nets:
        return out
    bad = [p for p, nets in enumerate(layer.poly_nets) if len(nets) > 1]
    if not bad:
        return out
    lo_x = np.full(layer.n_polygons, np.iinfo(np.int64).max)
    lo_y = lo_x.copy()
    hi_x = np.full(layer.n_polygons, np.iinfo(np.int64).min)
    hi_y = hi_x.copy()
    np.minimum.at(lo_x, layer.poly, layer.x1)
    np.minimum.at(lo_y, layer.poly, layer.y1)
    np.maximum.at(hi_x, layer.poly, layer.x1)
    np.maximum.at(hi_y, layer.poly, layer.y1)
    for p in bad:
        box = (float(lo_x[p]) * DBU, float(lo_y[p]) * DBU, float(hi_x[p]) * DBU, float(hi_y[p]) * DBU)
        nets = tuple(sorted(layer.poly_nets[p]))
        out.append(Violation(rule.id, rule.check, (layer.name,), nets, None, rule.limit_text, ("box", box),
                             box, rule.severity, " touches ".join(nets)))
    return out
