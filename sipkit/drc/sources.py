"""Where the geometry of a check comes from: a package model or a GDSII/OASIS layout.

Both give merged layers by name (:class:`~sipkit.drc.layers.MergedLayer`, built once
per layer and kept).  Layouts are read with gdstk straight into flat ring arrays,
without building model objects, so that layouts of millions of edges stay cheap.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DesignError, LayoutError
from .layers import DBU, MergedLayer, merge_rings, rings_from_points, rings_from_shapely

__all__ = ["LayoutSource", "PackageSource", "read_layout_rings"]

_LAYOUT_SUFFIXES = (".gds", ".gds2", ".gdsii", ".oas", ".oasis")


class PackageSource:
    """Layers of a :class:`~sipkit.model.Package`: conductor layers, ``OUTLINE``, ``DRILL``."""

    kind = "package"

    def __init__(self, pkg):
        self.pkg = pkg
        self.name = pkg.name
        self._cache: dict[str, MergedLayer] = {}

    def has_layer(self, name: str) -> bool:
        """Whether the package has a layer of that name."""
        if name in ("OUTLINE", "DRILL"):
            return True
        return any(la.name == name for la in self.pkg.substrate.conductor_layers)

    def shapes(self, name: str):
        """Unmerged (shapely polygon, net) of a layer."""
        import shapely

        from ..model.geometry import circle, layer_polygons

        if name == "OUTLINE":
            return [(shapely.Polygon(self.pkg.substrate.outline), None)]
        if name == "DRILL":
            return [(circle(v.at, v.drill), v.net) for v in self.pkg.substrate.all_vias()]
        return layer_polygons(self.pkg, name)

    def layer(self, name: str) -> MergedLayer:
        """The merged layer `name`."""
        if name not in self._cache:
            if not self.has_layer(name):
                layers = ", ".join(la.name for la in self.pkg.substrate.conductor_layers)
                raise DesignError(f"the package has no conductor layer {name!r}; layers: {layers}")
            items = self.shapes(name)
            polys = [p for p, _ in items]
            netnames = sorted({n for _, n in items if n})
            index = {n: i for i, n in enumerate(netnames)}
            xs, ys, start, sign, owner = rings_from_shapely(polys)
            ring_net = np.asarray([index.get(items[o][1], -1) if items[o][1] else -1 for o in owner],
                                  np.int64)
            self._cache[name] = merge_rings(name, xs, ys, start, sign, ring_net, netnames)
        return self._cache[name]


def _load_library(path: Path):
    import gdstk

    suffix = path.suffix.lower()
    if suffix not in _LAYOUT_SUFFIXES:
        raise LayoutError(f"unknown layout type {suffix!r}; expected .gds or .oas", file=str(path))
    if not path.is_file():
        raise LayoutError("no such layout file", file=str(path))
    try:
        reader = gdstk.read_oas if suffix in (".oas", ".oasis") else gdstk.read_gds
        return reader(str(path), unit=1e-6)
    except Exception as err:
        raise LayoutError(f"cannot read the layout: {err}", file=str(path)) from None


def read_layout_rings(lib, layers: dict, cell: str | None = None, name: str = "layout"):
    """Flat ring arrays per layer name from a gdstk Library (µm), paths as polygons.

    Returns a dict name -> (xs, ys, ring_start) in database units.
    """
    tops = lib.top_level()
    if cell is not None:
        cells = {c.name: c for c in lib.cells}
        if cell not in cells:
            raise LayoutError(f"no cell {cell!r}; top cells: {', '.join(c.name for c in tops)}", file=name)
        top = cells[cell]
    elif len(tops) == 1:
        top = tops[0]
    elif not tops:
        raise LayoutError("the layout has no cells", file=name)
    else:
        raise LayoutError(f"the layout has {len(tops)} top cells ({', '.join(sorted(c.name for c in tops))}); "
                          "name one", file=name)
    factor = lib.unit / 1e-6 if lib.unit else 1.0
    out = {}
    for lname, (la, dt) in layers.items():
        polys = top.get_polygons(apply_repetitions=True, include_paths=True, layer=la, datatype=dt)
        if not polys:
            out[lname] = None
            continue
        pts = [p.points for p in polys]
        lens = np.fromiter((len(p) for p in pts), np.int64, len(pts))
        xy = np.concatenate(pts) * (factor / DBU)
        q = np.round(xy).astype(np.int64)
        start = np.zeros(len(pts) + 1, np.int64)
        np.cumsum(lens, out=start[1:])
        out[lname] = (np.ascontiguousarray(q[:, 0]), np.ascontiguousarray(q[:, 1]), start)
    return out, top.name


class LayoutSource:
    """Layers of a GDSII/OASIS layout through a deck's layer map."""

    kind = "layout"

    def __init__(self, layout, layer_map: dict, cell: str | None = None):
        if isinstance(layout, (str, os.PathLike)):
            path = Path(layout)
            self.name = path.name
            lib = _load_library(path)
        else:
            self.name = getattr(layout, "name", "layout")
            lib = layout
        self.layer_map = dict(layer_map)
        self._rings, self.cell = read_layout_rings(lib, self.layer_map, cell, self.name)
        self._cache: dict[str, MergedLayer] = {}

    def has_layer(self, name: str) -> bool:
        """Whether the layer is mapped and has shapes."""
        return self._rings.get(name) is not None

    def layer(self, name: str) -> MergedLayer:
        """The merged layer `name` (empty when the layout has nothing on it)."""
        if name not in self._cache:
            if name not in self.layer_map:
                raise DesignError(f"layer {name!r} is not in the deck's layer map "
                                  f"({', '.join(self.layer_map) or 'empty'})")
            rings = self._rings.get(name)
            if rings is None:
                rings = rings_from_points([])[:3]
            self._cache[name] = merge_rings(name, *rings)
        return self._cache[name]


def open_source(obj, deck):
    """A geometry source for a Package, a design file, a layout file or a gdstk Library."""
    from ..model import Package

    if isinstance(obj, Package):
        return PackageSource(obj)
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if path.suffix.lower() in _LAYOUT_SUFFIXES:
            if not deck.layer_map:
                raise DesignError(f"deck {deck.name!r} has no layer map (layers: {{L1: 1/0, ...}}) to read "
                                  "a layout with")
            return LayoutSource(path, deck.layer_map)
        from ..io import load

        return PackageSource(load(path))
    if hasattr(obj, "top_level") and hasattr(obj, "cells"):
        return LayoutSource(obj, deck.layer_map)
    raise DesignError(f"expected a Package, a design or layout file, or a gdstk Library, got {type(obj).__name__}")
