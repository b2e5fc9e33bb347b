"""GDSII and OASIS layouts: substrate routing in and out, and a full layout export.

Coordinates are µm with a 1 nm database unit (gdstk ``unit=1e-6``,
``precision=1e-9``); layouts in other units are converted on reading, and every
coordinate read is snapped to the file's database grid.

Reading (:func:`read_layout`, and :func:`read_routing_source` for design files) maps
GDS layer/datatype pairs onto conductor layers and flattens the chosen cell, with every
reference (rotation, reflection, magnification, arrays) applied:

* a GDS ``PATH`` of constant width becomes a :class:`~sipkit.model.Trace`, its path
  type giving the ends (0 flush, 1 round, 2 extended; type 4 with extensions of zero
  or half the width is flush or extended).  Paths with other ends or a varying width
  become polygons.
* a ``BOUNDARY`` or ``BOX`` becomes a :class:`~sipkit.model.Shape`.  GDSII and OASIS
  have no holes: a plane with anti-pads is stored as a *keyhole* polygon, one ring that
  runs out to each hole along a zero-width cut and back.  Such a ring is a valid layout
  polygon but not a valid shapely one ("Ring Self-intersection"), so rings that shapely
  rejects are repaired with ``shapely.make_valid`` (linework method: regions alternate
  inside and outside across the ring's edges, the even-odd rule) into polygons with
  holes; the vertices that the cuts added on the boundary are dropped (simplification
  within one database unit).  A ring that really crosses itself (a bow tie) becomes
  one Shape per part; a ring of zero area is skipped.  Rings that shapely accepts are
  kept exactly as written.
* net names come from the GDS property attribute 1 (a string) of each element; when it
  is absent, from the text labels on the same layer/datatype lying inside the element,
  if they all agree.

Writing (:func:`write_routing_source`, :func:`export_layout`) is the reverse: traces are
paths with their width and ends, shapes polygons (shapes with holes written as keyhole
polygons cut by gdstk), each with its net as property attribute 1.  OASIS has no
round-ended paths, so in ``.oas`` files a round-ended trace is written with extended
ends and the named property ``SIPKIT_PATH_ENDS = "round"``, which :func:`read_layout`
honours (other tools see the slightly larger square ends).

Design files name their routing layout as::

    substrate:
      routing_gds: {file: routing.gds, cell: TOP, layers: {L1: 1/0, L2: 2/0}}

``cell`` may be left out when the layout has a single top cell.  Layer numbers are
``"L/D"`` texts (``"L"`` meaning datatype 0) or ``[L, D]`` lists.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from pathlib import Path

import numpy as np

from .._files import replacing
from ..errors import DesignError, LayoutError
from ..model import LayerRouting, Shape, Trace

__all__ = [
    "NET_PROPERTY",
    "SPAN_PROPERTY",
    "default_layer_map",
    "export_layout",
    "layer_spec",
    "read_layout",
    "read_routing_source",
    "write_routing_source",
]

#: GDS property attribute that carries the net name of an element.
NET_PROPERTY = 1
#: GDS property attribute of a drill hole in :func:`export_layout`: its span ``"L1:L2"``.
SPAN_PROPERTY = 2

_ENDS_PROPERTY = "SIPKIT_PATH_ENDS"
_UNIT = 1e-6
_PRECISION = 1e-9
_GRID = _PRECISION / _UNIT  # µm
_KINDS = {".gds": "gds", ".gds2": "gds", ".gdsii": "gds", ".oas": "oas", ".oasis": "oas"}
_MAX_LAYER = 65535
# Polygons are fractured above this many vertices: the GDSII limit of current readers
# (KLayout, gdstk) rather than the historic 199, so planes stay in few pieces.
_MAX_POINTS = 8190
# A fixed library date: the same package always writes the same bytes (diffable, and
# reproducible from seeded generators).
_TIMESTAMP = datetime.datetime(2000, 1, 1)


class _RequestError(Exception):
    """A problem with one entry of a layout request: ``where`` is file, cell or (layers, name)."""

    def __init__(self, where, message: str):
        super().__init__(message)
        self.where = where
        self.message = message


# --------------------------------------------------------------------------------------
# layer numbers


def layer_spec(value) -> tuple[int, int]:
    """Parse a GDS layer/datatype: ``"1/0"``, ``"1"`` (datatype 0), ``1`` or ``[1, 0]``.

    Raises
    ------
    ValueError
        With a message saying what is expected.

    Examples
    --------
    >>> layer_spec("69/20")
    (69, 20)
    >>> layer_spec([2, 0])
    (2, 0)
    """
    parts = None
    if isinstance(value, bool):
        parts = None
    elif isinstance(value, int):
        parts = (value, 0)
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+)\s*(?:/\s*(\d+)\s*)?", value)
        if m:
            parts = (int(m.group(1)), int(m.group(2) or 0))
    elif isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        parts = (int(value[0]), int(value[1]))
    if parts is None or not all(0 <= v <= _MAX_LAYER for v in parts):
        raise ValueError(f"expected a GDS layer/datatype such as \"1/0\" or [1, 0] (numbers 0 to "
                         f"{_MAX_LAYER}), got {value!r}")
    return parts


def _ld(pair) -> str:
    return f"{pair[0]}/{pair[1]}"


def _kind(path: Path) -> str | None:
    return _KINDS.get(path.suffix.lower())


# --------------------------------------------------------------------------------------
# reading


def read_layout(path: str | os.PathLike, layer_map: dict, cell: str | None = None) -> dict[str, LayerRouting]:
    """Read the routing of conductor layers from a GDSII (.gds) or OASIS (.oas) layout.

    Parameters
    ----------
    path : str or path-like
        The layout file.
    layer_map : dict
        Conductor layer name to GDS layer/datatype (``"1/0"`` or ``[1, 0]``).
    cell : str, optional
        Cell to read, flattened; the layout's single top cell by default.

    Returns
    -------
    dict of str to LayerRouting
        One entry per mapped layer, in the order of `layer_map`.

    Raises
    ------
    LayoutError
        A missing or unreadable file, an unknown cell, a malformed layer number, or a
        mapped layer/datatype the cell has no geometry on; naming the file and the
        field (``cell``, ``layers.L2``).

    Examples
    --------
    >>> routing = read_layout("routing.gds", {"L1": "1/0", "L2": "2/0"})  # doctest: +SKIP
    >>> routing["L1"].traces[0].net                                        # doctest: +SKIP
    'VDD'
    """
    path = Path(path)
    try:
        if not isinstance(layer_map, dict):
            raise _RequestError("layers", "expected a mapping of layer names to GDS layers, "
                                          f"got {layer_map!r}")
        layers = {}
        for name, value in layer_map.items():
            try:
                layers[name] = layer_spec(value)
            except ValueError as err:
                raise _RequestError(("layers", name), str(err)) from None
        return _read(path, layers, cell)
    except _RequestError as p:
        raise LayoutError(p.message, field=_field_of(p.where), file=str(path)) from None


def _field_of(where) -> str | None:
    if where == "file":
        return None
    if isinstance(where, tuple):
        return ".".join(where)
    return where


def read_routing_source(cur) -> list[LayerRouting]:
    """Read the ``substrate.routing_gds`` entry of a design document.

    Parameters
    ----------
    cur : sipkit._source.Cursor
        At the mapping ``{file, cell (optional), layers}``; ``file`` is relative to the
        design file.

    Returns
    -------
    list of LayerRouting
        In the order of ``layers``.

    Raises
    ------
    LayoutError
        Located at the design file's line and field (``substrate.routing_gds.layers.L2``),
        the message naming the layout file.
    """
    cur.mapping("a layout reference {file, cell, layers}")
    cur.check_keys(["file", "cell", "layers"])
    file_cur = cur["file"]
    path = file_cur.path_value()
    cell = cur["cell"].string() if cur.get("cell") is not None else None
    layers_cur = cur["layers"].mapping("a mapping of conductor layer names to GDS layers, e.g. {L1: 1/0}")
    layers = {}
    for name, child in layers_cur.items():
        if not isinstance(name, str):
            raise child.error(f"expected a layer name, got {name!r}", LayoutError)
        try:
            layers[name] = layer_spec(child.value)
        except ValueError as err:
            raise child.error(str(err), LayoutError) from None
    try:
        found = _read(path, layers, cell)
    except _RequestError as p:
        if p.where == "file":
            target = file_cur
        elif p.where == "cell":
            target = cur["cell"] if cur.get("cell") is not None else cur
        else:
            target = layers_cur[p.where[1]]
        raise target.error(p.message, LayoutError) from None
    return list(found.values())


def _load(path: Path):
    """The gdstk library of a layout file, in µm."""
    import gdstk

    kind = _kind(path)
    if kind is None:
        raise _RequestError("file", f"unknown layout type {path.suffix!r} ({path.name}); "
                                    "expected .gds or .oas")
    if not path.is_file():
        raise _RequestError("file", f"no such layout file {str(path)!r}")
    try:
        reader = gdstk.read_gds if kind == "gds" else gdstk.read_oas
        return reader(str(path), unit=_UNIT)
    except Exception as err:  # gdstk raises OSError/RuntimeError with its own text
        fmt = "GDSII" if kind == "gds" else "OASIS"
        raise _RequestError("file", f"cannot read {path.name} as {fmt}: {err}") from None


def _pick_cell(lib, path: Path, cell: str | None):
    cells = {c.name: c for c in lib.cells}
    if cell is not None:
        if cell not in cells:
            close = difflib.get_close_matches(cell, list(cells), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            tops = ", ".join(c.name for c in lib.top_level()) or "none"
            raise _RequestError("cell", f"{path.name} has no cell {cell!r}{hint}; top cells: {tops}")
        return cells[cell]
    tops = lib.top_level()
    if len(tops) == 1:
        return tops[0]
    if not tops:
        raise _RequestError("file", f"{path.name} contains no cells")
    names = ", ".join(sorted(c.name for c in tops))
    raise _RequestError("cell", f"{path.name} has {len(tops)} top cells ({names}); name one with 'cell:'")


def _snapper(lib):
    """Round coordinates (µm) to the layout's database grid."""
    factor = _UNIT / lib.precision if lib.precision > 0 else 1.0 / _GRID
    if abs(factor - round(factor)) < 1e-6 * factor:
        factor = float(round(factor))
    grid = 1.0 / factor

    def snap(values):
        return np.round(np.asarray(values, dtype=float) * factor) / factor

    return snap, grid


def _net_of(element) -> str | None:
    value = element.get_gds_property(NET_PROPERTY)
    if value is None:
        return None
    value = value.rstrip("\x00")
    return value or None


def _read(path: Path, layers: dict[str, tuple[int, int]], cell: str | None) -> dict[str, LayerRouting]:
    seen: dict[tuple[int, int], str] = {}
    for name, ld in layers.items():
        if ld in seen:
            raise _RequestError(("layers", name), f"layers {seen[ld]!r} and {name!r} both map to {_ld(ld)}")
        seen[ld] = name
    lib = _load(path)
    top = _pick_cell(lib, path, cell)
    snap, grid = _snapper(lib)
    polygons: dict[tuple[int, int], list] = {}
    for p in top.get_polygons(apply_repetitions=True, include_paths=False):
        polygons.setdefault((p.layer, p.datatype), []).append(p)
    paths: dict[tuple[int, int], list] = {}
    for p in top.get_paths(apply_repetitions=True):
        for i, ld in enumerate(zip(p.layers, p.datatypes, strict=True)):
            paths.setdefault(ld, []).append((p, i))
    present = set(polygons) | set(paths)
    for name, ld in layers.items():
        if ld not in present:
            listed = ", ".join(_ld(x) for x in sorted(present)) or "none"
            raise _RequestError(("layers", name), f"{path.name} (cell {top.name!r}) has no geometry on layer "
                                              f"{_ld(ld)}; layers present: {listed}")
    labels: dict[tuple[int, int], list] = {}
    for lb in top.get_labels(apply_repetitions=True):
        labels.setdefault((lb.layer, lb.texttype), []).append(lb)
    oasis = _kind(path) == "oas"
    out = {}
    for name, ld in layers.items():
        traces, shapes = [], []
        for p in polygons.get(ld, ()):
            shapes += _shapes(snap(p.points), _net_of(p), grid)
        for p, i in paths.get(ld, ()):
            _convert_path(p, i, snap, grid, oasis, traces, shapes)
        if labels.get(ld):
            traces, shapes = _label_nets(traces, shapes, labels[ld], snap)
        out[name] = LayerRouting.from_internal(layer=name, traces=tuple(traces), shapes=tuple(shapes))
    return out


def _path_points(points) -> list[tuple[float, float]]:
    """Points as float tuples without repeated consecutive points."""
    out: list[tuple[float, float]] = []
    for x, y in np.asarray(points, dtype=float).tolist():
        if not out or (x, y) != out[-1]:
            out.append((x, y))
    return out


def _ring(points) -> list[tuple[float, float]]:
    """A polygon's points as float tuples without repeated or closing points."""
    out = _path_points(points)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _shapes(points, net: str | None, grid: float) -> list[Shape]:
    """Shapes for one layout polygon; keyhole and self-crossing rings are repaired."""
    import shapely

    ring = _ring(points)
    if len(ring) < 3:
        return []
    poly = shapely.Polygon(ring)
    if poly.is_valid:
        if poly.area <= 0:
            return []
        return [Shape.from_internal(points=tuple(ring), holes=(), net=net)]
    # linework: every ring edge kept, faces alternate in and out, so a hole is a hole
    # whichever way the keyhole runs round it; the collapsed cuts come back as lines
    fixed = shapely.make_valid(poly, method="linework")
    parts = shapely.get_parts(shapely.get_parts(fixed))
    out = []
    for part in parts:
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        part = shapely.orient_polygons(shapely.simplify(part, grid, preserve_topology=True))
        if part.is_empty or part.area <= 0 or not part.is_valid:
            continue
        holes = tuple(tuple(map(tuple, r.coords[:-1])) for r in part.interiors)
        out.append(Shape.from_internal(points=tuple(map(tuple, part.exterior.coords[:-1])), holes=holes,
                                       net=net))
    return out


_GDS_ENDS = ("flush", "extended", "round")


def _ends_of(path, i: int, width: float, grid: float, oasis: bool) -> str | None:
    """The model's end style of sub-path `i`, or None if it has no model equivalent."""
    ends = path.ends[i]
    if isinstance(ends, tuple) and len(ends) == 2 and all(isinstance(v, (int, float)) for v in ends):
        if all(abs(v) <= grid / 2 for v in ends):
            ends = "flush"
        elif all(abs(v - width / 2) <= grid / 2 for v in ends):
            ends = "extended"
    if ends not in _GDS_ENDS:
        return None
    if oasis and ends == "extended":
        for prop in path.properties:
            if prop[0] == _ENDS_PROPERTY and len(prop) > 1 and _text(prop[1]) == "round":
                return "round"
    return ends


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").rstrip("\x00")
    return str(value)


def _convert_path(path, i: int, snap, grid: float, oasis: bool, traces: list, shapes: list) -> None:
    """Append sub-path `i` of a gdstk path as a Trace or, failing that, as Shapes."""
    net = _net_of(path)
    if getattr(path, "simple_path", False):
        widths = snap(path.widths()[:, i])
        offsets = path.offsets()[:, i]
        width = float(widths[0])
        ends = _ends_of(path, i, width, grid, oasis)
        if ends is not None and width > 0 and np.all(widths == width) and np.all(np.abs(offsets) <= grid / 2):
            pts = _path_points(snap(path.spine()))
            if len(pts) >= 2:
                traces.append(Trace.from_internal(points=tuple(pts), width=width, net=net, ends=ends))
            return
    layer, datatype = path.layers[i], path.datatypes[i]
    for poly in path.to_polygons():
        if (poly.layer, poly.datatype) == (layer, datatype):
            shapes += _shapes(snap(poly.points), net, grid)


def _label_nets(traces: list, shapes: list, labels: list, snap):
    """Fill missing nets from text labels lying inside an element (if they agree)."""
    import shapely

    from ..model.geometry import trace_polygon

    if all(t.net for t in traces) and all(s.net for s in shapes):
        return traces, shapes
    points = shapely.points(snap([lb.origin for lb in labels]))
    texts = [lb.text for lb in labels]
    tree = shapely.STRtree(points)

    def found(geom):
        hits = {texts[k] for k in tree.query(geom, predicate="covers")}
        return hits.pop() if len(hits) == 1 else None

    traces = [t if t.net else t.replace(net=found(trace_polygon(t))) for t in traces]
    shapes = [s if s.net else s.replace(net=found(shapely.Polygon(s.points, s.holes))) for s in shapes]
    return traces, shapes


# --------------------------------------------------------------------------------------
# writing


def _cell_name(name: str) -> str:
    """A GDSII structure name: letters, digits, ``_ ? $``, at most 32 characters."""
    clean = re.sub(r"[^A-Za-z0-9_?$]", "_", name)[:32]
    return clean or "TOP"


def _add_trace(cell, trace, ld, oasis: bool) -> None:
    import gdstk

    round_in_oasis = oasis and trace.ends == "round"
    path = gdstk.FlexPath(trace.points, trace.width, ends="extended" if round_in_oasis else trace.ends,
                          simple_path=True, layer=ld[0], datatype=ld[1])
    if trace.net:
        path.set_gds_property(NET_PROPERTY, trace.net)
    if round_in_oasis:
        path.set_property(_ENDS_PROPERTY, "round")
    cell.add(path)


def _shape_polygons(shape, ld) -> list:
    """Layout polygons of a Shape: itself, or a keyhole polygon when it has holes."""
    import gdstk

    if not shape.holes:
        return [gdstk.Polygon(shape.points, layer=ld[0], datatype=ld[1])]
    return gdstk.boolean(gdstk.Polygon(shape.points), [gdstk.Polygon(h) for h in shape.holes], "not",
                         precision=_GRID, layer=ld[0], datatype=ld[1])


def _add_polygons(cell, polys, net: str | None) -> None:
    for p in polys:
        if net:
            p.set_gds_property(NET_PROPERTY, net)
        cell.add(p)


def _add_routing(cell, routing, ld, oasis: bool) -> None:
    for t in routing.traces:
        _add_trace(cell, t, ld, oasis)
    for s in routing.shapes:
        _add_polygons(cell, _shape_polygons(s, ld), s.net)


def _write(lib, path: Path) -> None:
    """Write `lib` to `path` by way of a temporary file, never leaving half a file."""
    kind = _kind(path)
    if kind is None:
        raise LayoutError(f"unknown layout type {path.suffix!r}; expected .gds or .oas", file=str(path))
    with replacing(path) as tmp:
        if kind == "gds":
            lib.write_gds(str(tmp), max_points=_MAX_POINTS, timestamp=_TIMESTAMP)
        else:
            lib.write_oas(str(tmp))


def _new_library():
    import gdstk

    return gdstk.Library("SIPKIT", unit=_UNIT, precision=_PRECISION)


def write_routing_source(pkg, path: str | os.PathLike, relative_to: str | os.PathLike) -> dict:
    """Write the substrate routing of `pkg` to a GDSII or OASIS file.

    The i-th conductor layer of the stack-up (top first) goes to GDS layer i+1,
    datatype 0: traces as paths (width, ends), shapes as polygons (keyhole polygons
    when they have holes), nets as property attribute 1.  Routing entries without any
    trace or shape are left out (a layout cannot hold an empty layer).

    Parameters
    ----------
    pkg : Package
    path : str or path-like
        ``.gds`` or ``.oas`` file to write.
    relative_to : str or path-like
        Folder of the design file that will reference the layout.

    Returns
    -------
    dict
        The ``routing_gds`` entry for the design file: ``{file, cell, layers}``.
    """
    path = Path(path)
    if _kind(path) is None:
        raise LayoutError(f"unknown layout type {path.suffix!r}; expected .gds or .oas", file=str(path))
    sub = pkg.substrate
    numbers = {la.name: (i + 1, 0) for i, la in enumerate(sub.conductor_layers)}
    lib = _new_library()
    cell = lib.new_cell(_cell_name(pkg.name))
    oasis = _kind(path) == "oas"
    layers = {}
    for r in sub.routing:
        if not r.traces and not r.shapes:
            continue
        ld = numbers[r.layer]
        _add_routing(cell, r, ld, oasis)
        layers[r.layer] = _ld(ld)
    _write(lib, path)
    try:
        file = Path(os.path.relpath(path.resolve(), Path(relative_to).resolve())).as_posix()
    except ValueError:  # another drive
        file = str(path.resolve())
    return {"file": file, "cell": cell.name, "layers": layers}


# --------------------------------------------------------------------------------------
# full layout export

_FIXED_LAYERS = {
    "DRILL": (60, 0),
    "OUTLINE": (100, 0),
    "DIE_TOP": (110, 0),
    "DIE_BOTTOM": (111, 0),
    "INTERPOSER_TOP": (112, 0),
    "INTERPOSER_BOTTOM": (113, 0),
    "PASSIVE_TOP": (120, 0),
    "PASSIVE_BOTTOM": (121, 0),
}


def default_layer_map(pkg) -> dict[str, str]:
    """The default layer map of :func:`export_layout` for `pkg` (name to ``"L/D"``)."""
    sub = pkg.substrate
    out = {la.name: (i + 1, 0) for i, la in enumerate(sub.conductor_layers)}
    masks = [la.name for la in sub.stackup if la.kind == "solder_mask"]
    out.update({name: (70 + j, 0) for j, name in enumerate(masks)})
    for name, ld in _FIXED_LAYERS.items():
        if name in out:
            raise DesignError(f"stack-up layer {name!r} has the name of a layout layer; rename it to "
                              "export a layout", "substrate.stackup")
        out[name] = ld
    return {k: _ld(v) for k, v in out.items()}


def export_layout(pkg, path: str | os.PathLike, layer_map: dict | None = None, *,
                  cell: str | None = None) -> dict[str, str]:
    """Write a full layout of the package to a GDSII (.gds) or OASIS (.oas) file.

    Every element carries its net name (when it has one) as GDS property attribute 1.
    Coordinates are µm on a 1 nm database grid; round pads are regular polygons of
    :data:`sipkit.model.geometry.CIRCLE_SEGMENTS` vertices, as in the model.

    Default layer map (``L/D``):

    =====================  ======  ====================================================
    name                   L/D     contents
    =====================  ======  ====================================================
    i-th conductor (L1..)  i/0     traces (paths), shapes, via pads on every layer of
                                   their span, bond fingers, lands
    DRILL                  60/0    via holes (circles of the drill diameter); property
                                   attribute 2 holds the span, e.g. ``"L1:L2"``
    j-th solder mask       70+j/0  mask openings (j = 0 for the top mask layer)
    OUTLINE                100/0   substrate outline
    DIE_TOP / DIE_BOTTOM   110/0,  die footprints, with the die name as a text label
                           111/0
    INTERPOSER_TOP/BOTTOM  112/0,  interposer footprints and names
                           113/0
    PASSIVE_TOP/BOTTOM     120/0,  passive footprints and names
                           121/0
    =====================  ======  ====================================================

    Parameters
    ----------
    pkg : Package
    path : str or path-like
    layer_map : dict, optional
        Overrides of the default map: name to ``"L/D"``/``[L, D]``, or None to leave
        that layer out.
    cell : str, optional
        Name of the cell written; the package name by default.

    Returns
    -------
    dict
        The layer map of the layers written (name to ``"L/D"``); the conductor entries
        can be passed to :func:`read_layout` as they are.

    Examples
    --------
    >>> export_layout(pkg, "module.oas", {"DRILL": None})   # doctest: +SKIP
    {'L1': '1/0', 'L2': '2/0', 'SM1': '70/0', 'OUTLINE': '100/0', ...}
    """
    import gdstk

    from ..model.geometry import circle

    path = Path(path)
    if _kind(path) is None:
        raise LayoutError(f"unknown layout type {path.suffix!r}; expected .gds or .oas", file=str(path))
    sub = pkg.substrate
    chosen: dict[str, tuple[int, int] | None] = {k: layer_spec(v) for k, v in default_layer_map(pkg).items()}
    for key, value in (layer_map or {}).items():
        if key not in chosen:
            raise DesignError(f"unknown layout layer {key!r}; layers: {', '.join(chosen)}",
                              f"layer_map.{key}")
        try:
            chosen[key] = None if value is None else layer_spec(value)
        except ValueError as err:
            raise DesignError(str(err), f"layer_map.{key}") from None

    lib = _new_library()
    top = lib.new_cell(cell or _cell_name(pkg.name))
    oasis = _kind(path) == "oas"
    used: dict[str, str] = {}

    def target(name):
        ld = chosen.get(name)
        if ld is not None:
            used[name] = _ld(ld)
        return ld

    def ring(geom):
        return list(geom.exterior.coords)[:-1]

    conductors = [la.name for la in sub.conductor_layers]
    order = {c: i for i, c in enumerate(conductors)}
    vias = sub.all_vias()
    lands = sub.all_lands()
    for name in conductors:
        items = []  # (polygon points, net) of pads, fingers and lands
        items += [(ring(circle(v.at, v.pad)), v.net) for v in vias
                  if order[v.from_layer] <= order[name] <= order[v.to_layer]]
        items += [(f.polygon, f.net) for f in sub.fingers if (f.layer or conductors[0]) == name]
        items += [(ring(circle(land.at, land.diameter)), land.net) for land in lands
                  if (land.layer or conductors[-1]) == name]
        routing = sub.routing_of(name)
        if not items and (routing is None or not (routing.traces or routing.shapes)):
            continue
        ld = target(name)
        if ld is None:
            continue
        if routing is not None:
            _add_routing(top, routing, ld, oasis)
        for pts, net in items:
            _add_polygons(top, [gdstk.Polygon(pts, layer=ld[0], datatype=ld[1])], net)
    if vias and (ld := target("DRILL")) is not None:
        for v in vias:
            poly = gdstk.Polygon(ring(circle(v.at, v.drill)), layer=ld[0], datatype=ld[1])
            poly.set_gds_property(SPAN_PROPERTY, f"{v.from_layer}:{v.to_layer}")
            _add_polygons(top, [poly], v.net)
    for m in sub.mask_openings:
        if (ld := target(m.layer)) is not None:
            top.add(gdstk.Polygon(m.points, layer=ld[0], datatype=ld[1]))
    if (ld := target("OUTLINE")) is not None:
        top.add(gdstk.Polygon(sub.outline, layer=ld[0], datatype=ld[1]))
    groups = (("DIE", pkg.dies), ("INTERPOSER", pkg.interposers), ("PASSIVE", pkg.passives))
    for prefix, bodies in groups:
        for b in bodies:
            ld = target(f"{prefix}_{b.side.upper()}")
            if ld is None:
                continue
            x0, y0, x1, y1 = b.footprint
            rect = gdstk.rectangle((x0, y0), (x1, y1), layer=ld[0], datatype=ld[1])
            _add_polygons(top, [rect], getattr(b, "net", None))
            top.add(gdstk.Label(b.name, b.at, layer=ld[0], texttype=ld[1]))
    _write(lib, path)
    return used
