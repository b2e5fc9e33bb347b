"""Boundary-condition presets and test-board models (``thermal/*.yaml``).

A preset file holds either a boundary set::

    kind: boundary
    name: still-air
    title: JEDEC still air (JESD51-2) on the JESD51-7 2s2p board
    ambient: 25
    board: jesd51-7-2s2p          # optional: mount a package on this board model
    boundaries:
      - {face: +z, h: 15.2, name: top}
    sources: {h: "..."}

or a board::

    kind: board
    name: jesd51-7-2s2p
    units: mm
    size: [114.3, 76.2]
    layers:                         # top to bottom
      - {name: signal-top, thickness: 0.070, material: fr4, copper: 0.1, fanout: true}
      - {name: plane-1, thickness: 0.035, material: fr4, copper: 1.0}

Presets are looked up by name among the built-in files, or read from a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._schema import Spec, choice, flag, many, pair, quantity, read_fields, table, text
from .._source import read_document
from ..errors import DesignError
from ..solid.model import Boundary

__all__ = ["Board", "BoardLayer", "BoundaryPreset", "available_presets", "load_board", "load_preset"]


@dataclass(frozen=True)
class BoardLayer(Spec):
    """One layer of a test board (top to bottom)."""

    name: str = text()
    thickness: float = quantity("length", positive=True)
    material: str = text("fr4")
    copper: float = quantity("dimensionless", 0.0, min=0.0)
    fanout: bool = flag(False, doc="copper only over the fan-out region around the package")

    def _validate(self):
        if self.copper > 1:
            raise DesignError("a copper fraction must lie in [0, 1]", "copper")


@dataclass(frozen=True)
class Board(Spec):
    """A test board model: size, layers and the copper of its traces and planes."""

    name: str = text()
    size: tuple = pair("length", positive=True)
    layers: tuple = many(BoardLayer)
    copper_material: str = text("cu-plated")
    fanout_margin: float = quantity("length", 25000.0, min=0.0)
    title: str | None = text(None)
    description: str | None = text(None)
    sources: tuple | None = table("text")
    kind: str = choice(("board",), "board")

    def _validate(self):
        if not self.layers:
            raise DesignError("a board needs at least one layer", "layers")

    @property
    def thickness(self) -> float:
        """Total thickness (µm)."""
        return sum(la.thickness for la in self.layers)


@dataclass(frozen=True)
class BoundaryPreset(Spec):
    """A named set of boundaries, optionally with a test board to mount packages on."""

    name: str = text()
    boundaries: tuple = many(Boundary)
    ambient: float = quantity("temperature", 25.0)
    board: str | None = text(None)
    title: str | None = text(None)
    description: str | None = text(None)
    sources: tuple | None = table("text")
    kind: str = choice(("boundary",), "boundary")

    def load_board(self) -> Board | None:
        """The preset's board model, or None."""
        return load_board(self.board) if self.board else None


def _folder() -> Path:
    from .._resources import data_folder

    return data_folder("thermal")


def available_presets(kind: str = "boundary") -> list[str]:
    """Names of the built-in presets of `kind` ("boundary" or "board")."""
    out = []
    for file in sorted(_folder().glob("*.yaml")):
        root = read_document(file)
        if root.has("kind") and root["kind"].value == kind:
            out.append(root["name"].value)
    return out


def _read(name_or_path, kind):
    path = Path(str(name_or_path))
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        candidate = _folder() / f"{name_or_path}.yaml"
        if not candidate.exists():
            raise DesignError(f"unknown {kind} preset {name_or_path!r}; built-in: "
                              f"{', '.join(available_presets(kind))} (or give a .yaml file)")
        path = candidate
    root = read_document(path)
    root.mapping(f"a {kind} preset")
    if root.has("units"):
        root.length_unit = root["units"].string()
    if root.has("kind") and root["kind"].value != kind:
        raise root["kind"].error(f"expected a {kind} preset, got kind {root['kind'].value!r}")
    return root


def load_preset(name_or_path) -> BoundaryPreset:
    """A boundary preset by built-in name (e.g. ``still-air``) or from a file."""
    if isinstance(name_or_path, BoundaryPreset):
        return name_or_path
    root = _read(name_or_path, "boundary")
    kwargs = read_fields(BoundaryPreset, root, skip=("units",))
    return root.build(BoundaryPreset, **kwargs)


def load_board(name_or_path) -> Board:
    """A board model by built-in name (e.g. ``jesd51-7-2s2p``) or from a file."""
    if isinstance(name_or_path, Board):
        return name_or_path
    root = _read(name_or_path, "board")
    kwargs = read_fields(Board, root, skip=("units",))
    return root.build(Board, **kwargs)
