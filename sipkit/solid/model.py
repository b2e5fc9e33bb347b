"""The solid model: cuboids with materials and power, boundaries and probes.

This is the lowered form of a package that the physics engines share (thermal
voxelises it, warpage reads the stack under each tile), and a file format users can
write by hand::

    units: mm                        # lengths of boxes, tiles, regions and probes
    materials:
      si:   {k: 148, rho: 2330, cp: 705, E: 131, nu: 0.28, cte: 2.6}
      sub:  {k: [20, 20, 0.6], E: 26, nu: 0.2, cte: 15}
    boxes:                           # later boxes override earlier ones where they overlap
      - {name: substrate, min: [0, 0, 0], max: [15, 15, 0.4], material: sub}
      - {name: die, min: [2.5, 2.5, 0.45], max: [12.5, 12.5, 0.75], material: si, power: 2.0}
    boundaries:                      # exposed faces by outward normal; others adiabatic
      - {face: +z, h: 10, ambient: 25}
      - {face: -z, T: 25, where: {min: [0, 0, 0], max: [15, 15, 0]}}   # fixed temperature
    probes: {die_center: [7.5, 7.5, 0.75]}
    stress_free: 175

Materials not given inline come from the built-in cards and ``material_paths``.
``power`` is uniform in the box volume (``power_on: volume``) or a uniform flux on its
top or bottom face (``power_on: top|bottom``).  Power belongs to the box's region:
where a later box overrides the material, the power stays.  A box may carry ``tiles``
(per-tile metal coverage, see :mod:`sipkit.solid.tiles`).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .._schema import Spec, choice, flag, many, names, nested, quantity, read_fields, text, to_data, vector3
from .._source import Cursor, read_document
from ..errors import DesignError
from ..materials import Material, MaterialLibrary, resolve_library
from ..units import Q_, to_internal
from .tiles import TileMap, Tiles

__all__ = ["FACES", "Boundary", "Contact", "Region", "SolidBox", "SolidModel", "load_solid", "read_solid",
           "save_solid", "solid_to_dict"]

#: Faces a boundary can name: one outward normal, ``sides`` (±x, ±y) or ``all``.
FACES = ("+x", "-x", "+y", "-y", "+z", "-z", "sides", "all")
POWER_ON = ("volume", "top", "bottom")
FORMAT_VERSION = 1


def _point3(cur: Cursor) -> tuple[float, float, float]:
    items = cur.sequence("a point [x, y, z]")
    if len(items) != 3:
        raise cur.error(f"expected a point [x, y, z], got {len(items)} values")
    return tuple(c.length() for c in items)


def _check_box(lo, hi, field: str = "max"):
    if not all(b > a for a, b in zip(lo, hi, strict=True)):
        raise DesignError(f"max must exceed min along x, y and z, got min {list(lo)} and max {list(hi)}",
                          field)


@dataclass(frozen=True)
class Region(Spec):
    """An axis-aligned region ``{min: [x, y, z], max: [x, y, z]}`` (µm), bounds included."""

    min: tuple = vector3("length")
    max: tuple = vector3("length")

    def _validate(self):
        if not all(b >= a for a, b in zip(self.min, self.max, strict=True)):
            raise DesignError("max must not be below min", "max")

    @classmethod
    def _from_cursor(cls, cur):
        kwargs = read_fields(cls, cur, readers={"min": _point3, "max": _point3})
        return cur.build(cls, **kwargs)

    def contains(self, x, y, z, tol: float = 1e-6):
        """Whether points lie inside (arrays broadcast), with a tolerance in µm."""
        return ((x >= self.min[0] - tol) & (x <= self.max[0] + tol) & (y >= self.min[1] - tol)
                & (y <= self.max[1] + tol) & (z >= self.min[2] - tol) & (z <= self.max[2] + tol))


@dataclass(frozen=True)
class SolidBox(Spec):
    """A cuboid of one material, optionally powered and with per-tile metal coverage.

    Parameters
    ----------
    name : str
        Unique name (results are reported per box).
    min, max : [x, y, z]
        Opposite corners (µm).
    material : str
        Material card; with `tiles`, the matrix between the metal.
    power : float
        Dissipation (W), 0 by default.
    power_on : {"volume", "top", "bottom"}
        Uniform in the volume, or a uniform flux on the top or bottom face.
    role : str, optional
        What the box stands for (``die``, ``layer``, ``mold``, ``board``, ...); engines
        use ``die`` boxes for junction temperatures.
    owner : str, optional
        The component the box belongs to (boxes of one die share it).
    tiles : Tiles or mapping, optional
        Metal coverage per tile (:class:`~sipkit.solid.tiles.TileMap` or
        :class:`~sipkit.solid.tiles.GeometryTiles`); a mapping is read as a TileMap.
    """

    name: str = text()
    min: tuple = vector3("length")
    max: tuple = vector3("length")
    material: str = text()
    power: float = quantity("power", 0.0, min=0.0)
    power_on: str = choice(POWER_ON, "volume")
    role: str | None = text(None)
    owner: str | None = text(None)
    tiles: Tiles | None = None

    def _validate(self):
        _check_box(self.min, self.max)
        if isinstance(self.tiles, Mapping):
            try:
                object.__setattr__(self, "tiles", TileMap(**self.tiles))
            except TypeError as err:
                raise DesignError(f"expected tiles {{metal, x, y, fraction, column}}: {err}",
                                  "tiles") from None
            except DesignError as err:
                raise DesignError(err.message, f"tiles.{err.field}" if err.field else "tiles") from None
        elif self.tiles is not None and not isinstance(self.tiles, Tiles):
            raise DesignError(f"expected a tile map, got {self.tiles!r}", "tiles")

    @classmethod
    def _from_cursor(cls, cur):
        kwargs = read_fields(cls, cur, skip=("tiles",), readers={"min": _point3, "max": _point3})
        tiles = cur.get("tiles")
        if tiles is not None:
            kwargs["tiles"] = _read_tiles(tiles)
        return cur.build(cls, **kwargs)

    @property
    def bounds(self) -> tuple[float, float, float, float, float, float]:
        """(x0, y0, z0, x1, y1, z1) in µm."""
        return (*self.min, *self.max)

    @property
    def volume(self) -> float:
        """Volume (µm³)."""
        return math.prod(b - a for a, b in zip(self.min, self.max, strict=True))


def _read_tiles(cur: Cursor) -> TileMap:
    cur.mapping("a tile map {metal, x, y, fraction, column}")
    cur.check_keys(["metal", "x", "y", "fraction", "column"])
    kwargs = {"metal": cur["metal"].string()}
    for key in ("x", "y"):
        kwargs[key] = [c.length() for c in cur[key].sequence("a list of tile edges")]
    for key in ("fraction", "column"):
        sub = cur.get(key)
        if sub is None:
            continue
        rows = []
        for row in sub.sequence("a table (a list of rows along y)"):
            rows.append([c.quantity("dimensionless") for c in row.sequence("a row of fractions")])
        kwargs[key] = rows
    try:
        return TileMap(**kwargs)
    except DesignError as err:
        raise cur.locate(err) from None


@dataclass(frozen=True)
class Boundary(Spec):
    """A thermal boundary on the exposed faces of the solid.

    Parameters
    ----------
    face : {"+x", "-x", "+y", "-y", "+z", "-z", "sides", "all"}
        Outward normal of the faces it applies to; ``sides`` is ±x and ±y.
    h : float, optional
        Heat transfer coefficient, W/(m²·K) (convection plus linearised radiation).
    ambient : float, optional
        Ambient temperature (°C) for `h`; the model's ambient by default.
    T : float, optional
        Fixed face temperature (°C), e.g. a cold plate. Give `h` or `T`.
    where : Region, optional
        Only faces whose centre lies in this region.
    outermost : bool
        Only faces on the outermost plane of the solid along the normal (e.g. the
        top of the package for a cold plate).
    name : str, optional
        Label used when reporting the heat leaving through it.
    """

    face: str = choice(FACES)
    h: float | None = quantity("htc", None, min=0.0)
    ambient: float | None = quantity("temperature", None)
    T: float | None = quantity("temperature", None)
    where: Region | None = nested(Region)
    outermost: bool = flag(False)
    name: str | None = text(None)

    def _validate(self):
        if (self.h is None) == (self.T is None):
            raise DesignError("give either h (convection) or T (fixed temperature)", "h")
        if self.T is not None and self.ambient is not None:
            raise DesignError("a fixed-temperature face has no ambient; remove it", "ambient")

    @property
    def normals(self) -> tuple[str, ...]:
        """The single outward normals this boundary covers."""
        if self.face == "sides":
            return ("+x", "-x", "+y", "-y")
        if self.face == "all":
            return ("+x", "-x", "+y", "-y", "+z", "-z")
        return (self.face,)

    @property
    def label(self) -> str:
        """Its name, or a description such as ``+z h=10``."""
        if self.name:
            return self.name
        return f"{self.face} " + (f"h={self.h:g}" if self.h is not None else f"T={self.T:g}")


def _contact_resistance(value, field: str) -> float:
    """A contact resistance in m²·K/W from a number or a string with units."""
    if isinstance(value, str):
        try:
            return float(Q_(value).to("m**2*K/W").magnitude)
        except Exception:  # noqa: S110 - not a quantity with units: try a bare number below
            pass
        try:
            value = float(value)
        except ValueError:
            raise DesignError(f"expected a contact resistance (m²·K/W), got {value!r}", field) from None
    x = to_internal(value, "dimensionless", field)
    if x < 0:
        raise DesignError(f"must not be negative, got {value!r}", field)
    return x


@dataclass(frozen=True)
class Contact(Spec):
    """A thermal contact resistance between two boxes (or two components).

    Parameters
    ----------
    between : [a, b]
        Names of boxes or owners; the resistance applies on every face shared by a
        cell of `a` and a cell of `b`.
    resistance : float or str
        Area-specific resistance, m²·K/W (``"10 K*mm**2/W"`` works too).
    """

    between: tuple = names()
    resistance: float = dataclasses.field(default=0.0)

    def _validate(self):
        if len(self.between) != 2 or self.between[0] == self.between[1]:
            raise DesignError("expected two different names [a, b]", "between")
        object.__setattr__(self, "resistance", _contact_resistance(self.resistance, "resistance"))

    @classmethod
    def _from_cursor(cls, cur):
        kwargs = read_fields(cls, cur, skip=("resistance",))
        if not cur.has("resistance"):
            raise cur.error("missing required field 'resistance'")
        kwargs["resistance"] = cur["resistance"].value
        return cur.build(cls, **kwargs)


@dataclass(frozen=True)
class SolidModel(Spec):
    """Cuboids with materials and power, boundaries, contacts and probes.

    Parameters
    ----------
    name : str
    boxes : list of SolidBox
        In precedence order: later boxes override earlier ones where they overlap.
    materials : list of Material
        Inline cards (a mapping name → card in files).
    material_paths : list of str
        Extra card files or folders, relative to the model file.
    boundaries : list of Boundary
        Exposed faces not matched by any boundary are adiabatic.
    contacts : list of Contact
    probes : mapping of name to [x, y, z]
        Points (µm) whose temperature is reported.
    ambient : float
        Default ambient temperature (°C) of boundaries that give none.
    stress_free : float, optional
        Stress-free temperature (°C) for warpage.
    library : MaterialLibrary, optional
        Resolve material names against this library (e.g. a package's) instead of the
        built-in cards and `material_paths`; inline cards still win.
    """

    name: str = text("solid")
    description: str | None = text(None)
    boxes: tuple = many(SolidBox)
    materials: tuple = many(Material, keyed_by="name")
    material_paths: tuple = names()
    boundaries: tuple = many(Boundary)
    contacts: tuple = many(Contact)
    probes: tuple = dataclasses.field(default=())
    ambient: float = quantity("temperature", 25.0)
    stress_free: float | None = quantity("temperature", None)
    library_base: MaterialLibrary | None = dataclasses.field(default=None, compare=False, repr=False)
    base_dir: str | None = dataclasses.field(default=None, compare=False, repr=False)
    _cache: dict = dataclasses.field(default_factory=dict, init=False, compare=False, repr=False)

    def _validate(self):
        if not self.boxes:
            raise DesignError("a solid model needs at least one box", "boxes")
        seen: dict[str, int] = {}
        for i, b in enumerate(self.boxes):
            if b.name in seen:
                raise DesignError(f"duplicate box name {b.name!r} (also boxes[{seen[b.name]}])",
                                  f"boxes[{i}].name")
            seen[b.name] = i
        object.__setattr__(self, "probes", _probes(self.probes))
        inline = set()
        for i, m in enumerate(self.materials):
            if m.name in inline:
                raise DesignError(f"duplicate material {m.name!r}", f"materials[{i}]")
            inline.add(m.name)
        lib = self.library
        for i, b in enumerate(self.boxes):
            lib.check(b.material, f"boxes[{i}].material")
            if b.tiles is not None:
                lib.check(b.tiles.metal, f"boxes[{i}].tiles.metal")
        groups = set(seen) | {b.owner for b in self.boxes if b.owner}
        for i, c in enumerate(self.contacts):
            for j, n in enumerate(c.between):
                if n not in groups:
                    raise DesignError(f"no box or owner named {n!r}", f"contacts[{i}].between[{j}]")

    @classmethod
    def _from_cursor(cls, cur):
        kwargs = read_fields(cls, cur, skip=("sipkit", "units", "probes"))
        probes = cur.get("probes")
        if probes is not None:
            kwargs["probes"] = tuple((str(k), _point3(c)) for k, c in probes.items())
        base = str(cur.base_dir) if cur.base_dir is not None else None
        return cur.build(cls, base_dir=base, **kwargs)

    # -- queries ------------------------------------------------------------------------
    @property
    def library(self) -> MaterialLibrary:
        """The material library the boxes' names resolve against."""
        lib = self._cache.get("library")
        if lib is None:
            if self.library_base is not None:
                lib = self.library_base.with_cards(self.materials)
            else:
                lib = resolve_library(self.base_dir, self.material_paths, self.materials)
            self._cache["library"] = lib
        return lib

    def material(self, name: str) -> Material:
        """The resolved material card `name`."""
        return self.library[name]

    def box(self, name: str) -> SolidBox:
        """The box called `name`."""
        for b in self.boxes:
            if b.name == name:
                return b
        raise DesignError(f"no box {name!r}")

    def bounds(self) -> tuple[float, float, float, float, float, float]:
        """(x0, y0, z0, x1, y1, z1) enclosing every box (µm)."""
        lo = [min(b.min[a] for b in self.boxes) for a in range(3)]
        hi = [max(b.max[a] for b in self.boxes) for a in range(3)]
        return (*lo, *hi)

    def total_power(self) -> float:
        """Total dissipation (W)."""
        return math.fsum(b.power for b in self.boxes)

    def groups(self, role: str = "die") -> dict[str, list[SolidBox]]:
        """Boxes of `role` grouped by owner (or by name when they have none)."""
        out: dict[str, list[SolidBox]] = {}
        for b in self.boxes:
            if b.role == role:
                out.setdefault(b.owner or b.name, []).append(b)
        return out

    def sources(self) -> dict[str, list[SolidBox]]:
        """Heat sources: die groups, or every powered box grouped by owner when no box is a die."""
        dies = self.groups("die")
        if dies:
            return dies
        out: dict[str, list[SolidBox]] = {}
        for b in self.boxes:
            if b.power > 0:
                out.setdefault(b.owner or b.name, []).append(b)
        return out

    def with_power(self, power: Mapping[str, float]) -> SolidModel:
        """A copy with the power of named boxes or owner groups set (W).

        A group's boxes are scaled together, keeping their distribution; a group with
        no power gets it spread by volume over its ``die`` boxes (or all its boxes).
        """
        boxes = list(self.boxes)
        for key, value in power.items():
            watts = to_internal(value, "power", f"power[{key}]")
            if watts < 0:
                raise DesignError(f"power must not be negative, got {value!r}", f"power[{key}]")
            idx = [i for i, b in enumerate(boxes) if b.name == key or b.owner == key]
            if not idx:
                options = sorted(self.sources())
                raise DesignError(f"no box or component named {key!r}; heat sources: {', '.join(options)}",
                                  "power")
            total = math.fsum(boxes[i].power for i in idx)
            if total > 0:
                for i in idx:
                    boxes[i] = dataclasses.replace(boxes[i], power=boxes[i].power * watts / total)
            else:
                pick = [i for i in idx if boxes[i].role == "die"] or idx
                vol = math.fsum(boxes[i].volume for i in pick)
                for i in pick:
                    boxes[i] = dataclasses.replace(boxes[i], power=watts * boxes[i].volume / vol)
        return dataclasses.replace(self, boxes=tuple(boxes))

    def with_boundaries(self, boundaries) -> SolidModel:
        """A copy with other boundaries."""
        return dataclasses.replace(self, boundaries=tuple(boundaries))

    def to_dict(self, **options) -> dict:
        """The solid-model document as plain data (see :func:`solid_to_dict`)."""
        return solid_to_dict(self, **options)

    def save(self, path, **options) -> None:
        """Write the model to a YAML or JSON file (see :func:`save_solid`)."""
        save_solid(self, path, **options)


def _probes(value) -> tuple:
    if isinstance(value, Mapping):
        value = tuple(value.items())
    out = []
    for i, item in enumerate(value):
        try:
            name, point = item
        except (TypeError, ValueError):
            raise DesignError(f"expected name: [x, y, z], got {item!r}", f"probes[{i}]") from None
        if isinstance(point, (str, bytes)) or not hasattr(point, "__len__") or len(point) != 3:
            raise DesignError(f"expected a point [x, y, z], got {point!r}", f"probes.{name}")
        out.append((str(name), tuple(to_internal(v, "length", f"probes.{name}[{j}]")
                                     for j, v in enumerate(point))))
    return tuple(out)


# --------------------------------------------------------------------------------------
# files

_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def read_solid(root: Cursor) -> SolidModel:
    """Build a SolidModel from the root cursor of a solid-model document."""
    root.mapping("a solid model: a mapping with boxes, materials, boundaries, ...")
    root.read_header(FORMAT_VERSION)
    if not root.has("boxes"):
        raise root.error("missing required field 'boxes'")
    return SolidModel._from_cursor(root)


def load_solid(path: str | os.PathLike) -> SolidModel:
    """Read a solid-model file (YAML or JSON).

    Raises
    ------
    DesignError
        For anything wrong with the file, naming file, line and field path.
    """
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise DesignError(f"unknown file type {path.suffix!r}; expected .yaml, .yml or .json", file=str(path))
    return read_solid(read_document(path))


def _used_materials(model: SolidModel) -> list[str]:
    used: list[str] = []
    for b in model.boxes:
        for name in (b.material, b.tiles.metal if b.tiles is not None else None):
            if name and name not in used:
                used.append(name)
    return used


def _card_data(card: Material) -> dict:
    data = to_data(card)
    data.pop("name", None)
    return data


def solid_to_dict(model: SolidModel, tile_size: float = 100.0, max_tiles: int = 400) -> dict:
    """The solid-model document of `model` as plain data (µm).

    Tiles computed from geometry are written as tile maps of about `tile_size` µm
    (at most `max_tiles` per axis).  Materials resolved from a library (a lowered
    package) are written out, so the file stands alone.
    """
    import numpy as np

    out: dict = {"sipkit": FORMAT_VERSION, "units": "um", "name": model.name}
    if model.description:
        out["description"] = model.description
    cards: dict = {}
    if model.library_base is not None:
        for name in _used_materials(model):
            card = model.library[name]
            cards[name] = _card_data(card)
            if card.mix is not None:  # pragma: no cover - the library resolves mixtures
                cards[name].pop("mix")
    for m in model.materials:
        cards[m.name] = _card_data(m)
    if cards:
        out["materials"] = cards
    if model.material_paths and model.library_base is None:
        out["material_paths"] = list(model.material_paths)
    boxes = []
    for b in model.boxes:
        data = to_data(b)
        data["min"], data["max"] = list(b.min), list(b.max)
        if b.tiles is not None:
            tiles = b.tiles
            if not isinstance(tiles, TileMap):
                edges = []
                for a in (0, 1):
                    n = int(min(max_tiles, max(1, math.ceil((b.max[a] - b.min[a]) / tile_size))))
                    edges.append(np.linspace(b.min[a], b.max[a], n + 1))
                tiles = tiles.tile_map(*edges)
            data["tiles"] = tiles.to_data()
        boxes.append(data)
    out["boxes"] = boxes
    if model.boundaries:
        out["boundaries"] = [to_data(bc) for bc in model.boundaries]
        for bc, data in zip(model.boundaries, out["boundaries"], strict=True):
            if bc.where is not None:
                data["where"] = {"min": list(bc.where.min), "max": list(bc.where.max)}
    if model.contacts:
        out["contacts"] = [{"between": list(c.between), "resistance": c.resistance} for c in model.contacts]
    if model.probes:
        out["probes"] = {name: list(p) for name, p in model.probes}
    if model.ambient != 25.0:
        out["ambient"] = model.ambient
    if model.stress_free is not None:
        out["stress_free"] = model.stress_free
    return out


def save_solid(model: SolidModel, path: str | os.PathLike, **options) -> None:
    """Write `model` to a YAML or JSON solid-model file (chosen by the extension).

    Options are those of :func:`solid_to_dict`.  The file is written atomically.
    """
    import json

    import yaml

    from .._files import write_text
    from ..io.design import _Dumper, _styled

    path = Path(path)
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise DesignError(f"unknown file type {path.suffix!r}; expected .yaml, .yml or .json", file=str(path))
    data = solid_to_dict(model, **options)
    if model.material_paths and model.base_dir and model.library_base is None:
        old = Path(model.base_dir)
        new = path.parent.resolve()
        data["material_paths"] = [p if Path(p).is_absolute() else os.path.relpath(old / p, new)
                                  for p in model.material_paths]
    if fmt == "json":
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        text = f"# sipkit solid model: {model.name}\n" + yaml.dump(
            _styled(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    write_text(path, text)


def load_design(path: str | os.PathLike):
    """Read a package design or a solid-model file, telling them apart by their keys.

    A document with ``boxes:`` is a solid model, one with ``substrate:`` a package; the
    physics engines (thermal, warpage) accept either.
    """
    from ..io.design import from_cursor_package

    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise DesignError(f"unknown file type {path.suffix!r}; expected a design or solid-model file "
                          "(.yaml, .yml or .json)", file=str(path))
    root = read_document(path)
    root.mapping("a package design or a solid model")
    if root.has("boxes"):
        return read_solid(root)
    if root.has("substrate"):
        return from_cursor_package(root)
    raise DesignError("neither a package design (no 'substrate:') nor a solid model (no 'boxes:')",
                      file=root.file, line=root.line)
