"""sipkit: System-in-Package engineering in Python.

One geometry model of a package (:class:`Package`) feeds design-rule checking, thermal,
warpage and interconnect analysis.  Lengths are µm, physics is SI, temperatures are °C;
every user-facing quantity also accepts strings such as ``"0.3 mm"`` and pint Quantities.

"""

from . import materials, model, units
from .errors import DesignError, LayoutError, MaterialError, SipkitError, UnitError
from .io import load, save
from .materials import Material, MaterialLibrary, builtin_library
from .model import *  # noqa: F403 - the model's __all__ is the public API
from .model import __all__ as _model_all
from .units import Q_, ureg

__version__ = "0.1.0"

#: Engine subpackages, imported on first use (``sipkit.drc``) so that ``import sipkit``
#: and the command line's ``--help`` stay fast (numba loads only when an engine does).
_ENGINES = ("drc", "interconnect", "plot", "solid", "thermal", "warpage")


def __getattr__(name):
    if name in _ENGINES:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sipkit' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_ENGINES])


__all__ = [
    "DesignError", "LayoutError", "Material", "MaterialError", "MaterialLibrary", "Q_", "SipkitError",
    "UnitError", "builtin_library", "load", "materials", "model", "save", "units", "ureg",
    *_ENGINES, *_model_all,
]
