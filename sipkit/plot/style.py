"""Colours of the plots: one per conductor layer, one per material.

Layer colours follow the habit of PCB tools: the top copper red, the bottom copper
blue, inner layers in distinct colours between.  Material colours are keyed by the
material's name, so a name gets the same colour in every plot: common families
(copper, solder, silicon, mold compound, build-up film, ...) get the colour engineers
expect, other names a colour from a qualitative palette chosen by a hash of the name.
"""

from __future__ import annotations

import re
import zlib

__all__ = ["LAYER_PALETTE", "MaterialPalette", "layer_colors", "material_color"]

#: Colours of inner conductor layers, top to bottom (outer layers are red and blue).
LAYER_PALETTE = ("#d4a017", "#2e9d4a", "#b03fb0", "#1aa3a3", "#e07b1a", "#7a5cd6", "#8c6d1f", "#d94f8a",
                 "#4f7f2f", "#5b8fd9")
_TOP, _BOTTOM = "#d03030", "#2f6bd0"

# (pattern on the material name, colour): the first match wins
_FAMILIES = (
    (r"^(air|void|gas)", "#ffffff"),
    (r"solder[-_ ]?(mask|resist)|^sm\d*$|psr", "#2f8f4f"),
    (r"(^|[-_ ])(sac|snag|snpb|solder|sn)\d*($|[-_ ])|^sac\d*|^snag", "#9aa0a6"),
    (r"pillar|^cu|copper|[-_ ]cu($|[-_ ])", "#c87533"),
    (r"^(au|gold)", "#e6b422"),
    (r"^(ag|silver)", "#c0c0c8"),
    (r"^(al|alu)", "#aab4be"),
    (r"^(ni|nickel)", "#8f9779"),
    (r"^(si|silicon)($|[-_ ])", "#4b5d7e"),
    (r"glass|quartz|sio2", "#a8d8e0"),
    (r"mold|emc|epoxy[-_ ]?mold", "#b9b9b9"),
    (r"underfill|^c?uf$|cuf|muf", "#d8c17a"),
    (r"abf|build[-_ ]?up|gx\d+", "#ece3a8"),
    (r"core|(^|[-_ ])bt($|[-_ ])|fr-?4|laminate|prepreg|^pp\d*$", "#b9a36a"),
    (r"polyimide|^pi$", "#e0a040"),
    (r"daf|die[-_ ]?attach|attach|adhesive", "#b39ddb"),
    (r"^tim|[-_ ]tim($|[-_ ])|grease|thermal[-_ ]?(pad|gel)", "#f2a7c3"),
    (r"mlcc|ceramic|alumina|aln|ferrite", "#9c7a5b"),
)
_QUALITATIVE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
                "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5")


def material_color(name: str) -> str:
    """The colour of material `name` (a hex string), the same in every plot.

    Examples
    --------
    >>> material_color("cu-plated")
    '#c87533'
    >>> material_color("sac305") == material_color("snag")
    True
    """
    low = name.lower()
    for pattern, colour in _FAMILIES:
        if re.search(pattern, low):
            return colour
    return _QUALITATIVE[zlib.crc32(name.encode()) % len(_QUALITATIVE)]


class MaterialPalette:
    """Colours for the materials of one plot, keeping different materials apart.

    Known families share a colour on purpose (all coppers look like copper); two
    unknown names whose hash lands on the same colour get the next free one instead.
    """

    def __init__(self):
        self._colors: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        """The colour of material `name` in this plot."""
        colour = self._colors.get(name)
        if colour is None:
            colour = material_color(name)
            if colour in _QUALITATIVE and colour in self._colors.values():
                used = set(self._colors.values())
                start = _QUALITATIVE.index(colour)
                for k in range(1, len(_QUALITATIVE)):
                    candidate = _QUALITATIVE[(start + k) % len(_QUALITATIVE)]
                    if candidate not in used:
                        colour = candidate
                        break
            self._colors[name] = colour
        return colour

    def items(self):
        """(material, colour) pairs in order of first use."""
        return list(self._colors.items())


def layer_colors(names, overrides=None) -> dict[str, str]:
    """A colour for each conductor layer name (listed top to bottom).

    Parameters
    ----------
    names : sequence of str
        Conductor layers, top to bottom.
    overrides : mapping of str to colour, optional
        Colours to use instead for some layers.
    """
    names = list(names)
    out = {}
    for i, name in enumerate(names):
        if i == 0:
            out[name] = _TOP
        elif i == len(names) - 1:
            out[name] = _BOTTOM
        else:
            out[name] = LAYER_PALETTE[(i - 1) % len(LAYER_PALETTE)]
    out.update(overrides or {})
    return out
