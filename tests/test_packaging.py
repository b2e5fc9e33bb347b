"""The wheel ships the data libraries inside the package and finds them there."""

import subprocess
import sys
import zipfile

import pytest

import sipkit
from sipkit._resources import DATA_KINDS, data_folder


def test_source_checkout_finds_every_library():
    for kind in DATA_KINDS:
        assert data_folder(kind).is_dir(), kind
    with pytest.raises(ValueError, match="unknown data library"):
        data_folder("fonts")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    root = data_folder("materials").parent
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out), str(root)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"wheel build failed: {r.stderr[-2000:]}")
    return next(out.glob("sipkit-*.whl"))


def test_wheel_contains_the_data_libraries(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for kind in DATA_KINDS:
        src = sorted(p.name for p in data_folder(kind).glob("*.yaml"))
        packed = sorted(n.rsplit("/", 1)[1] for n in names if n.startswith(f"sipkit/data/{kind}/")
                        and n.endswith(".yaml"))
        assert packed == src, kind
    assert "sipkit/__init__.py" in names
    assert not any(n.startswith(("tests/", "examples/", "bench/")) for n in names)


def test_installed_wheel_reads_its_own_cards(wheel, tmp_path):
    zipfile.ZipFile(wheel).extractall(tmp_path)
    code = ("import sipkit, sipkit._resources as r; "
            "print(r.data_folder('materials')); print(sipkit.builtin_library()['si'].E)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={"PYTHONPATH": str(tmp_path), "PATH": ""})
    assert r.returncode == 0, r.stderr
    folder, modulus = r.stdout.split()
    assert folder.startswith(str(tmp_path)) and folder.endswith("sipkit/data/materials")
    assert float(modulus) == sipkit.builtin_library()["si"].E
