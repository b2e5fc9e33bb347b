"""DRC reports: writers (text, JSON, KLayout .lyrdb, JUnit), filtering, tables, plots and the CLI."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sipkit.cli import main
from sipkit.drc import check, load_deck

gdstk = pytest.importorskip("gdstk")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SKY130 = SHARED / "sky130-wrapper" / "met2_met3.gds"
SKY130_DECK = Path(__file__).parent / "data" / "sky130-met23.yaml"

DECK = """name: t
layers: {L1: 1/0, L2: 2/0, L3: 3/0}
rules:
  - {id: L1.W, check: width, layer: L1, min: 25, description: "trace width"}
  - {id: L1.S, check: space, layer: L1, min: 25}
  - {id: L2.W, check: width, layer: L2, min: 25}
  - {id: L2.A, check: area, layer: L2, min: 20000, severity: warning}
  - {id: L3.W, check: width, layer: L3, min: 25}
"""


def layout(tmp_path, clean=False):
    """L1: a 20 µm wide bar and two bars 20 µm apart; L2: a 100 x 100 µm square; L3 empty.

    Clean: the bar 25 µm wide, the bars 25 µm apart (exactly the limit), L2 200 x 100 µm.
    """
    lib = gdstk.Library(unit=1e-6, precision=1e-9)
    c = lib.new_cell("TOP")
    c.add(gdstk.rectangle((0, 0), (200, 30), layer=1))
    c.add(gdstk.rectangle((0, 50 + 5 * clean), (200, 80 + 5 * clean), layer=1))
    c.add(gdstk.rectangle((1300.125, 0), (1320.125 + 5 * clean, 100), layer=1))  # 20 µm wide
    c.add(gdstk.rectangle((0, 200), (100 + 100 * clean, 300), layer=2))
    path = tmp_path / ("clean.gds" if clean else "bad.gds")
    lib.write_gds(str(path))
    deck = tmp_path / "deck.yaml"
    deck.write_text(DECK)
    return path, deck


@pytest.fixture
def report(tmp_path):
    path, deck = layout(tmp_path)
    return check(path, deck=deck)


def test_report_content_and_summary(report):
    assert len(report) == 3 and not report.clean
    rows = {r["rule"]: r for r in report.summary()}
    assert rows["L1.W"]["status"] == "fail" and rows["L1.W"]["count"] == 1
    assert rows["L1.W"]["worst"] == pytest.approx(20.0)
    assert rows["L1.S"]["worst"] == pytest.approx(20.0)
    assert rows["L2.W"]["status"] == "pass"
    assert rows["L2.A"]["status"] == "fail" and rows["L2.A"]["worst"] == pytest.approx(10000.0)
    assert rows["L3.W"]["status"] == "skipped" and "L3" in rows["L3.W"]["skipped"]
    w = report.result("L1.W").violations[0]
    assert w.bbox == pytest.approx((1300.125, 0.0, 1320.125, 100.0))
    assert w.marker[0] == "edge_pair" and w.layers == ("L1",)


def test_filter(report):
    assert len(report.filter(rule="L1.W")) == 1
    assert len(report.filter(layer="L1")) == 2
    assert len(report.filter(severity="warning")) == 1 and report.filter(severity="warning").clean
    assert len(report.filter(check=["width", "area"])) == 2
    assert len(report.filter(rule="L1.W", check="space")) == 0
    # rules without a match stay listed when they pass the rule criteria themselves
    assert [r.rule.id for r in report.filter(check="width").results] == ["L1.W", "L2.W", "L3.W"]


def test_text(report):
    text = report.to_text()
    assert text.splitlines()[0].endswith("3 violation(s)")
    assert "FAIL    L1.W" in text and "SKIPPED L3.W" in text and "PASS    L2.W" in text
    assert "at [1300.125, 0.000, 1320.125, 100.000] 20.0000 (required >= 25 µm)" in text


def test_json_follows_the_schema(report, tmp_path):
    data = json.loads(report.to_json())
    assert set(data) >= {"design", "deck", "violations", "summary"}
    assert data["design"] == "bad.gds" and data["deck"] == "t"
    assert len(data["violations"]) == 3
    for v in data["violations"]:
        assert set(v) >= {"rule", "check", "layer", "value", "required", "bbox", "marker"}
        assert len(v["bbox"]) == 4 and v["bbox"][0] <= v["bbox"][2] and v["bbox"][1] <= v["bbox"][3]
    w = next(v for v in data["violations"] if v["rule"] == "L1.W")
    assert w["value"] == pytest.approx(20.0) and w["layer"] == "L1" and w["required"] == ">= 25 µm"
    assert w["marker"]["type"] == "edge_pair" and len(w["marker"]["geometry"]) == 2
    assert data["summary"]["violations"] == 3 and data["summary"]["errors"] == 2
    assert data["summary"]["warnings"] == 1 and len(data["summary"]["rules"]) == 5
    report.write(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text()) == data


def test_lyrdb_opens_in_klayout(report, tmp_path):
    pytest.importorskip("klayout.db")
    rdb = pytest.importorskip("klayout.rdb")
    path = tmp_path / "r.lyrdb"
    report.write(path)
    db = rdb.ReportDatabase("")
    db.load(str(path))
    assert db.num_items() == len(report) == 3
    cats = {c.rdb_id(): c.name() for c in db.each_category()}
    assert sorted(cats.values()) == sorted(r.rule.id for r in report.results)
    per = {}
    for item in db.each_item():
        per.setdefault(cats[item.category_id()], []).append(item)
    assert {k: len(v) for k, v in per.items()} == {"L1.W": 1, "L1.S": 1, "L2.A": 1}
    values = list(per["L1.W"][0].each_value())
    ep = next(v for v in values if v.is_edge_pair()).edge_pair()
    box = ep.bbox()
    # coordinates beyond 1000 µm keep their nanometres
    assert (box.left, box.bottom, box.right, box.top) == pytest.approx((1300.125, 0, 1320.125, 100), abs=1e-9)
    assert any(v.is_string() and "20.0000" in v.string() for v in values)
    poly = next(v for v in per["L2.A"][0].each_value() if v.is_polygon()).polygon()
    assert poly.area() == pytest.approx(1e4)


def test_junit_counts_failures_per_rule(report, tmp_path):
    path = tmp_path / "r.xml"
    report.write(path)
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite.get("tests") == "5" and suite.get("failures") == "2" and suite.get("skipped") == "1"
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"L1.W", "L1.S", "L2.W", "L2.A", "L3.W"}
    assert cases["L1.W"].find("failure").get("message").startswith("1 violation(s) of width")
    assert cases["L2.W"].find("failure") is None and cases["L2.W"].find("skipped") is None
    assert cases["L2.A"].find("failure") is None  # a warning does not fail the suite
    assert cases["L3.W"].find("skipped") is not None


def test_write_by_suffix_and_unknown_format(report, tmp_path):
    from sipkit.errors import DesignError

    report.write(tmp_path / "r.txt")
    assert (tmp_path / "r.txt").read_text() == report.to_text()
    report.write(tmp_path / "r.out", format="junit")
    assert (tmp_path / "r.out").read_text().startswith("<?xml")
    with pytest.raises(DesignError, match="unknown report format"):
        report.write(tmp_path / "r.x", format="pdf")


def test_dataframe(report):
    pytest.importorskip("pandas")
    df = report.to_dataframe()
    assert len(df) == 3 and list(df["rule"]).count("L1.W") == 1
    assert df.loc[df["rule"] == "L1.W", "value"].iloc[0] == pytest.approx(20.0)


def test_dataframe_rows_without_pandas(report, monkeypatch):
    class FakePandas:  # records what to_dataframe hands over
        @staticmethod
        def DataFrame(rows, columns):  # noqa: N802
            return [dict(zip(columns, r, strict=True)) for r in rows]

    monkeypatch.setitem(sys.modules, "pandas", FakePandas)
    rows = report.to_dataframe()
    assert [r["rule"] for r in rows] == ["L1.W", "L1.S", "L2.A"]
    assert rows[0]["x0"] == pytest.approx(1300.125) and rows[2]["value"] == pytest.approx(1e4)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        report.to_dataframe()


def test_plot_draws_layers_and_markers(report):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = report.plot()
    labels = [c.get_label() for c in ax.collections]
    assert "L1" in labels and "L2" in labels and "violations" in labels
    marks = next(c for c in ax.collections if c.get_label() == "violations")
    assert len(marks.get_segments()) == 2 * 4  # two edge pairs, four lines each
    assert len(ax.patches) == 1  # the small L2 polygon
    x0, x1 = ax.get_xlim()
    assert x0 <= 0 and x1 >= 1320
    plt.close(ax.figure)


def test_cli_exit_codes_and_formats(tmp_path, capsys):
    bad, deck = layout(tmp_path)
    clean, _ = layout(tmp_path, clean=True)
    assert main(["drc", str(bad), "--deck", str(deck)]) == 1
    assert "3 violation(s)" in capsys.readouterr().out
    assert main(["drc", str(clean), "--deck", str(deck)]) == 0
    out = tmp_path / "r.json"
    assert main(["drc", str(bad), "--deck", str(deck), "--format", "json", "-o", str(out)]) == 1
    assert len(json.loads(out.read_text())["violations"]) == 3
    out = tmp_path / "r.xml"
    assert main(["drc", str(bad), "--deck", str(deck), "--format", "junit", "-o", str(out)]) == 1
    assert ET.parse(out).getroot().find("testsuite").get("failures") == "2"
    # unusable input: exit 2 and one line
    assert main(["drc", str(tmp_path / "missing.gds"), "--deck", str(deck)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such layout file" in err
    (tmp_path / "bad.yaml").write_text("name: x\nrules:\n  - {id: A, check: widht, layer: L1, min: 1}\n")
    assert main(["drc", str(bad), "--deck", str(tmp_path / "bad.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sipkit: error: bad.yaml:3")
    assert main(["drc", str(bad), "--deck", "no-such-deck"]) == 2
    assert "no built-in deck 'no-such-deck'" in capsys.readouterr().err


def test_cli_errors_never_show_a_traceback(tmp_path):
    lib = gdstk.Library()
    lib.new_cell("A").add(gdstk.rectangle((0, 0), (1, 1)))
    lib.new_cell("B").add(gdstk.rectangle((0, 0), (1, 1)))
    path = tmp_path / "two.gds"
    lib.write_gds(str(path))
    r = subprocess.run([sys.executable, "-m", "sipkit", "drc", str(path)], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("sipkit: error: two.gds: the layout has 2 top cells (A, B); "
                                "name one (cell=..., or --cell)")
    assert main(["drc", str(path), "--cell", "B"]) == 0
    r = subprocess.run([sys.executable, "-m", "sipkit", "drc", str(path), "--format", "pdf"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr


@pytest.mark.skipif(not SKY130.is_file(), reason="shared sky130 test layout not available")
def test_sky130_wrapper_is_clean_at_its_rules():
    report = check(SKY130, deck=load_deck(SKY130_DECK))
    assert report.clean and len(report) == 0
    assert all(r["status"] == "pass" for r in report.summary())
    met2, met3 = report.layout["met2"], report.layout["met3"]
    assert met2.n_edges > 5000 and met3.n_edges > 3000
    # a stricter rule finds something: the check really ran
    from sipkit.drc import Deck, Rule

    deck = load_deck(SKY130_DECK)
    strict = Deck(name="x", layers=deck.layers, rules=(Rule(id="w", check="width", layer="met3", min=0.5),))
    assert len(check(SKY130, deck=strict)) > 0
