from pathlib import Path

import pytest

from sipkit.drc import CHECKS, Rule, builtin_decks, load_deck
from sipkit.errors import DesignError


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_builtin_decks_load_and_cover_every_check():
    assert {"organic-25um", "organic-40um"} <= set(builtin_decks())
    d = load_deck("organic-25um")
    assert d.layer_map["L1"] == (1, 0) and d.layer_map["OUTLINE"] == (100, 0)
    used = {r.check for r in d.rules}
    assert used == set(CHECKS) - {"notch", "isolated", "enclosure"}
    assert d.rule("L1.W.1").min == 25.0 and d.rule("L1.A.1").min == 2500.0
    assert d.rule("L1.D.1").window == 5000.0 and d.rule("L1.D.1").max == 80.0


def test_include_overrides_only_given_fields():
    base = load_deck("organic-25um")
    d = load_deck("organic-40um")
    assert d.rule("L1.W.1").min == 40.0
    assert d.rule("L1.W.1").description == base.rule("L1.W.1").description
    assert d.rule("L1.D.1") == base.rule("L1.D.1")
    assert [r.id for r in d.rules] == [r.id for r in base.rules]


def test_units_mm_and_disable(tmp_path):
    p = write(tmp_path, "d.yaml", f"""name: x
include: {Path(load_deck('organic-25um').source).as_posix()}
units: mm
rules:
  - {{id: L1.W.1, min: 0.03}}
  - {{id: L2.W.1, enabled: false}}
  - {{id: X.A, check: area, layer: L1, min: 0.001}}
""")
    d = load_deck(p)
    assert d.rule("L1.W.1").min == pytest.approx(30.0)
    assert d.rule("X.A").min == pytest.approx(1000.0)  # mm² -> µm²
    assert "L2.W.1" not in [r.id for r in d.enabled_rules()]


@pytest.mark.parametrize(("text", "where", "what"), [
    ("name: x\nrules:\n  - {id: A, check: widht, layer: L1, min: 25}\n", ":3:", "widht"),
    ("name: x\nrules:\n  - {id: A, check: width, min: 25}\n", ":3:", "needs 'layer'"),
    ("name: x\nrules:\n  - {id: A, check: width, layer: L1, min: 25}\n"
     "  - {id: A, check: width, layer: L2, min: 25}\n",
     "", "duplicate rule id"),
    ("name: x\nrules:\n  - {id: A, check: width, layer: L1,\n     min: 25 kg}\n", ":4:", "rules[0].min"),
    ("name: x\nlayers: {L1: 1/x}\n", ":2:", "layers.L1"),
    ("name: x\nrules:\n  - {id: A, min: 3}\n", ":3:", "needs 'check'"),
    ("name: x\ninclude: nosuch\n", ":2:", "no built-in deck"),
    ("name: x\nrulez: []\n", ":2:", "did you mean 'rules'"),
    ("name: x\nrules:\n  - {id: A, check: density, layer: L1, window: 100, max: 140}\n", ":3:", "[0, 100]"),
    ("name: x\nrules:\n  - {id: A, check: short, layer: L1, min: 3}\n", ":3:", "takes no min"),
])
def test_deck_errors_name_file_line_field(tmp_path, text, where, what):
    p = write(tmp_path, "bad.yaml", text)
    with pytest.raises(DesignError) as exc:
        load_deck(p)
    msg = str(exc.value)
    assert msg.startswith("bad.yaml") and where in msg and what in msg


def test_include_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "name: a\ninclude: b.yaml\n")
    write(tmp_path, "b.yaml", "name: b\ninclude: a.yaml\n")
    with pytest.raises(DesignError, match="circle"):
        load_deck(tmp_path / "a.yaml")


def test_rule_from_python_accepts_units():
    r = Rule(id="W", check="width", layer="L1", min="0.025 mm")
    assert r.min == pytest.approx(25.0) and r.limit_text == ">= 25 µm"
    with pytest.raises(DesignError, match="min"):
        Rule(id="W", check="width", layer="L1", min="3 s")
