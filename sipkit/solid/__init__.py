"""The solid model: the package lowered to cuboids with materials and power.

Thermal voxelises it onto a rectilinear grid; warpage reads the vertical stack under
each tile of it.  Users can also write one by hand (:func:`load_solid`).
"""

from .lower import from_package
from .mixing import effective_conductivity, effective_heat_capacity
from .model import (
    FACES,
    Boundary,
    Contact,
    Region,
    SolidBox,
    SolidModel,
    load_design,
    load_solid,
    read_solid,
    save_solid,
    solid_to_dict,
)
from .tiles import GeometryTiles, TileMap, Tiles

__all__ = [
    "FACES",
    "Boundary",
    "Contact",
    "GeometryTiles",
    "Region",
    "SolidBox",
    "SolidModel",
    "TileMap",
    "Tiles",
    "effective_conductivity",
    "effective_heat_capacity",
    "from_package",
    "load_design",
    "load_solid",
    "read_solid",
    "save_solid",
    "solid_to_dict",
]
