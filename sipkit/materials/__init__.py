"""Material cards and libraries (``materials/*.yaml`` plus the user's own)."""

from .card import MATERIAL_KINDS, Material, mix
from .library import MaterialLibrary, builtin_library, load_cards, resolve_library

__all__ = ["MATERIAL_KINDS", "Material", "MaterialLibrary", "builtin_library", "load_cards", "mix",
           "resolve_library"]
