"""Locating the data libraries shipped with sipkit (rules, materials, interconnect, thermal)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DATA_KINDS", "data_folder"]

DATA_KINDS = ("rules", "materials", "interconnect", "thermal")


def data_folder(kind: str) -> Path:
    """Folder of the built-in `kind` library.

    In an installed wheel the folders live inside the package (``sipkit/data/<kind>``);
    in a source checkout (editable install) they sit at the repository root beside
    the package.
    """
    if kind not in DATA_KINDS:
        raise ValueError(f"unknown data library {kind!r}; expected one of {DATA_KINDS}")
    packaged = resources.files("sipkit") / "data" / kind
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(str(resources.files("sipkit"))).parent / kind
    if source.is_dir():
        return source
    raise FileNotFoundError(f"sipkit's {kind} library is missing from this installation")
