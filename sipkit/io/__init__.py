"""Reading and writing designs (YAML, JSON) and layouts (GDSII, OASIS)."""

from .design import FORMAT_VERSION, load, save, to_dict

__all__ = ["FORMAT_VERSION", "load", "save", "to_dict"]
