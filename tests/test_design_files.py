"""Design files: lossless round trips and a clear, located error for every bad input."""

import json
import pickle

import pytest
import yaml

import sipkit
from sipkit.errors import DesignError, MaterialError, SipkitError, UnitError


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_is_lossless(mini, hetero, tmp_path, suffix):
    for pkg in (mini, hetero):
        path = tmp_path / f"{pkg.name}{suffix}"
        pkg.save(path)
        again = sipkit.load(path)
        assert again == pkg
        # and a second pass writes the same text
        path2 = tmp_path / f"{pkg.name}2{suffix}"
        again.save(path2)
        assert path2.read_text() == path.read_text()


def test_mm_file_equals_um_file(hetero, tmp_path):
    path = tmp_path / "h.yaml"
    hetero.save(path)
    text = path.read_text()
    assert "units: um" in text
    assert sipkit.load(path).substrate.thickness == pytest.approx(475)


def test_json_round_trip_keeps_tiny_numbers(tmp_path, mini):
    # resistivity-like values go through JSON as 1e-08 and must come back as floats
    pkg = mini.replace(materials=[sipkit.Material(name="wire-x", resistivity=1.7e-8, tcr=0.0039, k=300)])
    path = tmp_path / "m.json"
    pkg.save(path)
    assert "1.7e-08" in path.read_text()
    assert sipkit.load(path).material("wire-x").resistivity == 1.7e-8


def _mutate(mini_path, tmp_path, old, new, name="bad.yaml"):
    text = mini_path.read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(path, marker):
    """Line of the first (or n-th, for "text#n") line containing the marker text."""
    needle, _, nth = marker.partition("#")
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[int(nth or 1) - 1]


BAD = [
    # (old, new, error class, expected "field: message" part, line marker)
    ("thickness: 100\n    at: [6500",
     "thickness: 20 kg\n    at: [6500", UnitError,
     "dies[1].thickness: expected a length, got '20 kg'", "thickness: 20 kg"),
    ("{name: BU1, kind: buildup, thickness: 30,", "{name: BU1, kind: buildup, thickness: -30,", DesignError,
     "substrate.stackup[2].thickness: must be greater than zero, got -30.0", "name: BU1"),
    ("{name: CORE, kind: core, thickness: 200, material: bt-core}",
     "{name: CORE, kind: core, thickness: 0, material: bt-core}", DesignError,
     "substrate.stackup[4].thickness: must be greater than zero", "name: CORE"),
    ("material: abf-gx92}", "material: abf-gx29}", MaterialError,
     "substrate.stackup[2].material: unknown material 'abf-gx29'; did you mean 'abf-gx92'", "name: BU1"),
    ("at: [2500, 4500]", "at: [9000, 4500]", DesignError,
     "dies[0]: 'npu' lies outside the substrate outline", "name: npu"),
    ("at: [2500, 4500]", "at: [6000, 3000]", DesignError,
     "dies[1]: 'mem' overlaps 'npu' (dies[0]) on the top side of the substrate", "name: mem#1"),
    ("{rect: [1400, 2900, 1600, 3100]}", "[[1400, 2900], [1600, 3100], [1600, 2900], [1400, 3100]]",
     DesignError, "substrate.mask_openings[0].points: polygon is not a simple polygon", "layer: SM1"),
    ("{rect: [1400, 2900, 1600, 3100]}", "[[1400, 2900], [1600, 2900], [1800, 2900]]",
     DesignError, "substrate.mask_openings[0].points: polygon is empty", "layer: SM1"),
    ("thickness: 200\n    at: [2500", "thickness: .nan\n    at: [2500", UnitError,
     "dies[0].thickness: expected a length, got nan (not a finite number)", "thickness: .nan"),
    ("name: mem2", "name: mem", DesignError, "dies[2].name: duplicate name 'mem' (also used by dies[1])",
     "name: mem#2"),
    ("{pad: P2, to: F2,", "{pad: P9, to: F2,", DesignError,
     "dies[1].wire_bond.wires[1].pad: wire bond to a missing die pad 'P9'", "pad: P9"),
    ("{pad: P2, to: F2,", "{pad: P2, to: F7,", DesignError,
     "dies[1].wire_bond.wires[1].to: wire bond to a missing bond finger 'F7'", "to: F7"),
    ("arrays: [{pitch: [150, 150], count: [19, 19]}]", "arrays: [{pitch: [170, 170], count: [19, 19]}]",
     DesignError, "dies[0].flip_chip.arrays[0]: bump at", "count: [19, 19]"),
    ("units: um", "units: kg", DesignError, "units: expected a length unit such as um or mm, got 'kg'",
     "units: kg"),
    ("    thickness: 200\n    at: [2500, 4500]", "    thicknes: 200\n    at: [2500, 4500]", DesignError,
     "dies[0].thicknes: unknown field 'thicknes' (did you mean 'thickness'?)", "thicknes: 200"),
    ("{name: L2, kind: conductor,", "{name: L2, kind: condutor,", DesignError,
     "substrate.stackup[3].kind: expected one of conductor", "name: L2"),
    ("  - {thickness: 700}", "  - {thickness: 700, side: top}\n  - {thickness: 300}", DesignError,
     "molds: at most one mold cap per side", "molds:"),
    ("from: L1, to: L2, drill: 40", "from: L2, to: L1, drill: 40", DesignError,
     "substrate.vias[0]: 'from' layer 'L2' must be above 'to' layer 'L1'", "at: [3500, 1000]"),
    ("on: mem\n", "on: mem3\n", DesignError, "dies[2].on: unknown support 'mem3'", "on: mem3"),
    ("sipkit: 1", "sipkit: 7", DesignError, "sipkit: unsupported format 7", "sipkit: 7"),
]


@pytest.mark.parametrize("old,new,cls,expected,marker", BAD, ids=[b[3].split(":")[0] for b in BAD])
def test_bad_input_names_file_line_and_field(mini_path, tmp_path, old, new, cls, expected, marker):
    path = _mutate(mini_path, tmp_path, old, new)
    with pytest.raises(cls) as info:
        sipkit.load(path)
    msg = str(info.value)
    assert expected in msg
    assert msg.startswith(f"bad.yaml:{_line_of(path, marker)}: "), msg
    assert isinstance(info.value, ValueError)  # callers can catch the builtin too
    again = pickle.loads(pickle.dumps(info.value))  # errors cross process boundaries in batch runs
    assert str(again) == msg and type(again) is type(info.value)


def test_truncated_file(mini_path, tmp_path):
    text = mini_path.read_text()
    path = tmp_path / "cut.yaml"
    path.write_text(text[: text.index("flip_chip:\n      bump: {kind: copper") + 35])
    with pytest.raises(DesignError, match=r"^cut\.yaml:\d+: not valid YAML"):
        sipkit.load(path)


def test_not_yaml_at_all(tmp_path):
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(DesignError, match=r"^bin\.yaml: not a text file"):
        sipkit.load(path)
    path.write_text("just a sentence")
    with pytest.raises(DesignError, match=r"^bin\.yaml:1: expected a design"):
        sipkit.load(path)
    path.write_text("[1, 2")
    with pytest.raises(DesignError, match=r"^bin\.yaml:\d: not valid YAML"):
        sipkit.load(path)


def test_bad_json_names_the_line(tmp_path, mini):
    path = tmp_path / "x.json"
    mini.save(path)
    lines = path.read_text().splitlines()
    lines[5] = lines[5] + ","  # a trailing comma
    path.write_text("\n".join(lines))
    with pytest.raises(DesignError, match=r"^x\.json:\d+: not valid JSON"):
        sipkit.load(path)


def test_duplicate_keys_are_rejected(mini_path, tmp_path):
    path = _mutate(mini_path, tmp_path, "name: mini\n", "name: mini\nname: again\n")
    with pytest.raises(DesignError, match=r"bad\.yaml:\d+: duplicate key 'name'"):
        sipkit.load(path)


def test_unsafe_yaml_tags_are_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(DesignError, match="not valid YAML"):
        sipkit.load(path)


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(DesignError, match="no such file"):
        sipkit.load(tmp_path / "none.yaml")
    with pytest.raises(DesignError, match=r"unknown design file type '\.txt'"):
        sipkit.load(tmp_path / "d.txt")


def test_failed_save_keeps_the_previous_file(mini, tmp_path, monkeypatch):
    path = tmp_path / "keep.yaml"
    mini.save(path)
    before = path.read_text()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(yaml, "dump", explode)
    with pytest.raises(RuntimeError):
        mini.replace(name="changed").save(path)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.yaml"]  # no temporary left


def test_material_paths_and_inline_cards(tmp_path, mini):
    folder = tmp_path / "cards"
    folder.mkdir()
    (folder / "mine.yaml").write_text(
        "materials:\n  emc-x: {k: 1.1, E: 24, nu: 0.3, cte: 8, Tg: 160, E_above_Tg: 1.5, cte_above_Tg: 33,"
        " sources: {k: vendor sheet}}\n")
    design = tmp_path / "d" / "design.yaml"
    pkg = mini.replace(material_paths=["../cards"], base_dir=str(design.parent),
                       molds=[sipkit.MoldCap(thickness=700, material="emc-x")])
    pkg.save(design)
    back = sipkit.load(design)
    assert back.material("emc-x").E == 24e9
    # saving elsewhere rewrites the relative path so it still finds the cards
    other = tmp_path / "elsewhere" / "deep" / "copy.yaml"
    back.save(other)
    assert sipkit.load(other).material("emc-x").Tg == 160
    # inline cards override library ones
    inline = back.replace(materials=[sipkit.Material(name="si", k=100, E=130, nu=0.28, cte=2.6)])
    assert inline.material("si").k == (100.0, 100.0, 100.0)


def test_bad_material_card_is_located(tmp_path, mini):
    card = tmp_path / "bad.yaml"
    card.write_text("materials:\n  emc-y:\n    k: 1\n    E: 20 W\n")
    with pytest.raises(UnitError, match=r"^bad\.yaml:4: materials\.emc-y\.E: expected a modulus"):
        mini.replace(material_paths=[str(card)])


def test_every_error_is_a_sipkit_error_for_garbage():
    garbage = ["", "null", "[]", "{substrate: 1}", "{name: x, substrate: {outline: 5}}",
               json.dumps({"name": "x", "substrate": {"outline": [[0, 0]], "stackup": []}})]
    for text in garbage:
        with pytest.raises(SipkitError):
            from sipkit._source import Cursor, parse_text
            from sipkit.io.design import from_cursor_package

            from_cursor_package(Cursor(parse_text(text, "g.yaml"), "", "g.yaml", 1))


def test_saved_files_get_ordinary_permissions(mini, tmp_path):
    import os
    import stat

    path = tmp_path / "perm.yaml"
    mini.save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not the private temp-file mode
    os.chmod(path, 0o640)
    mini.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # an existing file keeps its mode
