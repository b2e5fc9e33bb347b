"""Wire and bump catalogs (``interconnect/*.yaml`` plus the user's own files).

A catalog file is YAML (or JSON) with a ``wires:`` and/or a ``bumps:`` mapping::

    units: um                      # bare lengths (wire diameters)
    wires:
      au:  {material: au-wire, diameters: [18, 20, 25], preece: null, max_temperature: 150,
            sources: {preece: "..."}}
    bumps:
      solder_ball: {black: {n: 2, Ea: 0.77, J_ref: 1e4, T_ref: 150, t50_ref: "2000 h"},
                    fatigue: {ductility: 0.325, F: 1}, sources: {...}}

Wire families are keyed by a short name and point to a material card; bump entries are
keyed by the bump kind of the design (``solder_ball``, ``copper_pillar``,
``micro_bump``).  Later files override earlier ones entry by entry: the built-in
catalog first, then each file or folder given.  Every error names file, line and field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .._schema import Spec, choice, from_cursor, nested, quantity, read_fields, table, text
from .._source import Cursor, _LineDict, read_document
from ..errors import DesignError
from ..units import to_internal

__all__ = [
    "BUMP_KINDS",
    "BlackParams",
    "BumpType",
    "Catalog",
    "FatigueParams",
    "WireFamily",
    "builtin_catalog",
    "load_catalog",
]

#: Bump kinds of :class:`sipkit.model.BumpSpec`, the keys of the bump catalog.
BUMP_KINDS = ("solder_ball", "copper_pillar", "micro_bump")

#: Boltzmann constant in eV/K (CODATA 2018, exact).
BOLTZMANN_EV = 8.617333262e-5


@dataclass(frozen=True)
class WireFamily(Spec):
    """A bond-wire family: one metal, its material card and its standard diameters.

    Parameters
    ----------
    name : str
    material : str
        Material card carrying resistivity, tcr, k, rho, cp and melting point.
    diameters : tuple of float
        Standard diameters (µm).
    preece : float, optional
        Preece coefficient a of I = a d^1.5 (A, d in inches).
    max_temperature : float
        Hot-spot temperature allowed in continuous operation (°C).
    sources : mapping of field to citation
    """

    name: str = text()
    material: str = text()
    diameters: tuple = dataclasses.field(default=())
    preece: float | None = quantity("dimensionless", None, positive=True)
    max_temperature: float = quantity("temperature", 150.0)
    description: str | None = text(None)
    sources: tuple | None = table("text")

    def _validate(self):
        values = self.diameters
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            raise DesignError(f"expected a list of diameters, got {values!r}", "diameters")
        out = tuple(to_internal(v, "length", f"diameters[{i}]") for i, v in enumerate(values))
        for i, d in enumerate(out):
            if not d > 0:
                raise DesignError(f"a diameter must be greater than zero, got {d:g}", f"diameters[{i}]")
        object.__setattr__(self, "diameters", tuple(sorted(out)))

    @classmethod
    def _from_cursor(cls, cur: Cursor) -> WireFamily:
        kwargs = read_fields(cls, cur, skip=("diameters",))
        if cur.has("diameters"):
            kwargs["diameters"] = [c.length() for c in cur["diameters"].sequence("a list of diameters")]
        return cur.build(cls, **kwargs)

    def source(self, field: str) -> str | None:
        """Citation of `field`."""
        return dict(self.sources or ()).get(field)


@dataclass(frozen=True)
class BlackParams(Spec):
    """Black's equation anchored at a reference test condition.

    ``t50(J, T) = t50_ref (J/J_ref)^-n exp(Ea/k (1/T - 1/T_ref))`` with T in kelvin.

    Parameters
    ----------
    n : float
        Current-density exponent.
    Ea : float
        Activation energy (eV).
    J_ref : float
        Reference current density (A/cm²).
    T_ref : float
        Reference temperature (°C).
    t50_ref : float
        Median life at the reference condition (s; ``"2000 h"`` is accepted).
    """

    n: float = quantity("dimensionless", positive=True)
    Ea: float = quantity("dimensionless", positive=True, doc="eV")
    J_ref: float = quantity("dimensionless", positive=True, doc="A/cm^2")
    T_ref: float = quantity("temperature")
    t50_ref: float = quantity("time", positive=True)

    def _validate(self):
        if self.T_ref <= -273.15:
            raise DesignError("the reference temperature must be above absolute zero", "T_ref")

    def life(self, J, T):
        """Median EM life (s) at current density `J` (A/m²) and temperature `T` (°C).

        Zero current gives an infinite life.
        """
        from .bumps import black_life

        return black_life(J, T, n=self.n, Ea=self.Ea, J_ref=self.J_ref * 1e4, T_ref=self.T_ref,
                          t50_ref=self.t50_ref)


@dataclass(frozen=True)
class FatigueParams(Spec):
    """Engelmaier fatigue parameters of a joint type."""

    ductility: float = quantity("dimensionless", 0.325, positive=True,
                                doc="fatigue ductility coefficient eps_f'")
    F: float = quantity("dimensionless", 1.0, positive=True, doc="empirical non-ideal factor")


@dataclass(frozen=True)
class BumpType(Spec):
    """Reliability parameters of one bump kind."""

    kind: str = choice(BUMP_KINDS)
    black: BlackParams | None = nested(BlackParams)
    fatigue: FatigueParams = nested(FatigueParams, FatigueParams())
    description: str | None = text(None)
    sources: tuple | None = table("text")

    def _validate(self):
        if self.black is None:
            raise DesignError("missing required field 'black'", "black")

    def source(self, field: str) -> str | None:
        """Citation of `field`."""
        return dict(self.sources or ()).get(field)


@dataclass(frozen=True)
class Catalog:
    """Wire families and bump types, with where each entry came from."""

    wires: dict
    bumps: dict
    origins: dict = dataclasses.field(default_factory=dict)

    def wire_family(self, material: str) -> WireFamily | None:
        """The family whose material card is `material`, or None."""
        for fam in self.wires.values():
            if fam.material == material:
                return fam
        return None

    def bump(self, kind: str) -> BumpType:
        """The entry for bump kind `kind`."""
        entry = self.bumps.get(kind)
        if entry is None:
            raise DesignError(f"the bump catalog has no entry for {kind!r}; add one to a catalog file "
                              f"(known: {', '.join(sorted(self.bumps)) or 'none'})")
        return entry

    def merged(self, other: Catalog) -> Catalog:
        """A catalog with `other`'s entries added to or overriding these."""
        return Catalog({**self.wires, **other.wires}, {**self.bumps, **other.bumps},
                       {**self.origins, **other.origins})


def _named(cur: Cursor, key: str, value) -> Cursor:
    data = _LineDict(cur.value)
    data.key_lines = dict(getattr(cur.value, "key_lines", {}))
    data.line = getattr(cur.value, "line", cur.line)
    data[key] = value
    return Cursor(data, cur.path, cur.file, cur.line, cur.base_dir, cur.length_unit)


def _read_file(path: Path) -> Catalog:
    root = read_document(path)
    root.mapping("a catalog: a mapping with 'wires:' and/or 'bumps:'")
    root.check_keys(["units", "wires", "bumps"])
    root.read_header()
    wires, bumps, origins = {}, {}, {}
    if root.get("wires") is not None:
        for name, cur in root["wires"].items():
            cur.mapping(f"a wire family for {name!r}")
            wires[name] = from_cursor(WireFamily, _named(cur, "name", name))
            origins[("wire", name)] = path.name
    if root.get("bumps") is not None:
        for kind, cur in root["bumps"].items():
            cur.mapping(f"a bump entry for {kind!r}")
            if kind not in BUMP_KINDS:
                raise cur.error(f"unknown bump kind {kind!r}; expected one of {', '.join(BUMP_KINDS)}")
            bumps[kind] = from_cursor(BumpType, _named(cur, "kind", kind))
            origins[("bump", kind)] = path.name
    return Catalog(wires, bumps, origins)


def load_catalog(*paths, builtin: bool = True) -> Catalog:
    """Read catalog files or folders (``*.yaml``, ``*.yml``, ``*.json``) over the built-in one.

    Parameters
    ----------
    *paths : str or Path
        Files or folders, later ones overriding earlier ones entry by entry.
    builtin : bool
        Start from the catalog shipped with sipkit.

    Examples
    --------
    >>> cat = load_catalog()
    >>> cat.wire_family("au-wire").name
    'au'
    >>> cat.bump("copper_pillar").black.n
    2.0
    """
    out = builtin_catalog() if builtin else Catalog({}, {}, {})
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted([*p.glob("*.yaml"), *p.glob("*.yml"), *p.glob("*.json")])
        elif p.exists():
            files = [p]
        else:
            raise DesignError("no such catalog file or folder", file=str(p))
        for f in files:
            out = out.merged(_read_file(f))
    return out


@cache
def builtin_catalog() -> Catalog:
    """The catalog shipped with sipkit (``interconnect/*.yaml``), read once per process."""
    from .._resources import data_folder

    out = Catalog({}, {}, {})
    for f in sorted(data_folder("interconnect").glob("*.yaml")):
        out = out.merged(_read_file(f))
    return out
