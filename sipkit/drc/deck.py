"""Rule decks: YAML files of design rules, parsed once into frozen definitions.

A deck names its rules, the GDS layer/datatype of each layer for layout input, net
classes for net-aware clearance, and may include another deck and override its
values::

    name: organic-40um
    include: organic-25um          # a built-in deck by name, or a path (relative to this file)
    units: um                      # unit of bare lengths (areas: this unit squared)
    layers: {L1: 1/0, L2: 2/0, DRILL: 60/0, OUTLINE: 100/0}
    net_classes:
      power: {nets: [VDD*, VBAT], clearance: 50}
    rules:
      - {id: L1.W.1, min: 40}                                  # override: only what changes
      - {id: L1.S.1, check: space, layer: L1, min: 40, severity: error,
         description: "trace to trace"}
      - {id: L1.D.1, enabled: false}                           # drop an included rule

Each rule has an ``id``, a ``check`` (see :data:`CHECKS`), the parameters that check
takes and an optional ``severity`` (``error``, ``warning``, ``info``) and
``description``.  A rule whose id is already in the included deck overrides the fields
it gives and keeps the others.  Every error names the file, the line and the field.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from .._schema import Spec, choice, flag, many, names, quantity, text
from .._source import Cursor, read_document
from ..errors import DesignError
from ..units import to_internal

__all__ = ["CHECKS", "SEVERITIES", "Deck", "NetClass", "Rule", "builtin_decks", "load_deck"]

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class _Check:
    kind: str | None  # of min/max: length, area, percent, angle, ratio, count; None: no value
    needs: tuple  # fields a rule of this check must give
    takes: tuple = ()  # further fields it may give
    doc: str = ""


#: The checks a rule may name: the kind of its ``min``/``max`` and its parameters.
CHECKS: dict[str, _Check] = {
    # geometric, on one merged layer
    "width": _Check("length", ("layer", "min"), (), "width of copper (acute tips included)"),
    "space": _Check("length", ("layer", "min"), (), "space between polygons and notches inside one"),
    "notch": _Check("length", ("layer", "min"), (), "space inside one polygon"),
    "isolated": _Check("length", ("layer", "min"), (), "space between different polygons"),
    "area": _Check("area", ("layer", "min"), (), "area of each merged polygon"),
    "hole": _Check("area", ("layer", "min"), (), "area of each hole"),
    "enclosure": _Check("length", ("layer", "inner", "min"), (),
                        "`layer` encloses `inner` by at least min (annular ring on layouts)"),
    "outline": _Check("length", ("layer", "min"), ("outline",),
                      "copper to the substrate outline (inside it, at least min away)"),
    "density": _Check("percent", ("layer", "window"), ("min", "max", "step", "outline"),
                      "copper density in sliding square windows"),
    "density_balance": _Check("percent", ("max",), ("pairs", "window", "step", "outline"),
                              "copper density difference of layers mirrored about the core"),
    # net-aware
    "net_clearance": _Check("length", ("layer",), ("min",),
                            "space between different nets, the larger of their classes' clearances"),
    "short": _Check(None, ("layer",), (), "copper of different nets touching"),
    # substrate features of a package
    "annular_ring": _Check("length", ("min",), ("layer", "inner"),
                           "via capture pad beyond the drill, per side (layouts: `layer` encloses `inner`)"),
    "via_spacing": _Check("length", ("min",), ("layer",), "via drill edge to drill edge"),
    "mask_expansion": _Check("length", ("min",), ("layer", "inner"),
                             "solder-mask opening (`layer`) beyond the copper (`inner`) in it"),
    "mask_web": _Check("length", ("min",), ("layer",), "solder-mask dam between openings"),
    "finger_width": _Check("length", ("min",), (), "bond-finger width"),
    "finger_pitch": _Check("length", ("min",), (), "bond-finger centre pitch"),
    # assembly
    "bump_pitch": _Check("length", ("min",), (), "flip-chip bump centre pitch"),
    "bump_die_edge": _Check("length", ("min",), (), "bump edge to die edge"),
    "die_spacing": _Check("length", ("min",), (), "die to die, same side"),
    "die_package_edge": _Check("length", ("min",), (), "die to substrate edge"),
    "passive_keepout": _Check("length", ("min",), (), "passive to flip-chip underfill (fillet included)"),
    "component_overlap": _Check(None, (), (),
                                "components overlapping each other, fingers or lands/balls on their side"),
    "wire_length": _Check("length", (), ("min", "max"), "bond-wire length (3-D)"),
    "wire_ratio": _Check("ratio", ("max",), (), "bond-wire length over diameter"),
    "wire_clearance": _Check("length", ("min",), (), "wire to wire, 3-D, surface to surface"),
    "wire_crossing": _Check(None, (), (), "wires crossing in the top view"),
    "bond_angle": _Check("angle", ("max",), (), "wire direction off the bond finger axis"),
    "loop_height": _Check("length", ("min",), (), "clearance of the wire loop top below the mold top"),
    "wire_die_edge": _Check("length", ("min",), (), "wire above the die edge it passes"),
}

_RULE_KEYS = ("id", "check", "layer", "inner", "outline", "min", "max", "window", "step", "pairs",
              "severity", "description", "enabled")


def _value(value, kind: str, field: str, unit: str = "um") -> float:
    """A min/max of `kind` in internal units: µm, µm², percent, degrees or a plain ratio."""
    if kind == "length":
        return to_internal(value, "length", field, default=unit)
    if kind == "angle":
        return to_internal(value, "angle", field)
    if kind in ("ratio", "percent"):
        if isinstance(value, str) and value.strip().endswith("%"):
            x = to_internal(value.strip()[:-1], "dimensionless", field)
            return x if kind == "percent" else x / 100
        x = to_internal(value, "dimensionless", field)
        if kind == "percent" and not 0 <= x <= 100:
            raise DesignError(f"a density is a percentage in [0, 100], got {x:g}", field)
        return x
    if kind == "area":
        from ..units import Q_

        if isinstance(value, bool) or value is None:
            raise DesignError(f"expected an area, got {value!r}", field)
        try:
            q = Q_(float(value), f"{unit}**2") if not isinstance(value, str) or _is_number(value) \
                else Q_(value)
            return float(q.to("um**2").magnitude)
        except Exception:
            raise DesignError(f"expected an area such as 2000 or '0.002 mm**2', got {value!r}",
                              field) from None
    raise AssertionError(kind)  # pragma: no cover


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Rule(Spec):
    """One design rule.

    Parameters
    ----------
    id : str
        Unique rule id, e.g. ``L1.W.1``.
    check : str
        One of :data:`CHECKS`.
    layer : str, optional
        Layer the rule applies to (the layer map or the stack-up name).
    inner : str, optional
        Enclosed layer of an ``enclosure`` rule; the copper in the openings of a
        ``mask_expansion`` rule (the conductor under the mask on packages); the drills of
        an ``annular_ring`` rule on layouts (``DRILL`` by default).
    outline : str, optional
        Outline layer of ``outline`` and density rules on layouts (``OUTLINE`` by
        default; density windows span the copper's bounding box without one).
    min, max : float or str, optional
        Limits; lengths in µm, areas in µm², densities in percent, angles in degrees.
        A measured value equal to ``min`` passes (violations are ``value < min`` and
        ``value > max``).
    window, step : float, optional
        Density window side and step (µm); the step is half the window by default.
    pairs : list of [layer, layer], optional
        Layer pairs of a ``density_balance`` rule; by default the conductor layers
        mirrored about the middle of the stack-up.
    severity : {"error", "warning", "info"}
    description : str, optional
    enabled : bool
    """

    id: str = text()
    check: str = choice(tuple(CHECKS))
    layer: str | None = text(None)
    inner: str | None = text(None)
    outline: str | None = text(None)
    min: float | None = None
    max: float | None = None
    window: float | None = quantity("length", None, positive=True)
    step: float | None = quantity("length", None, positive=True)
    pairs: tuple = names()
    severity: str = choice(SEVERITIES, "error")
    description: str | None = text(None)
    enabled: bool = flag(True)

    def _validate(self):
        spec = CHECKS[self.check]
        for key in ("min", "max"):
            v = getattr(self, key)
            if v is not None:
                if spec.kind is None:
                    raise DesignError(f"a {self.check} rule takes no {key}", key)
                object.__setattr__(self, key, _value(v, spec.kind, key))
        allowed = set(spec.needs) | set(spec.takes)
        for key in spec.needs:
            if getattr(self, key) in (None, ()):
                raise DesignError(f"a {self.check} rule needs '{key}'", key)
        for key in ("layer", "inner", "outline", "min", "max", "window", "step"):
            if key not in allowed and getattr(self, key) is not None:
                raise DesignError(f"a {self.check} rule takes no '{key}'", key)
        if self.pairs and "pairs" not in allowed:
            raise DesignError(f"a {self.check} rule takes no 'pairs'", "pairs")
        for i, p in enumerate(self.pairs):
            if p.count(",") != 1 and p.count(":") != 1:
                raise DesignError(f"expected a layer pair 'L1:L4', got {p!r}", f"pairs[{i}]")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise DesignError(f"min ({self.min:g}) is above max ({self.max:g})", "min")
        if self.check == "density" and self.min is None and self.max is None:
            raise DesignError("a density rule needs min, max or both", "min")
        if self.check == "wire_length" and self.min is None and self.max is None:
            raise DesignError("a wire_length rule needs min, max or both", "min")

    @property
    def layer_pairs(self) -> tuple[tuple[str, str], ...]:
        """``pairs`` as tuples of two layer names."""
        out = []
        for p in self.pairs:
            a, b = p.replace(",", ":").split(":")
            out.append((a.strip(), b.strip()))
        return tuple(out)

    @property
    def limit_text(self) -> str:
        """The limit in words, e.g. ``>= 25 µm``."""
        unit = {"length": " µm", "area": " µm²", "percent": " %", "angle": "°", "ratio": ""}.get(
            CHECKS[self.check].kind or "", "")
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}{unit}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}{unit}")
        return " and ".join(parts) if parts else "none"


@dataclass(frozen=True)
class NetClass(Spec):
    """A net class: its nets (names or glob patterns) and its clearance to other nets."""

    name: str = text()
    clearance: float = quantity("length", positive=True)
    nets: tuple = names()

    def matches(self, net: str) -> bool:
        """Whether `net` belongs to the class."""
        return any(fnmatch.fnmatchcase(net, p) for p in self.nets)


@dataclass(frozen=True)
class Deck(Spec):
    """A rule deck: rules, layer map and net classes.

    Build one with :func:`load_deck`; decks are immutable.
    """

    name: str = text()
    rules: tuple = many(Rule)
    net_classes: tuple = many(NetClass, keyed_by="name")
    description: str | None = text(None)
    layers: tuple = ()
    source: str | None = field(default=None, compare=False)

    def _validate(self):
        seen = set()
        for i, r in enumerate(self.rules):
            if r.id in seen:
                raise DesignError(f"duplicate rule id {r.id!r}", f"rules[{i}].id")
            seen.add(r.id)

    @property
    def layer_map(self) -> dict[str, tuple[int, int]]:
        """Layer name to GDS (layer, datatype)."""
        return dict(self.layers)

    def rule(self, rule_id: str) -> Rule:
        """The rule with id `rule_id`."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise DesignError(f"deck {self.name!r} has no rule {rule_id!r}")

    def enabled_rules(self) -> tuple[Rule, ...]:
        """The rules that are enabled."""
        return tuple(r for r in self.rules if r.enabled)

    def clearance_of(self, net: str | None, default: float) -> float:
        """Clearance (µm) of `net`: the largest of its classes', at least `default`."""
        best = default
        if net:
            for c in self.net_classes:
                if c.matches(net):
                    best = max(best, c.clearance)
        return best


def builtin_decks() -> list[str]:
    """Names of the built-in decks."""
    from .._resources import data_folder

    try:
        folder = data_folder("rules")
    except FileNotFoundError:
        return []
    return sorted(p.stem for p in folder.glob("*.yaml"))


def _resolve(name_or_path, base_dir: Path | None) -> Path:
    """A deck file from a built-in name or a path."""
    text_ = str(name_or_path)
    p = Path(text_)
    if p.suffix.lower() in (".yaml", ".yml", ".json") or p.parent != Path("."):
        if not p.is_absolute() and base_dir is not None:
            p = base_dir / p
        return p
    from .._resources import data_folder

    candidate = data_folder("rules") / f"{text_}.yaml"
    if candidate.is_file():
        return candidate
    names_ = ", ".join(builtin_decks()) or "none"
    raise DesignError(f"no built-in deck {text_!r}; built-in decks: {names_} (or give a .yaml path)")


def load_deck(deck) -> Deck:
    """Read a rule deck: a built-in name (``"organic-25um"``), a path, or a Deck.

    Raises
    ------
    DesignError
        Naming file, line and field for anything wrong in the deck or the decks it
        includes.
    """
    if isinstance(deck, Deck):
        return deck
    path = _resolve(deck, None)
    return _load(path, ())


def _load(path: Path, chain: tuple) -> Deck:
    key = str(path.resolve()) if path.exists() else str(path)
    if key in chain:
        raise DesignError("decks include each other in a circle", file=path.name)
    root = read_document(path)
    root.mapping("a rule deck: a mapping with name, layers, rules")
    root.check_keys(["name", "description", "units", "include", "layers", "net_classes", "rules"])
    unit = "um"
    if root.get("units") is not None:
        ucur = root["units"]
        unit = ucur.string()
        try:
            to_internal(1.0, "length", default=unit)
        except DesignError:
            raise ucur.error(f"expected a length unit such as um or mm, got {unit!r}") from None
        root.length_unit = unit
    base = None
    if root.get("include") is not None:
        icur = root["include"]
        try:
            ipath = _resolve(icur.string(), root.base_dir)
        except DesignError as err:
            raise icur.error(err.message) from None
        if not ipath.is_file():
            raise icur.error(f"no such deck file {str(ipath)!r}")
        base = _load(ipath, (*chain, key))
    layers = dict(base.layers) if base else {}
    if root.get("layers") is not None:
        from ..io.gds import layer_spec

        lcur = root["layers"].mapping("a mapping of layer names to GDS layers, e.g. {L1: 1/0}")
        for name, c in lcur.items():
            if not isinstance(name, str):
                raise c.error(f"expected a layer name, got {name!r}")
            try:
                layers[name] = layer_spec(c.value)
            except ValueError as err:
                raise c.error(str(err)) from None
    classes = {c.name: c for c in base.net_classes} if base else {}
    if root.get("net_classes") is not None:
        ncur = root["net_classes"].mapping("a mapping of net class names to {nets, clearance}")
        for name, c in ncur.items():
            c.mapping(f"a net class {{nets, clearance}} for {name!r}")
            c.check_keys(["nets", "clearance"])
            kwargs = {"name": name, "nets": c["nets"].value}
            kwargs["clearance"] = c["clearance"].length()
            classes[name] = c.build(NetClass, **kwargs)
    rules = {r.id: r for r in base.rules} if base else {}
    if root.get("rules") is not None:
        here = set()
        for rc in root["rules"].sequence("a list of rules"):
            rule = _read_rule(rc, rules, unit)
            if rule.id in here:
                raise rc["id"].error(f"duplicate rule id {rule.id!r}")
            here.add(rule.id)
            rules[rule.id] = rule
    name = root["name"].string() if root.get("name") is not None else (base.name if base else path.stem)
    desc = root["description"].string() if root.get("description") is not None else (
        base.description if base else None)
    return root.build(Deck, name=name, rules=tuple(rules.values()), net_classes=tuple(classes.values()),
                      description=desc, layers=tuple(layers.items()), source=str(path))


def _read_rule(cur: Cursor, known: dict, unit: str) -> Rule:
    cur.mapping("a rule {id, check, layer, min, ...}")
    cur.check_keys(_RULE_KEYS)
    rid = cur["id"].string()
    data = {}
    for key, c in cur.items():
        if key == "pairs":
            data[key] = [":".join(map(str, p.value)) if isinstance(p.value, list) else p.value
                         for p in c.sequence("a list of layer pairs [[L1, L4], [L2, L3]]")]
        elif key in ("window", "step"):
            data[key] = c.length()
        else:
            data[key] = c.value
    if rid in known and "check" not in data:
        old = known[rid]
        merged = {f: getattr(old, f) for f in ("id", "check", "layer", "inner", "outline", "min", "max",
                                               "window", "step", "pairs", "severity", "description",
                                               "enabled")}
    elif "check" not in data:
        raise cur.error(f"rule {rid!r} needs 'check' (it overrides no included rule)")
    else:
        merged = {}
    merged.update(data)
    check = cur["check"].choice(tuple(CHECKS)) if "check" in data else merged["check"]
    kind = CHECKS[check].kind
    for key in ("min", "max"):
        if key in data and kind is not None and data[key] is not None:
            try:
                merged[key] = _value(data[key], kind, key, unit)
            except DesignError as err:
                raise cur[key].error(err.message) from None
    return cur.build(Rule, **merged)
