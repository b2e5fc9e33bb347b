from pathlib import Path

import pytest

import sipkit

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return DATA / "mini.yaml"


@pytest.fixture(scope="session")
def mini(mini_path):
    return sipkit.load(mini_path)


@pytest.fixture(scope="session")
def hetero():
    return sipkit.load(DATA / "hetero.yaml")
