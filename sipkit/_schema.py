"""One declarative schema for the model's dataclasses: validation, loading and saving.

Each model class is a frozen dataclass whose fields are declared with the helpers
below (:func:`quantity`, :func:`pair`, :func:`points`, :func:`nested`, :func:`many`,
...).  From that single declaration:

* ``__post_init__`` normalises user values (numbers, ``"0.3 mm"`` strings, pint
  Quantities, mappings for nested objects) into plain floats and tuples in sipkit's
  internal units, and rejects bad ones with the field path in the message;
* :func:`from_cursor` builds an object from a located YAML/JSON document, so errors
  name file, line and field, and bare lengths follow the document's ``units:``;
* :func:`to_data` writes an object back to plain data in default units, exactly
  reversible (a value that would not survive the unit round trip is written with its
  internal unit instead).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from typing import Any

from .errors import DesignError
from .units import KINDS, from_internal, to_internal

__all__ = [
    "Spec",
    "choice",
    "counts",
    "flag",
    "from_cursor",
    "grid",
    "integer",
    "many",
    "names",
    "nested",
    "pair",
    "point",
    "points",
    "polygons",
    "quantity",
    "table",
    "text",
    "to_data",
    "vector3",
]

_REQUIRED = dataclasses.MISSING


def _field(meta: dict, default=_REQUIRED, key: str | None = None, doc: str = ""):
    meta = dict(meta, key=key, doc=doc)
    if default is _REQUIRED:
        return dataclasses.field(metadata=meta)
    return dataclasses.field(default=default, metadata=meta)


def quantity(kind: str, default=_REQUIRED, *, min=None, positive=False, key=None, doc=""):
    """A scalar physical quantity of `kind` (see :mod:`sipkit.units`)."""
    return _field({"type": "quantity", "kind": kind, "min": min, "positive": positive},
                  default, key, doc)


def pair(kind: str = "length", default=_REQUIRED, *, positive=False, key=None, doc=""):
    """Two quantities, e.g. a size ``[w, h]`` or a pitch ``[px, py]``."""
    return _field({"type": "pair", "kind": kind, "positive": positive}, default, key, doc)


def point(default=_REQUIRED, *, key=None, doc=""):
    """A point ``[x, y]`` in µm."""
    return _field({"type": "pair", "kind": "length", "positive": False}, default, key, doc)


def points(min_points: int = 3, default=_REQUIRED, *, key=None, doc=""):
    """A list of points in µm; ``{rect: [x0, y0, x1, y1]}`` is accepted for a polygon."""
    return _field({"type": "points", "min_points": min_points}, default, key, doc)


def polygons(default=(), *, key=None, doc=""):
    """A list of polygons (e.g. the holes of a shape)."""
    return _field({"type": "polygons"}, default, key, doc)


def text(default=_REQUIRED, *, key=None, doc=""):
    """A non-empty string (a name, a reference)."""
    return _field({"type": "text"}, default, key, doc)


def choice(options, default=_REQUIRED, *, key=None, doc=""):
    """One of a fixed set of strings."""
    return _field({"type": "choice", "options": tuple(options)}, default, key, doc)


def flag(default: bool, *, key=None, doc=""):
    """A boolean."""
    return _field({"type": "flag"}, default, key, doc)


def integer(default=_REQUIRED, *, min=None, key=None, doc=""):
    """A whole number."""
    return _field({"type": "integer", "min": min}, default, key, doc)


def counts(default=_REQUIRED, *, key=None, doc=""):
    """Two positive whole numbers ``[nx, ny]``."""
    return _field({"type": "counts"}, default, key, doc)


def names(default=(), *, key=None, doc=""):
    """A list of names (strings)."""
    return _field({"type": "names"}, default, key, doc)


def vector3(kind: str, default=_REQUIRED, *, positive=False, key=None, doc=""):
    """A quantity that may differ along x, y and z: a scalar or ``[ax, ay, az]``."""
    return _field({"type": "vector3", "kind": kind, "positive": positive}, default, key, doc)


def table(values: str = "text", default=None, *, key=None, doc=""):
    """A mapping from names to texts (``values="text"``) or to fractions in [0, 1]."""
    return _field({"type": "table", "values": values}, default, key, doc)


def nested(cls, default=None, *, key=None, doc=""):
    """An optional (or required, with ``default=_REQUIRED``) nested object."""
    return _field({"type": "nested", "cls": cls}, default, key, doc)


def many(cls, *, keyed_by: str | None = None, key=None, doc=""):
    """A tuple of nested objects.

    With `keyed_by`, documents write them as a mapping from that attribute to the rest
    (``routing: {L1: {...}}``).
    """
    return _field({"type": "many", "cls": cls, "keyed_by": keyed_by}, (), key, doc)


def grid(kind: str, default=None, *, key=None, doc=""):
    """A 2-D table of quantities, rows as lists (row 0 first)."""
    return _field({"type": "grid", "kind": kind}, default, key, doc)


# --------------------------------------------------------------------------------------
# normalisation of user values


def _fail(message: str, field: str):
    raise DesignError(message, field)


def _as_points(value, name: str, min_points: int):
    if isinstance(value, Mapping):
        if set(value) != {"rect"}:
            _fail("expected a list of points or {rect: [x0, y0, x1, y1]}", name)
        r = value["rect"]
        if not isinstance(r, (list, tuple)) or len(r) != 4:
            _fail(f"expected rect: [x0, y0, x1, y1], got {r!r}", f"{name}.rect")
        x0, y0, x1, y1 = (to_internal(v, "length", f"{name}.rect[{i}]") for i, v in enumerate(r))
        if not (x1 > x0 and y1 > y0):
            _fail(f"a rect needs x1 > x0 and y1 > y0, got {list(r)}", f"{name}.rect")
        return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        _fail(f"expected a list of points [[x, y], ...], got {value!r}", name)
    out = []
    for i, p in enumerate(value):
        if isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2:
            _fail(f"expected a point [x, y], got {p!r}", f"{name}[{i}]")
        out.append((to_internal(p[0], "length", f"{name}[{i}][0]"),
                    to_internal(p[1], "length", f"{name}[{i}][1]")))
    if len(out) < min_points:
        what = "a path" if min_points == 2 else "a polygon"
        _fail(f"{what} needs at least {min_points} points, got {len(out)}", name)
    return tuple(out)


class Internal(float):
    """A float already in sipkit's internal unit for a kind whose default unit differs.

    Moduli are typed in GPa but kept in Pa, CTEs typed in ppm/K but kept in 1/K.  Such
    values are stored as this subclass so that normalising them again (as
    ``dataclasses.replace`` does) leaves them alone instead of scaling them twice.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return float.__repr__(self)

    def __reduce__(self):
        return (Internal, (float(self),))


def _scaled(kind: str) -> bool:
    return KINDS[kind].scale != 1.0


def _normalise(value, f: dataclasses.Field, name: str):
    meta = f.metadata
    kind = meta["type"]
    if value is None:
        if f.default is None:
            return None
        _fail("a value is required", name)
    if kind == "quantity":
        if type(value) is Internal:
            return value
        x = to_internal(value, meta["kind"], name)
        if _scaled(meta["kind"]):
            x = Internal(x)
        if meta["positive"] and not x > 0:
            _fail(f"must be greater than zero, got {_show(value)}", name)
        if meta["min"] is not None and x < meta["min"]:
            _fail(f"must be at least {meta['min']}, got {_show(value)}", name)
        return x
    if kind == "pair":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__") or len(value) != 2:
            _fail(f"expected a pair [a, b], got {value!r}", name)
        out = tuple(to_internal(v, meta["kind"], f"{name}[{i}]") for i, v in enumerate(value))
        if meta["positive"] and not (out[0] > 0 and out[1] > 0):
            _fail(f"both values must be greater than zero, got {list(value)}", name)
        return out
    if kind == "points":
        return _as_points(value, name, meta["min_points"])
    if kind == "polygons":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            _fail(f"expected a list of polygons, got {value!r}", name)
        return tuple(_as_points(p, f"{name}[{i}]", 3) for i, p in enumerate(value))
    if kind == "text":
        if not isinstance(value, str) or not value.strip():
            _fail(f"expected a non-empty text, got {value!r}", name)
        return value
    if kind == "choice":
        if value not in meta["options"]:
            _fail(f"expected one of {', '.join(map(str, meta['options']))}, got {value!r}", name)
        return value
    if kind == "vector3":
        if isinstance(value, (list, tuple)):
            if len(value) != 3:
                _fail(f"expected one value or three [x, y, z], got {list(value)!r}", name)
            out = tuple(to_internal(v, meta["kind"], f"{name}[{i}]") for i, v in enumerate(value))
        else:
            x = to_internal(value, meta["kind"], name)
            out = (x, x, x)
        if meta["positive"] and min(out) <= 0:
            _fail(f"must be greater than zero, got {_show(value)}", name)
        return out
    if kind == "table":
        if isinstance(value, tuple):  # already normalised (dataclasses.replace)
            value = dict(value)
        if not isinstance(value, Mapping):
            _fail(f"expected a mapping of names to values, got {value!r}", name)
        items = []
        for k, v in value.items():
            if not isinstance(k, str) or not k.strip():
                _fail(f"expected a name, got {k!r}", name)
            if meta["values"] == "text":
                if not isinstance(v, str) or not v.strip():
                    _fail(f"expected a non-empty text, got {v!r}", f"{name}.{k}")
            else:
                v = to_internal(v, "dimensionless", f"{name}.{k}")
                if not 0.0 <= v <= 1.0:
                    _fail(f"a fraction must lie in [0, 1], got {v!r}", f"{name}.{k}")
            items.append((k, v))
        return tuple(items)
    if kind == "names":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            _fail(f"expected a list of names, got {value!r}", name)
        value = tuple(value)
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                _fail(f"expected a non-empty text, got {v!r}", f"{name}[{i}]")
        return value
    if kind == "flag":
        if not isinstance(value, bool):
            _fail(f"expected true or false, got {value!r}", name)
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            _fail(f"expected a whole number, got {value!r}", name)
        if meta["min"] is not None and value < meta["min"]:
            _fail(f"must be at least {meta['min']}, got {value!r}", name)
        return int(value)
    if kind == "counts":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__") or len(value) != 2:
            _fail(f"expected two whole numbers [nx, ny], got {value!r}", name)
        if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1 for v in value):
            _fail(f"expected two whole numbers of at least 1, got {list(value)!r}", name)
        return (int(value[0]), int(value[1]))
    if kind == "nested":
        return _instance(meta["cls"], value, name)
    if kind == "many":
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            _fail(f"expected a list, got {value!r}", name)
        if isinstance(value, Mapping) and meta["keyed_by"]:
            value = [{meta["keyed_by"]: k, **v} if isinstance(v, Mapping) else v
                     for k, v in value.items()]
        return tuple(_instance(meta["cls"], v, f"{name}[{i}]") for i, v in enumerate(value))
    if kind == "grid":
        if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
            _fail(f"expected a table (a list of rows), got {value!r}", name)
        rows = []
        for i, row in enumerate(value):
            if isinstance(row, (str, bytes, Mapping)) or not hasattr(row, "__iter__"):
                _fail(f"expected a row of numbers, got {row!r}", f"{name}[{i}]")
            rows.append(tuple(to_internal(v, meta["kind"], f"{name}[{i}][{j}]")
                              for j, v in enumerate(row)))
        if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
            _fail("expected a non-empty table with rows of equal length", name)
        return tuple(rows)
    raise AssertionError(kind)  # pragma: no cover - schema declaration error


def _instance(cls, value, name):
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        _fail(f"expected a mapping of {cls.__name__} fields, got {value!r}", name)
    keys = {(f.metadata.get("key") or f.name): f.name for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in value if k not in keys and k not in keys.values()]
    if unknown:
        _fail(f"unknown field {unknown[0]!r}; allowed: {', '.join(keys)}", name)
    kwargs = {keys.get(k, k): v for k, v in value.items()}
    for f in dataclasses.fields(cls):
        if f.init and f.default is _REQUIRED and f.default_factory is _REQUIRED and f.name not in kwargs:
            _fail(f"missing required field '{f.metadata.get('key') or f.name}'", name)
    try:
        return cls(**kwargs)
    except DesignError as err:
        raise _prefixed(err, name) from None


def _prefixed(err: DesignError, prefix: str) -> DesignError:
    field = f"{prefix}.{err.field}" if err.field else prefix
    if err.field and err.field.startswith("["):
        field = f"{prefix}{err.field}"
    return type(err)(err.message, field, err.file, err.line)


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


class Spec:
    """Mixin for the model's frozen dataclasses: normalise, then :meth:`validate`."""

    def __post_init__(self):
        for f in dataclasses.fields(self):
            if not f.init or "type" not in f.metadata:
                continue
            value = getattr(self, f.name)
            new = _normalise(value, f, f.metadata.get("key") or f.name)
            if new is not value:
                object.__setattr__(self, f.name, new)
        self._validate()

    def _validate(self) -> None:
        """Check relations between fields; raise DesignError naming the field."""

    @classmethod
    def from_internal(cls, **values):
        """Build from values already in internal units (floats, tuples), skipping parsing."""
        obj = object.__new__(cls)
        for f in dataclasses.fields(cls):
            if f.name in values:
                value = values[f.name]
                meta = f.metadata
                if (value is not None and meta.get("type") == "quantity" and _scaled(meta["kind"])):
                    value = Internal(value)
            elif f.default is not _REQUIRED:
                value = f.default
            elif f.default_factory is not _REQUIRED:
                value = f.default_factory()
            else:
                raise DesignError("a value is required", f.metadata.get("key") or f.name)
            object.__setattr__(obj, f.name, value)
        obj._validate()
        return obj

    def replace(self, **changes):
        """Return a copy with `changes` applied (validated like a new object).

        Changed values take numbers in default units, strings or Quantities, like the
        constructor; unchanged values are kept exactly.
        """
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------------------
# documents


def from_cursor(cls, cur):
    """Build a `cls` from a located document (see :class:`sipkit._source.Cursor`).

    Lengths follow the document's unit; every error is located at file, line and
    field path.
    """
    cur.mapping(f"a mapping of {cls.__name__} fields")
    hook = getattr(cls, "_from_cursor", None)
    if hook is not None:
        return hook(cur)
    return cur.build(cls, **read_fields(cls, cur))


def read_fields(cls, cur, skip=(), readers=None) -> dict[str, Any]:
    """Read the declared fields of `cls` from `cur` into constructor arguments.

    `skip` names extra keys the caller handles; `readers` maps a key to a function
    of its cursor that replaces the default reading of that field.
    """
    declared = [f for f in dataclasses.fields(cls) if f.init and "type" in f.metadata]
    names = {(f.metadata.get("key") or f.name): f for f in declared}
    cur.check_keys(list(names) + list(skip))
    readers = readers or {}
    kwargs = {}
    for key, f in names.items():
        child = cur.get(key)
        if child is None:
            if f.default is _REQUIRED and f.default_factory is _REQUIRED:
                raise cur.error(f"missing required field '{key}'")
            continue
        kwargs[f.name] = readers[key](child) if key in readers else _read_value(f, child)
    return kwargs


def _read_value(f, cur):
    meta = f.metadata
    kind = meta["type"]
    if kind == "quantity" and meta["kind"] == "length":
        return cur.length()
    if kind == "pair" and meta["kind"] == "length":
        return cur.point()
    if kind == "points":
        if isinstance(cur.value, Mapping) and "rect" in cur.value:
            r = cur["rect"].sequence("[x0, y0, x1, y1]")
            if len(r) != 4:
                raise cur["rect"].error("expected rect: [x0, y0, x1, y1]")
            return {"rect": [c.length() for c in r]}
        return cur.points()
    if kind == "polygons":
        return [_read_value(_POINTS_FIELD, c) for c in cur.sequence("a list of polygons")]
    if kind == "nested":
        return from_cursor(meta["cls"], cur)
    if kind == "many":
        if meta["keyed_by"] and isinstance(cur.value, Mapping):
            out = []
            for k, c in cur.items():
                obj_cur = c.mapping(f"a mapping of {meta['cls'].__name__} fields")
                data = dict(obj_cur.value)
                data[meta["keyed_by"]] = k
                proxy = type(obj_cur)(_with_lines(data, obj_cur.value), obj_cur.path, obj_cur.file,
                                      obj_cur.line, obj_cur.base_dir, obj_cur.length_unit)
                out.append(from_cursor(meta["cls"], proxy))
            return out
        return [from_cursor(meta["cls"], c) for c in cur.sequence()]
    return cur.value


_POINTS_FIELD = dataclasses.field(metadata={"type": "points", "min_points": 3})


def _with_lines(data: dict, like):
    from ._source import _LineDict

    out = _LineDict(data)
    out.key_lines = dict(getattr(like, "key_lines", {}))
    out.line = getattr(like, "line", None)
    return out


def _number_out(x: float, kind: str):
    x = float(x)
    value = from_internal(x, kind)
    spec = KINDS[kind]
    if spec.scale != 1.0 and to_internal(value, kind) != x:
        return f"{x!r} {spec.internal}"  # exact: the internal unit needs no conversion
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def to_data(obj) -> dict[str, Any]:
    """Plain data (dicts, lists, numbers, strings) for `obj`, omitting default values."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if not f.init or "type" not in f.metadata:
            continue
        value = getattr(obj, f.name)
        if f.default is not _REQUIRED and _same(value, f.default):
            continue
        if value is None:
            continue
        out[f.metadata.get("key") or f.name] = _data_value(value, f)
    return out


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


def _data_value(value, f):
    meta = f.metadata
    kind = meta["type"]
    if kind == "quantity":
        return _number_out(value, meta["kind"])
    if kind == "pair":
        return [_number_out(v, meta["kind"]) for v in value]
    if kind == "points":
        return [[_number_out(x, "length"), _number_out(y, "length")] for x, y in value]
    if kind == "polygons":
        return [[[_number_out(x, "length"), _number_out(y, "length")] for x, y in p] for p in value]
    if kind in ("counts", "names"):
        return list(value)
    if kind == "vector3":
        out = [_number_out(v, meta["kind"]) for v in value]
        return out[0] if value[0] == value[1] == value[2] else out
    if kind == "table":
        return dict(value)
    if kind == "grid":
        return [[_number_out(v, meta["kind"]) for v in row] for row in value]
    if kind == "nested":
        return to_data(value)
    if kind == "many":
        if meta["keyed_by"]:
            result = {}
            for item in value:
                data = to_data(item)
                result[data.pop(meta["keyed_by"])] = data
            return result
        return [to_data(v) for v in value]
    return value


def is_finite_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)
