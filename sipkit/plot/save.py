"""Figures of a package written to PNG, SVG or PDF (``sipkit plot DESIGN -o FILE``)."""

from __future__ import annotations

import numbers
from pathlib import Path

from ..errors import DesignError
from ._common import check_choice

__all__ = ["save_figure"]

_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_SECTION_OPTIONS = ("axis", "at", "z_scale")
_SIZES = {"top": (8.5, 6.8), "section": (10.0, 4.6), "both": (17.0, 6.8)}


def save_figure(pkg, path, kind="both", dpi=150, **options) -> Path:
    """Write a figure of the package to an image file.

    Parameters
    ----------
    pkg : Package
    path : str or path-like
        ``.png``, ``.svg`` or ``.pdf``; the extension picks the format.
    kind : {"both", "top", "section"}
        Top view, cross-section, or both side by side: the top view on the left,
        on the right the section asked for by `axis`/`at`, or else the sections
        along x and along y through the centre.
    dpi : float
        Resolution of PNG files (and of rasterized parts of the others).
    **options
        ``figsize`` (inches); ``axis``, ``at`` and ``z_scale`` for the section (see
        :func:`~sipkit.plot.plot_section`); the rest for the top view (see
        :func:`~sipkit.plot.plot_top`).

    Returns
    -------
    pathlib.Path
        The file written.
    """
    from matplotlib.figure import Figure

    from .section import plot_section
    from .top import plot_top

    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DesignError(f"cannot write {path.name!r}: expected a .png, .svg or .pdf file name")
    check_choice(kind, ("both", "top", "section"), "kind")
    if isinstance(dpi, bool) or not (isinstance(dpi, numbers.Real) and dpi > 0):
        raise DesignError(f"dpi must be a positive number, got {dpi!r}", "dpi")
    figsize = options.pop("figsize", _SIZES[kind])
    section_options = {k: options.pop(k) for k in _SECTION_OPTIONS if k in options}
    if kind == "section" and options:
        raise DesignError(f"unknown option {next(iter(options))!r} for a section figure")
    fig = Figure(figsize=figsize, layout="constrained")
    if kind == "both":
        # the top view on the left; on the right the cut asked for, or one along x and one along y
        grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.1])
        plot_top(pkg, ax=fig.add_subplot(grid[:, 0]), **options)
        if section_options:
            plot_section(pkg, ax=fig.add_subplot(grid[:, 1]), **section_options)
        else:
            plot_section(pkg, ax=fig.add_subplot(grid[0, 1]), axis="x")
            plot_section(pkg, ax=fig.add_subplot(grid[1, 1]), axis="y")
    elif kind == "top":
        plot_top(pkg, ax=fig.add_subplot(), **options)
    else:
        plot_section(pkg, ax=fig.add_subplot(), **section_options)
    fig.savefig(path, format=fmt, dpi=dpi)
    return path
