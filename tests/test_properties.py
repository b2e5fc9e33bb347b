"""Property-based tests: generated designs round-trip; generated garbage never crashes the loader."""

import copy
import itertools
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sipkit
from sipkit._source import Cursor, parse_text
from sipkit.errors import SipkitError
from sipkit.io.design import from_cursor_package, to_dict

coords = st.integers(min_value=0, max_value=10_000).map(float)
lengths = st.floats(min_value=1.0, max_value=500.0, allow_nan=False).map(lambda x: round(x, 3))
names = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)


@st.composite
def designs(draw):
    """Small valid packages: random stack-ups, traces and non-overlapping dies on a row."""
    n_cond = draw(st.integers(1, 4))
    stackup = []
    for i in range(n_cond):
        stackup.append({"name": f"L{i + 1}", "kind": "conductor", "thickness": draw(lengths),
                        "material": "cu-plated"})
        stackup.append({"name": f"D{i + 1}", "kind": draw(st.sampled_from(["buildup", "core", "prepreg"])),
                        "thickness": draw(lengths), "material": "abf-gx92"})
    routing = {}
    for i in range(n_cond):
        traces = []
        for _ in range(draw(st.integers(0, 4))):
            pts = draw(st.lists(st.tuples(coords, coords), min_size=2, max_size=5, unique=True))
            if any(a == b for a, b in itertools.pairwise(pts)):
                continue
            traces.append({"points": [list(p) for p in pts], "width": draw(lengths),
                           "net": draw(st.one_of(st.none(), names)),
                           "ends": draw(st.sampled_from(["flush", "extended", "round"]))})
        if traces:
            routing[f"L{i + 1}"] = {"traces": traces}
    dies = []
    x = 100.0
    for i in range(draw(st.integers(0, 3))):
        w = draw(st.floats(200, 2500).map(lambda v: round(v, 1)))
        die = {"name": f"die{i}", "size": [w, draw(st.floats(200, 2500).map(lambda v: round(v, 1)))],
               "thickness": draw(lengths), "at": [x + w / 2, 5000.0],
               "rotation": draw(st.sampled_from([0, 180])),
               "power": draw(st.floats(0, 10).map(lambda v: round(v, 3)))}
        if draw(st.booleans()):
            die["wire_bond"] = {"attach": {"thickness": draw(lengths)}}
        else:
            die["flip_chip"] = {"bump": {"kind": "solder_ball", "diameter": 50, "height": draw(lengths),
                                         "material": "sac305"},
                                "bumps": [{"at": [w / 2, 100.0]}]}
        dies.append(die)
        x += w + 50
    doc = {"name": draw(names), "substrate": {"outline": {"rect": [0, 0, 10_000, 10_000]},
                                               "stackup": stackup, "routing": routing}, "dies": dies}
    if draw(st.booleans()):
        doc["molds"] = [{"thickness": draw(lengths) + 600}]
    return doc


def _load_data(data, name="g.yaml"):
    import yaml

    text = yaml.safe_dump(data, sort_keys=False)
    return from_cursor_package(Cursor(parse_text(text, name), "", name, 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs())
def test_generated_designs_load_and_round_trip(doc):
    pkg = _load_data(doc)
    again = _load_data(to_dict(pkg))
    assert again == pkg
    assert len(pkg.substrate.conductor_layers) == len(doc["substrate"]["stackup"]) // 2


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["0.3 mm", "20 kg", "nan", "-1", "1e-8", "um"]))
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=20)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(designs(), st.data())
def test_mutated_designs_load_or_raise_sipkit_errors(doc, data):
    """Replace one random node of a valid design with junk: load or a SipkitError, nothing else."""
    doc = copy.deepcopy(doc)
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(junk)
    try:
        _load_data(doc)
    except SipkitError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes_the_parser(text):
    try:
        from_cursor_package(Cursor(parse_text(text, "t.yaml"), "", "t.yaml", 1))
    except SipkitError:
        pass


def test_garbage_whole_documents_raise_sipkit_errors():
    for doc in ([], 5, "x", {"name": 5}, {"name": "a", "substrate": []}, {"name": "a", "dies": {}}):
        try:
            _load_data(doc)
        except SipkitError:
            continue
        raise AssertionError(f"loaded {doc!r}")
    assert sipkit  # the public package imports cleanly alongside
