"""Components: dies (wire-bonded or flip-chip, stacked or on interposers) and passives.

Placement: ``at`` is the centre of the body in package coordinates (µm) and
``rotation`` is 0, 90, 180 or 270 degrees counter-clockwise seen from the top.
Die-local coordinates (pads, bumps, power maps) have their origin at the lower-left
corner of the unrotated die, seen from the top of the package, for dies on either side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._schema import Spec, choice, counts, grid, many, nested, pair, point, quantity, text
from ..errors import DesignError

__all__ = [
    "SIDES",
    "Bump",
    "BumpArray",
    "BumpSpec",
    "Die",
    "DieAttach",
    "DiePad",
    "FlipChip",
    "Interposer",
    "Passive",
    "PowerMap",
    "PowerRect",
    "Underfill",
    "Wire",
    "WireBond",
    "WireBonding",
]

SIDES = ("top", "bottom")
_ROTATIONS = (0.0, 90.0, 180.0, 270.0)


def _inside(x0, y0, x1, y1, size, tol=1e-9) -> bool:
    """Whether a die-local rectangle lies on a die of `size`."""
    return x0 >= -tol and y0 >= -tol and x1 <= size[0] + tol and y1 <= size[1] + tol


class _Placed:
    """Placement helpers shared by every rectangular body with at/size/rotation."""

    def _check_rotation(self):
        if self.rotation % 360.0 not in _ROTATIONS:
            raise DesignError(f"rotation must be 0, 90, 180 or 270 degrees, got {self.rotation}",
                              "rotation")

    @property
    def footprint(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the body seen from the top (µm)."""
        w, h = self.size
        if self.rotation % 180.0 == 90.0:
            w, h = h, w
        return (self.at[0] - w / 2, self.at[1] - h / 2, self.at[0] + w / 2, self.at[1] + h / 2)

    def to_package(self, local) -> np.ndarray:
        """Map die-local points (origin at the lower-left corner) to package coordinates."""
        local = np.asarray(local, dtype=float).reshape(-1, 2)
        u = local[:, 0] - self.size[0] / 2
        v = local[:, 1] - self.size[1] / 2
        c = round(math.cos(math.radians(self.rotation)))
        s = round(math.sin(math.radians(self.rotation)))
        return np.column_stack((self.at[0] + c * u - s * v, self.at[1] + s * u + c * v))


@dataclass(frozen=True)
class PowerRect(Spec):
    """A block of a die's power map: a rectangle in die-local coordinates and its power."""

    min: tuple = point()
    max: tuple = point()
    power: float = quantity("power", min=0.0)
    name: str | None = text(None)

    def _validate(self):
        if not (self.max[0] > self.min[0] and self.max[1] > self.min[1]):
            raise DesignError("max must be above and to the right of min", "max")


@dataclass(frozen=True)
class PowerMap(Spec):
    """Power distribution over a die's active face.

    Either rectangles (a floorplan, like a HotSpot ``.flp`` with powers) or a grid of
    powers per cell covering the whole die (row 0 at the bottom), plus an optional
    background power spread uniformly over the die.
    """

    rects: tuple = many(PowerRect)
    grid: tuple | None = grid("power")
    background: float = quantity("power", 0.0, min=0.0)

    def _validate(self):
        if self.rects and self.grid:
            raise DesignError("give either rects or grid, not both", "grid")
        if self.grid and min(min(r) for r in self.grid) < 0:
            raise DesignError("powers must not be negative", "grid")

    @property
    def total(self) -> float:
        """Total power (W)."""
        cells = math.fsum(math.fsum(r) for r in self.grid) if self.grid else 0.0
        return math.fsum(r.power for r in self.rects) + cells + self.background


@dataclass(frozen=True)
class DieAttach(Spec):
    """Die-attach layer (film or paste) under a wire-bonded or stacked die."""

    material: str = text("daf")
    thickness: float = quantity("length", 20.0, positive=True)


@dataclass(frozen=True)
class DiePad(Spec):
    """A bond pad on a die, in die-local coordinates."""

    name: str = text()
    at: tuple = point()
    size: tuple = pair("length", (60.0, 60.0), positive=True)
    net: str | None = text(None)


@dataclass(frozen=True)
class Wire(Spec):
    """A bond wire type: material card and diameter."""

    material: str = text("au-wire")
    diameter: float = quantity("length", 25.0, positive=True)


@dataclass(frozen=True)
class WireBond(Spec):
    """A wire from a die pad (first bond) to a bond finger or another die's pad.

    Parameters
    ----------
    pad : str
        Pad name on this die.
    to : str
        A bond finger name, or ``die.pad`` for a die-to-die bond.
    wire : Wire
    loop_height : float
        Loop height above the die pad (µm), for every profile (a reverse bond's ball
        sits on the finger, but its loop still clears the die by this much).
    profile : {"standard", "low", "reverse"}
        Loop profile: standard forward loop, low loop, or reverse bond (ball on the
        finger, stitch on a stud on the die pad).
    """

    pad: str = text()
    to: str = text()
    wire: Wire = nested(Wire, Wire())
    loop_height: float = quantity("length", 150.0, positive=True)  # above the die pad
    profile: str = choice(("standard", "low", "reverse"), "standard")
    name: str | None = text(None)


@dataclass(frozen=True)
class WireBonding(Spec):
    """Wire-bond attachment of a die: die attach, pads and wires."""

    attach: DieAttach = nested(DieAttach, DieAttach())
    pads: tuple = many(DiePad)
    wires: tuple = many(WireBond)

    def _validate(self):
        names = set()
        for i, p in enumerate(self.pads):
            if p.name in names:
                raise DesignError(f"duplicate pad name {p.name!r}", f"pads[{i}].name")
            names.add(p.name)
        for i, w in enumerate(self.wires):
            if w.pad not in names:
                raise DesignError(f"wire bond to a missing die pad {w.pad!r}", f"wires[{i}].pad")


@dataclass(frozen=True)
class BumpSpec(Spec):
    """A bump type.

    Parameters
    ----------
    kind : {"solder_ball", "copper_pillar", "micro_bump"}
    diameter : float
        Bump (or pillar) diameter (µm).
    height : float
        Stand-off from die face to substrate (µm), cap included.
    material : str
        Bump body: solder for balls, copper for pillars.
    cap_material, cap_height : optional
        Solder cap of a pillar.
    """

    kind: str = choice(("solder_ball", "copper_pillar", "micro_bump"))
    diameter: float = quantity("length", positive=True)
    height: float = quantity("length", positive=True)
    material: str = text()
    cap_material: str | None = text(None)
    cap_height: float = quantity("length", 0.0, min=0.0)

    def _validate(self):
        if self.cap_height >= self.height:
            raise DesignError("the cap must be lower than the whole bump", "cap_height")
        if self.cap_height > 0 and self.cap_material is None:
            raise DesignError("a cap height needs a cap_material", "cap_material")


@dataclass(frozen=True)
class Bump(Spec):
    """One bump at a die-local position."""

    at: tuple = point()
    net: str | None = text(None)
    name: str | None = text(None)


@dataclass(frozen=True)
class BumpArray(Spec):
    """A full array of bumps in die-local coordinates (centred on the die by default)."""

    pitch: tuple = pair("length", positive=True)
    count: tuple = counts()
    center: tuple | None = point(None)
    net: str | None = text(None)

    def positions(self, die_size) -> np.ndarray:
        """Bump centres in die-local coordinates, shape (n, 2)."""
        cx, cy = self.center if self.center is not None else (die_size[0] / 2, die_size[1] / 2)
        nx, ny = self.count
        xs = cx + (np.arange(nx) - (nx - 1) / 2) * self.pitch[0]
        ys = cy + (np.arange(ny) - (ny - 1) / 2) * self.pitch[1]
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack((gx.ravel(), gy.ravel()))


@dataclass(frozen=True)
class Underfill(Spec):
    """Underfill between a flip-chip body and what it sits on."""

    material: str = text("underfill")
    fillet: float = quantity("length", 0.0, min=0.0, doc="extent beyond the die edge (µm)")


@dataclass(frozen=True)
class FlipChip(Spec):
    """Flip-chip attachment: bump type, bump positions and underfill."""

    bump: BumpSpec | None = nested(BumpSpec)
    bumps: tuple = many(Bump)
    arrays: tuple = many(BumpArray)
    underfill: Underfill | None = nested(Underfill)

    def _validate(self):
        if self.bump is None:
            raise DesignError("missing required field 'bump'", "bump")
        if not self.bumps and not self.arrays:
            raise DesignError("a flip-chip attachment needs bumps or bump arrays", "bumps")

    def positions(self, die_size) -> np.ndarray:
        """All bump centres in die-local coordinates."""
        parts = [np.array([b.at for b in self.bumps], dtype=float).reshape(-1, 2)]
        parts += [a.positions(die_size) for a in self.arrays]
        return np.concatenate(parts)

    def check_inside(self, size) -> None:
        """Raise DesignError if a bump reaches outside a die of `size` (die-local)."""
        r = self.bump.diameter / 2
        for group in ("bumps", "arrays"):
            for i, item in enumerate(getattr(self, group)):
                pts = np.array([item.at]) if group == "bumps" else item.positions(size)
                bad = ((pts[:, 0] - r < 0) | (pts[:, 0] + r > size[0])
                       | (pts[:, 1] - r < 0) | (pts[:, 1] + r > size[1]))
                if bad.any():
                    x, y = pts[np.argmax(bad)]
                    raise DesignError(f"bump at [{x:g}, {y:g}] (diameter {2 * r:g} µm) lies outside the "
                                      f"die ({size[0]:g} x {size[1]:g} µm, die-local coordinates)",
                                      f"flip_chip.{group}[{i}]")


@dataclass(frozen=True)
class Die(_Placed, Spec):
    """A die, wire-bonded or flip-chip, on the substrate, another die or an interposer.

    Parameters
    ----------
    name : str
    size : [w, h]
        Die size before rotation (µm).
    thickness : float
        Die thickness (µm).
    at : [x, y]
        Centre in package coordinates (µm).
    rotation : {0, 90, 180, 270}
    side : {"top", "bottom"}
        Substrate side (for stacked dies, that of their support).
    on : str
        ``substrate`` (default), another die's name (3-D stack) or an interposer's.
    material : str
    power : float
        Total dissipation (W), uniform over the active face unless `power_map` is given.
    power_map : PowerMap, optional
    wire_bond, flip_chip : exactly one of them.
    """

    name: str = text()
    size: tuple = pair("length", positive=True)
    thickness: float = quantity("length", positive=True)
    at: tuple = point()
    rotation: float = quantity("angle", 0.0)
    side: str = choice(SIDES, "top")
    on: str = text("substrate")
    material: str = text("si")
    power: float | None = quantity("power", None, min=0.0)
    power_map: PowerMap | None = nested(PowerMap)
    wire_bond: WireBonding | None = nested(WireBonding)
    flip_chip: FlipChip | None = nested(FlipChip)

    def _validate(self):
        self._check_rotation()
        if (self.wire_bond is None) == (self.flip_chip is None):
            raise DesignError("give exactly one attachment: wire_bond or flip_chip", "wire_bond")
        if self.flip_chip is not None:
            self.flip_chip.check_inside(self.size)
        if self.wire_bond is not None:
            for i, p in enumerate(self.wire_bond.pads):
                hw, hh = p.size[0] / 2, p.size[1] / 2
                if not _inside(p.at[0] - hw, p.at[1] - hh, p.at[0] + hw, p.at[1] + hh, self.size):
                    raise DesignError("pad lies outside the die (die-local coordinates)",
                                      f"wire_bond.pads[{i}]")
        if self.power_map is not None:
            total = self.power_map.total
            if self.power is not None and not math.isclose(self.power, total, rel_tol=1e-9, abs_tol=1e-12):
                raise DesignError(f"power ({self.power} W) differs from the power map's total "
                                  f"({total} W); give one or make them agree", "power")
            for i, r in enumerate(self.power_map.rects):
                if not _inside(*r.min, *r.max, self.size):
                    raise DesignError("power block lies outside the die", f"power_map.rects[{i}]")

    @property
    def total_power(self) -> float:
        """Dissipated power (W)."""
        if self.power_map is not None:
            return self.power_map.total
        return self.power or 0.0

    @property
    def attach_height(self) -> float:
        """Height between the support's surface and the die (µm): bumps or die attach."""
        if self.flip_chip is not None:
            return self.flip_chip.bump.height
        return self.wire_bond.attach.thickness

    def pad(self, name: str) -> DiePad:
        """The bond pad called `name`."""
        for p in (self.wire_bond.pads if self.wire_bond else ()):
            if p.name == name:
                return p
        raise DesignError(f"die {self.name!r} has no pad {name!r}")

    def bump_positions(self) -> np.ndarray:
        """Bump centres in package coordinates, shape (n, 2)."""
        if self.flip_chip is None:
            return np.zeros((0, 2))
        return self.to_package(self.flip_chip.positions(self.size))


@dataclass(frozen=True)
class Interposer(_Placed, Spec):
    """A silicon, glass or organic interposer (2.5-D), flip-chip mounted; dies sit on it."""

    name: str = text()
    size: tuple = pair("length", positive=True)
    thickness: float = quantity("length", positive=True)
    at: tuple = point()
    flip_chip: FlipChip = nested(FlipChip, None)
    rotation: float = quantity("angle", 0.0)
    side: str = choice(SIDES, "top")
    material: str = text("si")

    def _validate(self):
        self._check_rotation()
        if self.flip_chip is None:
            raise DesignError("an interposer needs its flip_chip attachment to the substrate", "flip_chip")
        self.flip_chip.check_inside(self.size)

    on = "substrate"
    total_power = 0.0

    @property
    def attach_height(self) -> float:
        """Height between the support's surface and the body (µm)."""
        return self.flip_chip.bump.height


@dataclass(frozen=True)
class Passive(_Placed, Spec):
    """A surface-mount passive (capacitor, resistor, inductor) as a body.

    Parameters
    ----------
    size : [length, width]
        Body size (µm), e.g. ``[1000, 500]`` for 0402.
    height : float
        Body height (µm).
    power : float
        Dissipation (W), e.g. an inductor's loss.
    """

    name: str = text()
    at: tuple = point()
    size: tuple = pair("length", positive=True)
    height: float = quantity("length", positive=True)
    rotation: float = quantity("angle", 0.0)
    side: str = choice(SIDES, "top")
    kind: str = choice(("capacitor", "resistor", "inductor", "other"), "capacitor")
    material: str = text("mlcc")
    power: float = quantity("power", 0.0, min=0.0)
    net: str | None = text(None)

    def _validate(self):
        self._check_rotation()

    on = "substrate"
    attach_height = 0.0

    @property
    def total_power(self) -> float:
        """Dissipated power (W)."""
        return self.power
