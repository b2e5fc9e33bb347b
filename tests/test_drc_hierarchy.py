"""Stepped layouts: unit cells checked once and repeated give the flat check's violations."""

from collections import Counter

import numpy as np
import pytest

from sipkit.drc import Deck, Rule, check
from sipkit.drc.hierarchy import halo, placements, repeat_violations, transform_violation

gdstk = pytest.importorskip("gdstk")

DECK = Deck(name="t", layers=(("L", (0, 0)),),
            rules=(Rule(id="W", check="width", layer="L", min=25),
                   Rule(id="S", check="space", layer="L", min=25),
                   Rule(id="A", check="area", layer="L", min=2000)))


def stepped(gap: float, tmp_path):
    """A unit cell (the differential test layout) placed five times, turned and mirrored, read from GDS."""
    from test_drc_klayout import random_layout

    unit = random_layout(4).cells[0]
    unit.name = "UNIT"  # the cell to repeat
    (x0, y0), (x1, y1) = unit.bounding_box()
    w, h = x1 - x0, y1 - y0
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    lib.add(unit)
    top = lib.new_cell("PANEL")
    top.add(gdstk.Reference(unit, (0, 0), columns=3, rows=1, spacing=(w + gap, 0)))
    top.add(gdstk.Reference(unit, (0, 2 * (h + gap) + w), rotation=-1.5707963267948966))
    top.add(gdstk.Reference(unit, (3 * (w + gap), 3 * (h + gap) + w), x_reflection=True))
    path = tmp_path / "panel.gds"
    lib.write_gds(str(path))  # on the database grid, as layouts are
    return gdstk.read_gds(str(path), unit=1e-6)


def markers(report):
    return Counter((v.rule, tuple(round(c, 3) for c in v.bbox), v.value) for v in report)


def flat_copy(lib):
    flat = gdstk.Library(unit=1e-6, precision=1e-9)
    top = lib.top_level()[0].copy("FLAT", deep_copy=True)
    top.flatten()
    flat.add(top)
    return flat


@pytest.mark.parametrize("gap", [25.001, 200.0])
def test_units_checked_once_match_the_flat_check(gap, tmp_path):
    lib = stepped(gap, tmp_path)
    units = placements(lib.top_level()[0], DECK.layer_map, halo(DECK) + 0.001)
    assert units is not None and len(units["UNIT"]) == 5
    assert {t[2] for t in units["UNIT"]} == {0, 3} and any(t[3] for t in units["UNIT"])
    report = check(lib, deck=DECK)
    flat = check(flat_copy(lib), deck=DECK)
    assert len(report) == len(flat) > 0 and markers(report) == markers(flat)
    assert report.layout["L"].n_edges * 5 == flat.layout["L"].n_edges  # only the unit was merged
    # the repeated violations read like a tuple: by index, slice, from the end
    vs = report.result("S").violations
    every = list(vs)
    assert vs[7] == every[7] and vs[-1] == every[-1] and vs[2:5] == every[2:5]
    assert [r["worst"] for r in report.summary()] == [r["worst"] for r in flat.summary()]


def test_units_too_close_are_checked_flat(tmp_path):
    lib = stepped(10.0, tmp_path)  # closer than the 25 µm rules reach: interactions between units
    assert placements(lib.top_level()[0], DECK.layer_map, halo(DECK) + 0.001) is None
    report = check(lib, deck=DECK)
    assert markers(report) == markers(check(flat_copy(lib), deck=DECK))


def test_shapes_at_the_top_level_make_it_flat(tmp_path):
    lib = stepped(200.0, tmp_path)
    lib.top_level()[0].add(gdstk.rectangle((-500, -500), (-480, -400)))
    assert placements(lib.top_level()[0], DECK.layer_map, 25.001) is None
    assert halo(DECK) == 25.0


def test_repeating_markers_of_every_kind():
    from sipkit.drc import Violation

    kinds = [("edge_pair", ((0.0, 0.0, 10.0, 0.0), (0.0, 5.0, 10.0, 5.0))),
             ("polygon", ((0.0, 0.0), (4.0, 0.0), (0.0, 3.0))), ("path", ((0.0, 0.0), (2.0, 1.0))),
             ("box", (1.0, 2.0, 3.0, 5.0)), ("point", (1.0, 2.0))]
    vs = [Violation("R", "width", ("L",), (), 1.0, ">= 2", m, (0.0, 0.0, 10.0, 5.0)) for m in kinds]
    where = [(100.0, 0.0, 0, False), (0.0, 100.0, 1, False), (50.0, 50.0, 2, True), (-7.0, 3.0, 3, True)]
    fast = repeat_violations(vs, where)
    slow = [transform_violation(v, t) for v in vs for t in where]
    assert len(fast) == len(slow) == 20
    key = lambda v: (v.marker[0], v.bbox)  # noqa: E731
    for a, b in zip(sorted(fast, key=key), sorted(slow, key=key), strict=True):
        assert a.marker[0] == b.marker[0] and a.bbox == pytest.approx(b.bbox)
        assert np.allclose(np.ravel(a.marker[1]), np.ravel(b.marker[1]))
    # a quarter turn maps the point (1, 2) to (-2, 1), then moves it
    assert fast[4 * 4 + 1].marker == ("point", (-2.0, 101.0))
