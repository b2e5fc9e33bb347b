"""Reading and writing designs (YAML, JSON) and layouts (GDSII, OASIS)."""

from .design import FORMAT_VERSION, load, save, to_dict
from .gds import export_layout, read_layout

__all__ = ["FORMAT_VERSION", "export_layout", "load", "read_layout", "save", "to_dict"]
