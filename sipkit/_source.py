"""Reading YAML/JSON documents with line numbers, and walking them with field paths.

All of sipkit's declarative files (designs, material cards, rule decks, catalogs,
presets) are read through :func:`read_document`, which uses PyYAML's safe loader only
(libyaml when available), rejects duplicate keys, and remembers the line of every
mapping key and list item.  :class:`Cursor` walks the result and turns every problem
into a :class:`~sipkit.errors.DesignError` naming file, line and field path, e.g.
``edge-ai.yaml:42: dies[1].thickness: expected a length, got '20 kg'``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import DesignError
from .units import to_internal

__all__ = ["Cursor", "parse_text", "read_document"]

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineDict(dict):
    """A mapping that remembers the line of each key."""

    __slots__ = ("key_lines", "line")


class _LineList(list):
    """A list that remembers the line of each item."""

    __slots__ = ("item_lines", "line")


class _Loader(_BaseLoader):
    def construct_mapping(self, node, deep=False):
        self.flatten_mapping(node)
        out = _LineDict()
        out.key_lines = {}
        out.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise DesignError(
                    f"a mapping key must be a plain value, got {key!r}",
                    line=key_node.start_mark.line + 1,
                ) from None
            if key in out:
                raise DesignError(
                    f"duplicate key {key!r} (first on line {out.key_lines[key]})",
                    line=key_node.start_mark.line + 1,
                )
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node, deep=False):
        out = _LineList(self.construct_object(child, deep=True) for child in node.value)
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        out.line = node.start_mark.line + 1
        return out


def _construct_map(loader, node):
    return loader.construct_mapping(node)


def _construct_seq(loader, node):
    return loader.construct_sequence(node)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
# YAML 1.1 reads on/off/yes/no as booleans (``on: substrate`` would become True):
# keep YAML 1.2's true/false only.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# YAML 1.1 reads "1e-8" (no dot) as a string; JSON writes floats that way and users
# type resistivities that way, so resolve YAML 1.2 style floats as floats.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def parse_text(text: str, name: str = "<string>") -> Any:
    """Parse YAML (or JSON) text into plain data that remembers line numbers.

    Raises
    ------
    DesignError
        On a syntax error, naming `name` and the line.
    """
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except DesignError as err:
        raise err.located(file=name) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = err.problem or err.context or "malformed YAML"
        raise DesignError(f"not valid YAML: {problem}", file=name, line=line) from None
    except yaml.YAMLError as err:
        raise DesignError(f"not valid YAML: {err}", file=name) from None


def read_document(path: str | Path) -> Cursor:
    """Read a YAML or JSON file and return a :class:`Cursor` at its root.

    JSON files are checked by the json module first (strict syntax, clear messages),
    then read through the same loader to keep line numbers.
    """
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DesignError("no such file", file=str(path)) from None
    except OSError as err:
        raise DesignError(f"cannot read: {err.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DesignError(
            f"not a text file (invalid UTF-8 at byte {err.start}); expected YAML or JSON",
            file=name,
        ) from None
    if path.suffix.lower() == ".json":
        try:
            json.loads(text)
        except json.JSONDecodeError as err:
            raise DesignError(f"not valid JSON: {err.msg}", file=name, line=err.lineno) from None
    data = parse_text(text, name)
    return Cursor(data, "", name, getattr(data, "line", 1), base_dir=path.parent)


_MISSING = object()


class Cursor:
    """A located position inside a parsed document.

    Parameters
    ----------
    value : Any
        The data at this position.
    path : str
        Field path from the document root, e.g. ``substrate.stackup[2]``.
    file : str or None
        File name for messages.
    line : int or None
        Line of this value.
    base_dir : Path, optional
        Folder of the file, for resolving relative paths the document names.
    length_unit : str, optional
        Unit of bare lengths (a document's ``units:``).
    """

    __slots__ = ("base_dir", "file", "length_unit", "line", "path", "value")

    def __init__(self, value, path="", file=None, line=None, base_dir=None, length_unit="um"):
        self.value = value
        self.path = path
        self.file = file
        self.line = line
        self.base_dir = base_dir
        self.length_unit = length_unit

    # -- navigation -----------------------------------------------------------------
    def _child(self, value, key, line) -> Cursor:
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else str(key)
        return Cursor(value, path, self.file, line or self.line, self.base_dir, self.length_unit)

    def error(self, message: str, cls: type[DesignError] = DesignError) -> DesignError:
        """Build an error located at this cursor."""
        return cls(message, field=self.path or None, file=self.file, line=self.line)

    def mapping(self, what: str = "a mapping") -> Cursor:
        if not isinstance(self.value, dict):
            raise self.error(f"expected {what}, got {_short(self.value)}")
        return self

    def sequence(self, what: str = "a list") -> list[Cursor]:
        if not isinstance(self.value, list):
            raise self.error(f"expected {what}, got {_short(self.value)}")
        lines = getattr(self.value, "item_lines", None)
        return [
            self._child(v, i, lines[i] if lines else None) for i, v in enumerate(self.value)
        ]

    def items(self) -> list[tuple[str, Cursor]]:
        self.mapping()
        lines = getattr(self.value, "key_lines", {})
        return [(k, self._child(v, k, lines.get(k))) for k, v in self.value.items()]

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def __getitem__(self, key: str) -> Cursor:
        self.mapping()
        if key not in self.value:
            raise self.error(f"missing required field '{key}'")
        return self._child(self.value[key], key, getattr(self.value, "key_lines", {}).get(key))

    def get(self, key: str, default=None) -> Cursor | None:
        self.mapping()
        if key not in self.value or self.value[key] is None:
            return default
        return self[key]

    def check_keys(self, allowed) -> Cursor:
        """Reject unknown keys, suggesting the closest allowed one."""
        self.mapping()
        allowed = list(allowed)
        for key, child in self.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                options = ", ".join(allowed)
                raise child.error(f"unknown field '{key}'{hint}; allowed: {options}")
        return self

    def read_header(self, version: int | None = None) -> Cursor:
        """Read a document's optional ``sipkit:`` format version and ``units:`` keys.

        ``units`` sets the unit of bare lengths below this cursor (``um``, ``mm``,
        ``thou``, ...); a ``sipkit`` version other than `version` is refused.
        """
        self.mapping()
        if version is not None and self.has("sipkit"):
            cur = self["sipkit"]
            if cur.value != version:
                raise cur.error(f"unsupported format {cur.value!r}; this sipkit reads format {version}")
        if self.get("units") is not None:
            cur = self["units"]
            unit = cur.string()
            try:
                to_internal(1.0, "length", default=unit)
            except DesignError:
                raise cur.error(f"expected a length unit such as um or mm, got {unit!r}") from None
            self.length_unit = unit
        return self

    # -- scalars ----------------------------------------------------------------------
    def quantity(self, kind: str) -> float:
        default = self.length_unit if kind == "length" else None
        try:
            return to_internal(self.value, kind, default=default)
        except DesignError as err:
            raise self.error(err.message, type(err)) from None

    def length(self) -> float:
        return self.quantity("length")

    def string(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.error(f"expected a non-empty text, got {_short(self.value)}")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"expected true or false, got {_short(self.value)}")
        return self.value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.error(f"expected a whole number, got {_short(self.value)}")
        return self.value

    def choice(self, options) -> str:
        value = self.string()
        if value not in options:
            close = difflib.get_close_matches(value, list(options), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise self.error(f"unknown value {value!r}{hint}; expected one of {', '.join(options)}")
        return value

    def point(self) -> tuple[float, float]:
        items = self.sequence("a point [x, y]")
        if len(items) != 2:
            raise self.error(f"expected a point [x, y], got {_short(self.value)}")
        return (items[0].length(), items[1].length())

    def pair(self, kind: str = "length") -> tuple[float, float]:
        items = self.sequence("a pair [a, b]")
        if len(items) != 2:
            raise self.error(f"expected a pair [a, b], got {_short(self.value)}")
        return (items[0].quantity(kind), items[1].quantity(kind))

    def points(self) -> tuple[tuple[float, float], ...]:
        return tuple(c.point() for c in self.sequence("a list of points [[x, y], ...]"))

    def path_value(self):
        """A file path named by the document, resolved against the document's folder."""
        text = Path(self.string())
        if not text.is_absolute() and self.base_dir is not None:
            text = self.base_dir / text
        return text

    def build(self, factory, *args, **kwargs):
        """Call `factory`, locating any DesignError it raises at this cursor.

        An error whose field names a sub-field (``thickness``) gets this cursor's path
        prefixed and, when the document has it, that sub-field's line.
        """
        try:
            return factory(*args, **kwargs)
        except DesignError as err:
            raise self.locate(err) from None

    def locate(self, err: DesignError) -> DesignError:
        """Place an error raised for a sub-field of this cursor's value at its line."""
        if err.file:
            return err
        line = self.line
        field = self.path or None
        if err.field:
            value = self.value
            for token in re.findall(r"[^.\[\]]+|\[\d+\]", err.field):
                if token.startswith("[") and isinstance(value, list):
                    i = int(token[1:-1])
                    if i >= len(value):
                        break
                    line = (getattr(value, "item_lines", None) or [line] * (i + 1))[i]
                    value = value[i]
                elif isinstance(value, dict) and token in value:
                    line = getattr(value, "key_lines", {}).get(token, line)
                    value = value[token]
                else:
                    break
            sep = "" if err.field.startswith("[") or not field else "."
            field = f"{field}{sep}{err.field}" if field else err.field
        return type(err)(err.message, field=field, file=self.file, line=line)


def _short(value) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    if value is None:
        text = "nothing"
    return text if len(text) <= 60 else text[:57] + "..."
