"""Material libraries: the built-in cards plus the user's own folders and inline cards.

A card file is YAML (or JSON) with one top-level key::

    materials:
      my-emc: {k: 0.9, E: 22, nu: 0.3, cte: 9, Tg: 150, E_above_Tg: 1.2, cte_above_Tg: 36,
               sources: {k: "...", E: "..."}}

Later sources override earlier ones card by card: built-in cards, then each folder or
file in the order given, then cards written inline in a design.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from .._schema import from_cursor
from .._source import read_document
from ..errors import MaterialError
from .card import Material, mix

__all__ = ["MaterialLibrary", "builtin_library", "load_cards", "resolve_library"]


def load_cards(path: str | Path) -> dict[str, Material]:
    """Read the cards of one file, or of every ``*.yaml``/``*.json`` file of a folder."""
    path = Path(path)
    if path.is_dir():
        out: dict[str, Material] = {}
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml"), *path.glob("*.json")])
        for file in files:
            out.update(load_cards(file))
        return out
    if not path.exists():
        raise MaterialError("no such material file or folder", file=str(path))
    root = read_document(path)
    root.mapping("a card file with a top-level 'materials:' mapping")
    root.check_keys(["materials"])
    cards = {}
    for name, cur in root["materials"].items():
        data = cur.mapping(f"a material card for {name!r}")
        card = from_cursor(Material, _named(data, name))
        cards[name] = card
    return cards


def _named(cur, name):
    """A cursor whose mapping also carries the card's name (cards are keyed by name)."""
    from .._source import Cursor, _LineDict

    value = _LineDict(cur.value)
    value.key_lines = dict(getattr(cur.value, "key_lines", {}))
    value.line = getattr(cur.value, "line", cur.line)
    value["name"] = name
    return Cursor(value, cur.path, cur.file, cur.line, cur.base_dir, cur.length_unit)


class MaterialLibrary(Mapping):
    """Named material cards with mixtures resolved on access.

    Parameters
    ----------
    cards : mapping of name to Material
    origins : mapping of name to where the card came from, optional

    Examples
    --------
    >>> lib = builtin_library()
    >>> round(lib["si"].E_at(25) / 1e9)
    130
    """

    def __init__(self, cards: Mapping[str, Material], origins: Mapping[str, str] | None = None):
        self._cards = dict(cards)
        self._origins = dict(origins or {})
        self._resolved: dict[str, Material] = {}

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path] = (), cards: Iterable[Material] = (),
                   builtin: bool = True) -> MaterialLibrary:
        """Built-in cards, then the cards of `paths`, then `cards`, later ones winning."""
        merged: dict[str, Material] = {}
        origins: dict[str, str] = {}
        if builtin:
            base = builtin_library()
            merged.update(base._cards)
            origins.update(base._origins)
        for p in paths:
            for name, card in load_cards(p).items():
                merged[name] = card
                origins[name] = str(p)
        for card in cards:
            merged[card.name] = card
            origins[card.name] = "inline"
        return cls(merged, origins)

    def card(self, name: str) -> Material:
        """The card `name` as written: a mixture keeps its parts instead of being resolved."""
        card = self._cards.get(name)
        if card is None:
            raise self.unknown(name)
        return card

    def with_cards(self, cards: Iterable[Material]) -> MaterialLibrary:
        """A copy of this library with `cards` added, overriding cards of the same name."""
        merged, origins = dict(self._cards), dict(self._origins)
        for card in cards:
            merged[card.name] = card
            origins[card.name] = "inline"
        return MaterialLibrary(merged, origins)

    def __getitem__(self, name: str) -> Material:
        if name in self._resolved:
            return self._resolved[name]
        card = self._cards.get(name)
        if card is None:
            raise self.unknown(name)
        if card.mix is not None:
            card = self._resolve_mix(card, (name,))
        self._resolved[name] = card
        return card

    def _resolve_mix(self, card: Material, chain) -> Material:
        parts = []
        for part, _ in card.mix:
            if part in chain:
                raise MaterialError(f"mixture {card.name!r} contains itself through {part!r}", "mix")
            sub = self._cards.get(part)
            if sub is None:
                raise self.unknown(part, field=f"{card.name}.mix")
            parts.append(self._resolve_mix(sub, (*chain, part)) if sub.mix is not None else sub)
        out = mix(card.name, parts, [f for _, f in card.mix])
        return out.replace(description=card.description, sources=card.sources) if card.description else out

    def unknown(self, name: str, field: str | None = None) -> MaterialError:
        """The error for an unknown material, suggesting close names."""
        close = difflib.get_close_matches(str(name), list(self._cards), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return MaterialError(f"unknown material {name!r}{hint} (add a card or a material path)", field)

    def check(self, name: str, field: str) -> None:
        """Raise MaterialError at `field` unless `name` resolves."""
        if name not in self._cards:
            raise self.unknown(name, field)
        try:
            self[name]
        except MaterialError as err:
            raise MaterialError(err.message, field) from None

    def origin(self, name: str) -> str:
        """Where the card `name` came from (``builtin:<file>``, a path or ``inline``)."""
        return self._origins.get(name, "")

    def __iter__(self):
        return iter(self._cards)

    def __len__(self):
        return len(self._cards)

    def __contains__(self, name):
        return name in self._cards


def resolve_library(base_dir, material_paths: Iterable[str], cards: Iterable[Material]) -> MaterialLibrary:
    """The library of a design or solid model: built-in cards, its card paths, its inline cards.

    Relative `material_paths` are taken from `base_dir` (the document's folder; the
    working directory when None). Errors are located at ``material_paths``.
    """
    import os

    base = Path(base_dir) if base_dir else Path.cwd()
    paths = [Path(os.path.normpath(base / p)) for p in material_paths]
    try:
        return MaterialLibrary.from_paths(paths, cards)
    except MaterialError as err:
        raise err.located(field="material_paths") from None


@cache
def builtin_library() -> MaterialLibrary:
    """The cards shipped with sipkit (``materials/*.yaml``), read once per process."""
    from .._resources import data_folder

    folder = data_folder("materials")
    cards, origins = {}, {}
    for file in sorted(folder.glob("*.yaml")):
        for name, card in load_cards(file).items():
            cards[name] = card
            origins[name] = f"builtin:{file.name}"
    return MaterialLibrary(cards, origins)
