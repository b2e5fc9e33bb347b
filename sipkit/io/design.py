"""Design files: a Package as YAML or JSON, read with located errors and written losslessly.

A design file is the :class:`~sipkit.model.Package` fields plus two header keys::

    sipkit: 1          # format version
    units: um          # unit of bare lengths in this file (um, mm, mil, ...)
    name: edge-ai-sip
    substrate: {outline: ..., stackup: [...], routing: {L1: {traces: [...]}}, ...}
    dies: [...]

Routing may instead (or also, for other layers) come from a GDSII/OASIS file::

    substrate:
      routing_gds: {file: routing.gds, cell: TOP, layers: {L1: 1/0, L2: 2/0}}

Saving always writes µm and inline routing unless ``routing_gds=`` names a layout file
to write the routing to.  ``load(save(p)) == p`` holds exactly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from .._files import write_text
from .._schema import read_fields, to_data
from .._source import read_document
from ..errors import DesignError
from ..model import Package, Substrate

__all__ = ["FORMAT_VERSION", "from_cursor_package", "load", "save", "to_dict"]

FORMAT_VERSION = 1
_HEADER = ("sipkit", "units")
_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load(path: str | os.PathLike) -> Package:
    """Read a package design file (YAML or JSON).

    Parameters
    ----------
    path : str or path-like
        A ``.yaml``/``.yml``/``.json`` design file.

    Returns
    -------
    Package

    Raises
    ------
    DesignError
        For anything wrong with the file, naming file, line and field path.
    """
    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        raise DesignError(f"unknown design file type {path.suffix!r}; expected .yaml, .yml or .json",
                          file=str(path))
    root = read_document(path)
    return from_cursor_package(root)


def from_cursor_package(root) -> Package:
    """Build a Package from the root cursor of a design document."""
    root.mapping("a design: a mapping with name, substrate, dies, ...")
    root.read_header(FORMAT_VERSION)
    kwargs = read_fields(Package, root, skip=_HEADER, readers={"substrate": _read_substrate})
    base_dir = str(root.base_dir) if root.base_dir is not None else None
    return root.build(Package, base_dir=base_dir, **kwargs)


def _read_substrate(cur) -> Substrate:
    cur.mapping("a substrate mapping")
    kwargs = read_fields(Substrate, cur, skip=("routing_gds",))
    source = cur.get("routing_gds")
    if source is not None:
        from .gds import read_routing_source

        conductors = {la.name for la in kwargs.get("stackup", []) if la.is_conductor}
        layers = source.get("layers")
        if layers is not None and conductors:
            for name, entry in layers.items():
                if name not in conductors:
                    raise entry.error(f"{name!r} is not a conductor layer of the stack-up; conductor "
                                      f"layers: {', '.join(sorted(conductors))}")
        imported = read_routing_source(source)
        inline = {r.layer for r in kwargs.get("routing", [])}
        for r in imported:
            if r.layer in inline:
                raise source.error(f"layer {r.layer!r} has inline routing and routing from the layout; "
                                   "keep one")
        kwargs["routing"] = [*kwargs.get("routing", []), *imported]
    return cur.build(Substrate, **kwargs)


def to_dict(pkg: Package) -> dict:
    """The design document of `pkg` as plain data (µm, default units)."""
    return {"sipkit": FORMAT_VERSION, "units": "um", **to_data(pkg)}


class _Flow(list):
    """A list written in YAML flow style ([a, b])."""


class _FlowMap(dict):
    """A mapping written in YAML flow style ({a: 1})."""


_Dumper = type("_Dumper", (getattr(yaml, "CSafeDumper", yaml.SafeDumper),), {})
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(),
                                                                   flow_style=True))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(),
                                                               flow_style=False))


def _is_leafy(value) -> bool:
    if isinstance(value, dict):
        return all(_is_leafy(v) and not isinstance(v, dict) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict) and (not isinstance(v, list) or _is_leafy(v)) for v in value)
    return True


def _styled(value):
    """Leaf lists and small records in flow style, the rest as blocks."""
    if isinstance(value, dict):
        if value and _is_leafy(value):
            return _FlowMap((k, _Flow(v) if isinstance(v, list) else v) for k, v in value.items())
        return {k: _styled(v) for k, v in value.items()}
    if isinstance(value, list):
        if _is_leafy(value):
            return _Flow(_Flow(v) if isinstance(v, list) else v for v in value)
        return [_styled(v) for v in value]
    return value


def save(pkg: Package, path: str | os.PathLike, *, routing_gds: str | os.PathLike | None = None) -> None:
    """Write `pkg` to a YAML or JSON design file (chosen by the extension).

    The file is written to a temporary name and moved into place, so an error never
    leaves a half-written file or destroys the previous one.

    Parameters
    ----------
    pkg : Package
    path : str or path-like
    routing_gds : str or path-like, optional
        Write the routing to this GDSII (.gds) or OASIS (.oas) file instead of inline,
        and reference it from the design.
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DesignError(f"unknown design file type {path.suffix!r}; expected .yaml, .yml or .json",
                          file=str(path))
    pkg = pkg.relocated(path.parent.resolve())
    data = to_dict(pkg)
    if routing_gds is not None:
        from .gds import write_routing_source

        source = write_routing_source(pkg, Path(routing_gds), relative_to=path.parent)
        routing = data["substrate"].pop("routing", {})
        empty = {layer: body for layer, body in routing.items() if not body}
        if empty:  # a layout cannot hold an empty layer: keep those entries inline
            data["substrate"]["routing"] = empty
        data["substrate"]["routing_gds"] = source
    if fmt == "json":
        text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    else:
        header = f"# sipkit design: {pkg.name}\n"
        text = header + yaml.dump(_styled(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                                  width=100)
    write_text(path, text)

