"""The package: substrate, components and the parts around them, validated as a whole."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from .._schema import Spec, choice, integer, many, names, nested, pair, points, quantity, text
from ..errors import DesignError
from ..materials import Material, MaterialLibrary, resolve_library
from .components import SIDES, Die, Interposer, Passive
from .substrate import Substrate, check_polygon

__all__ = ["TIM", "Coin", "Fins", "HeatSink", "Lid", "MoldCap", "Package", "Shield"]


@dataclass(frozen=True)
class MoldCap(Spec):
    """Mold compound over one side of the substrate.

    Parameters
    ----------
    thickness : float
        From the substrate surface to the mold top (µm).
    side : {"top", "bottom"}
    material : str
    region : polygon, optional
        Molded area; the whole substrate outline by default.
    """

    thickness: float = quantity("length", positive=True)
    side: str = choice(SIDES, "top")
    material: str = text("emc")
    region: tuple | None = points(3, None)

    def _validate(self):
        if self.region is not None:
            check_polygon(self.region, "region")


@dataclass(frozen=True)
class TIM(Spec):
    """A thermal interface material layer (bond line)."""

    thickness: float = quantity("length", positive=True)
    material: str = text("tim")


@dataclass(frozen=True)
class Lid(Spec):
    """A lid (heat spreader) over the top-side dies.

    The plate's underside rests on the TIM over the tallest die under it. A non-zero
    `foot_width` adds a ring foot along the plate's edge down to the substrate,
    bonded with `adhesive`.
    """

    thickness: float = quantity("length", positive=True)
    material: str = text("cu-lid")
    region: tuple | None = points(3, None)
    tim: TIM | None = nested(TIM)
    foot_width: float = quantity("length", 0.0, min=0.0)
    adhesive: TIM | None = nested(TIM)

    def _validate(self):
        if self.region is not None:
            check_polygon(self.region, "region")
        if self.foot_width > 0 and self.adhesive is None:
            raise DesignError("a lid foot needs its adhesive (thickness, material)", "adhesive")


@dataclass(frozen=True)
class Fins(Spec):
    """Straight plate fins of a heat sink."""

    count: int = integer(min=1)
    height: float = quantity("length", positive=True)
    thickness: float = quantity("length", positive=True)
    direction: str = choice(("x", "y"), "y")


@dataclass(frozen=True)
class HeatSink(Spec):
    """A heat sink on the lid (or on the die backs / mold top when there is no lid)."""

    base_thickness: float = quantity("length", positive=True)
    material: str = text("al-6063")
    region: tuple | None = points(3, None)
    tim: TIM | None = nested(TIM)
    fins: Fins | None = nested(Fins)

    def _validate(self):
        if self.region is not None:
            check_polygon(self.region, "region")


@dataclass(frozen=True)
class Coin(Spec):
    """An embedded copper coin in the substrate, spanning layers `from`..`to` inclusive."""

    name: str = text()
    region: tuple = points(3)
    from_layer: str = text(key="from")
    to_layer: str = text(key="to")
    material: str = text("cu-coin")

    def _validate(self):
        check_polygon(self.region, "region")


@dataclass(frozen=True)
class Shield(Spec):
    """A conformal EMI shield over the top mold cap and the package sides."""

    thickness: float = quantity("length", positive=True)
    material: str = text("ag")


@dataclass(frozen=True)
class Package(Spec):
    """A System-in-Package: one geometry model for every engine.

    Parameters
    ----------
    name : str
    substrate : Substrate
    dies, interposers, passives : lists
    molds : list of MoldCap
    lid : Lid, optional
    heatsink : HeatSink, optional
    coins : list of Coin
    shield : Shield, optional
    materials : list of Material
        Inline cards, overriding library cards of the same name.
    material_paths : list of str
        Extra card files or folders (relative to the design file).
    description : str, optional
    size_hint : [w, h], optional
        Not used by the model; kept for tools that want a nominal body size.

    Notes
    -----
    Coordinates are µm, z = 0 at the substrate bottom, z up; ``top`` components sit at
    z ≥ substrate thickness, ``bottom`` ones at z ≤ 0.
    """

    name: str = text()
    substrate: Substrate = nested(Substrate, None)
    dies: tuple = many(Die)
    interposers: tuple = many(Interposer)
    passives: tuple = many(Passive)
    molds: tuple = many(MoldCap)
    lid: Lid | None = nested(Lid)
    heatsink: HeatSink | None = nested(HeatSink)
    coins: tuple = many(Coin)
    shield: Shield | None = nested(Shield)
    materials: tuple = many(Material, keyed_by="name")
    material_paths: tuple = names()
    description: str | None = text(None)
    size_hint: tuple | None = pair("length", None, positive=True)
    base_dir: str | None = dataclasses.field(default=None, compare=False, repr=False)
    _cache: dict = dataclasses.field(default_factory=dict, init=False, compare=False, repr=False)

    # -- validation ---------------------------------------------------------------------
    def _validate(self):
        if self.substrate is None:
            raise DesignError("missing required field 'substrate'", "substrate")
        self._check_names()
        library = self.library
        self._check_materials(library)
        self._check_references()
        self._check_placement()

    def _check_names(self):
        seen: dict[str, str] = {"substrate": "the substrate"}
        for group in ("dies", "interposers", "passives", "coins"):
            for i, item in enumerate(getattr(self, group)):
                if item.name in seen:
                    raise DesignError(f"duplicate name {item.name!r} (also used by {seen[item.name]})",
                                      f"{group}[{i}].name")
                seen[item.name] = f"{group}[{i}]"
        inline = set()
        for i, m in enumerate(self.materials):
            if m.name in inline:
                raise DesignError(f"duplicate material {m.name!r}", f"materials[{i}]")
            inline.add(m.name)

    @property
    def library(self) -> MaterialLibrary:
        """The material library this package resolves names against."""
        lib = self._cache.get("library")
        if lib is None:
            lib = resolve_library(self.base_dir, self.material_paths, self.materials)
            self._cache["library"] = lib
        return lib

    def material(self, name: str) -> Material:
        """The resolved material card `name`."""
        return self.library[name]

    def material_refs(self):
        """(field path, material name) for every material the package names."""
        sub = self.substrate
        for i, la in enumerate(sub.stackup):
            yield f"substrate.stackup[{i}].material", la.material
            if la.is_conductor:
                yield f"substrate.stackup[{i}].fill", sub.fill_material(la.name)
        for group in ("lands", "land_arrays"):
            for i, land in enumerate(getattr(sub, group)):
                if land.ball:
                    yield f"substrate.{group}[{i}].ball.material", land.ball.material
        for i, d in enumerate(self.dies):
            yield f"dies[{i}].material", d.material
            if d.wire_bond:
                yield f"dies[{i}].wire_bond.attach.material", d.wire_bond.attach.material
                for j, w in enumerate(d.wire_bond.wires):
                    yield f"dies[{i}].wire_bond.wires[{j}].wire.material", w.wire.material
        for group in ("dies", "interposers"):
            for i, d in enumerate(getattr(self, group)):
                fc = d.flip_chip
                if fc:
                    yield f"{group}[{i}].flip_chip.bump.material", fc.bump.material
                    if fc.bump.cap_material:
                        yield f"{group}[{i}].flip_chip.bump.cap_material", fc.bump.cap_material
                    if fc.underfill:
                        yield f"{group}[{i}].flip_chip.underfill.material", fc.underfill.material
        for i, ip in enumerate(self.interposers):
            yield f"interposers[{i}].material", ip.material
        for i, p in enumerate(self.passives):
            yield f"passives[{i}].material", p.material
        for i, m in enumerate(self.molds):
            yield f"molds[{i}].material", m.material
        for i, c in enumerate(self.coins):
            yield f"coins[{i}].material", c.material
        for part, obj in (("lid", self.lid), ("heatsink", self.heatsink)):
            if obj is not None:
                yield f"{part}.material", obj.material
                if obj.tim:
                    yield f"{part}.tim.material", obj.tim.material
        if self.lid is not None and self.lid.adhesive is not None:
            yield "lid.adhesive.material", self.lid.adhesive.material
        if self.shield is not None:
            yield "shield.material", self.shield.material

    def _check_materials(self, library):
        for field, name in self.material_refs():
            library.check(name, field)

    def _check_references(self):
        sub = self.substrate
        fingers = {f.name for f in sub.fingers}
        dies = {d.name: d for d in self.dies}
        layer_index = {la.name: i for i, la in enumerate(sub.stackup)}
        for i, d in enumerate(self.dies):
            if not d.wire_bond:
                continue
            for j, w in enumerate(d.wire_bond.wires):
                field = f"dies[{i}].wire_bond.wires[{j}].to"
                if "." in w.to and w.to not in fingers:
                    other, pad = w.to.split(".", 1)
                    if other not in dies:
                        raise DesignError(f"wire bond to a missing die {other!r}", field)
                    od = dies[other]
                    if not od.wire_bond or pad not in {p.name for p in od.wire_bond.pads}:
                        raise DesignError(f"wire bond to a missing pad {pad!r} of die {other!r}", field)
                elif w.to not in fingers:
                    raise DesignError(f"wire bond to a missing bond finger {w.to!r}", field)
        for i, c in enumerate(self.coins):
            for key, name in (("from", c.from_layer), ("to", c.to_layer)):
                if name not in layer_index:
                    raise DesignError(f"unknown layer {name!r}", f"coins[{i}].{key}")
            if layer_index[c.from_layer] > layer_index[c.to_layer]:
                raise DesignError("'from' must be above 'to'", f"coins[{i}]")
        if self.shield is not None and not any(m.side == "top" for m in self.molds):
            raise DesignError("a conformal shield needs a top mold cap to cover", "shield")

    def _check_placement(self):
        import shapely

        outline = shapely.Polygon(self.substrate.outline)
        bodies = {b.name: b for b in (*self.dies, *self.interposers, *self.passives)}
        supports = {"substrate"} | {b.name for b in (*self.dies, *self.interposers)}
        # supports first, then cycles
        for group in ("dies",):
            for i, d in enumerate(getattr(self, group)):
                if d.on not in supports:
                    raise DesignError(f"unknown support {d.on!r}: expected 'substrate', a die or an "
                                      "interposer", f"{group}[{i}].on")
                if d.on != "substrate" and bodies[d.on].side != d.side:
                    raise DesignError(f"die is on side {d.side!r} but its support {d.on!r} is on "
                                      f"{bodies[d.on].side!r}", f"{group}[{i}].side")
        for i, d in enumerate(self.dies):
            chain, cur = [d.name], d
            while cur.on != "substrate":
                cur = bodies[cur.on]
                if cur.name in chain:
                    raise DesignError(f"dies stacked in a circle: {' -> '.join([*chain, cur.name])}",
                                      f"dies[{i}].on")
                chain.append(cur.name)
        groups: dict[tuple, list] = {}
        for group in ("dies", "interposers", "passives"):
            for i, b in enumerate(getattr(self, group)):
                box = shapely.box(*b.footprint)
                field = f"{group}[{i}]"
                if b.on == "substrate":
                    if not outline.covers(box):
                        raise DesignError(f"{b.name!r} lies outside the substrate outline", field)
                else:
                    sup = bodies[b.on]
                    if not shapely.box(*sup.footprint).intersects(box):
                        raise DesignError(f"{b.name!r} does not sit over its support {b.on!r}", field)
                key = (b.side, b.on)
                for other_field, other, obox in groups.get(key, []):
                    if box.intersection(obox).area > 0:
                        where = "the substrate" if b.on == "substrate" else repr(b.on)
                        raise DesignError(f"{b.name!r} overlaps {other.name!r} ({other_field}) on the "
                                          f"{b.side} side of {where}", field)
                groups.setdefault(key, []).append((field, b, box))
        for i, m in enumerate(self.molds):
            if m.region is not None and not outline.buffer(1e-6).covers(shapely.Polygon(m.region)):
                raise DesignError("mold region extends beyond the substrate outline", f"molds[{i}].region")
        if len({m.side for m in self.molds}) != len(self.molds):
            raise DesignError("at most one mold cap per side", "molds")
        # z placement also checks what sits on what
        self.z_range("substrate")

    # -- queries ------------------------------------------------------------------------
    @property
    def components(self) -> tuple:
        """Dies, interposers and passives."""
        return (*self.dies, *self.interposers, *self.passives)

    def component(self, name: str):
        """The die, interposer or passive called `name`."""
        for b in self.components:
            if b.name == name:
                return b
        raise DesignError(f"no component {name!r}")

    def die(self, name: str) -> Die:
        """The die called `name`."""
        for d in self.dies:
            if d.name == name:
                return d
        raise DesignError(f"no die {name!r}; dies: {', '.join(d.name for d in self.dies)}")

    def z_range(self, name: str) -> tuple[float, float]:
        """Bottom and top z (µm) of the substrate, a component, or a mold cap side.

        Top-side bodies rest on their support's top plus their attach height (bumps
        or die attach); bottom-side bodies hang below it.
        """
        cache = self._cache.setdefault("z", {})
        if name in cache:
            return cache[name]
        t = self.substrate.thickness
        if name == "substrate":
            z = (0.0, t)
        else:
            b = self.component(name)
            height = b.height if isinstance(b, Passive) else b.thickness
            if b.on == "substrate":
                base = t if b.side == "top" else 0.0
            else:
                lo, hi = self.z_range(b.on)
                base = hi if b.side == "top" else lo
            if b.side == "top":
                z = (base + b.attach_height, base + b.attach_height + height)
            else:
                z = (base - b.attach_height - height, base - b.attach_height)
        cache[name] = z
        return z

    def mold(self, side: str = "top") -> MoldCap | None:
        """The mold cap on `side`, or None."""
        for m in self.molds:
            if m.side == side:
                return m
        return None

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the substrate outline (µm)."""
        return self.substrate.bbox()

    def total_power(self) -> float:
        """Total dissipation of dies and passives (W)."""
        return sum(b.total_power for b in self.components)

    # -- geometry queries (see sipkit.model.geometry) ------------------------------------
    def layer_geometry(self, layer: str, net: str | None = None):
        """Merged copper of a conductor layer (a shapely geometry), optionally one net."""
        from .geometry import layer_geometry

        return layer_geometry(self, layer, net)

    def copper_coverage(self, layer: str, rect) -> float:
        """Copper area fraction of conductor layer `layer` inside rect (x0, y0, x1, y1)."""
        from .geometry import copper_coverage

        return copper_coverage(self, layer, rect)

    def coverage_grid(self, layer: str, x_edges, y_edges):
        """Copper area fraction per cell of a rectilinear grid, shape (ny, nx)."""
        from .geometry import coverage_grid

        return coverage_grid(self, layer, x_edges, y_edges)

    def stack_at(self, x: float, y: float):
        """The vertical stack at (x, y), bottom to top, as a list of StackItem."""
        from .geometry import stack_at

        return stack_at(self, x, y)

    def nets(self) -> set[str]:
        """Every net name used on the substrate or the components."""
        from .geometry import nets

        return nets(self)

    # -- files, plots, notebooks ---------------------------------------------------------
    def save(self, path, **options) -> None:
        """Write the package to a YAML or JSON design file (by extension)."""
        from ..io import save

        save(self, path, **options)

    def plot(self, ax=None, layers=None, **options):
        """Top view with matplotlib (see :func:`sipkit.plot.plot_top`)."""
        from ..plot import plot_top

        return plot_top(self, ax=ax, layers=layers, **options)

    def plot_section(self, ax=None, **options):
        """Cross-section with matplotlib (see :func:`sipkit.plot.plot_section`)."""
        from ..plot import plot_section

        return plot_section(self, ax=ax, **options)

    def _repr_html_(self):
        from ..plot import package_html

        return package_html(self)

    def summary(self) -> str:
        """A text summary: stack-up table, components and counts."""
        from .summary import summary

        return summary(self)

    def relocated(self, new_dir) -> Package:
        """The same package with relative material paths rewritten for `new_dir`."""
        if not self.material_paths or not self.base_dir:
            return self
        old = Path(self.base_dir)
        paths = tuple(p if Path(p).is_absolute() else os.path.relpath(old / p, new_dir)
                      for p in self.material_paths)
        return dataclasses.replace(self, material_paths=paths, base_dir=str(new_dir))
