"""Rich display of a package in Jupyter: top view and section as inline SVG, and a summary."""

from __future__ import annotations

import html
import io

__all__ = ["figure_svg", "package_html"]

#: Collections with more vertices than this are rasterized in the inline SVG.
_RASTER_VERTICES = 5000


def figure_svg(fig, dpi: float = 96) -> str:
    """A matplotlib Figure as an SVG string (no XML prolog), text kept as text."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        FigureCanvasSVG(fig).print_figure(buf, format="svg", dpi=dpi)
    text = buf.getvalue().decode("utf-8")
    return text[text.find("<svg"):]


def _rasterize_dense(ax) -> None:
    """Rasterize collections with many vertices so the SVG stays small."""
    for coll in ax.collections:
        n = sum(len(p.vertices) for p in coll.get_paths()) * max(1, len(coll.get_offsets()))
        if n > _RASTER_VERTICES:
            coll.set_rasterized(True)


def package_html(pkg) -> str:
    """HTML showing a package: top view, cross-section and text summary.

    This is what ``Package._repr_html_`` returns for Jupyter.  The views are inline
    SVG; dense copper and bump collections are rasterized inside them.  A view that
    cannot be drawn is replaced by its error message.

    Parameters
    ----------
    pkg : Package

    Returns
    -------
    str
    """
    from matplotlib.figure import Figure

    from ..errors import SipkitError
    from .section import plot_section
    from .top import plot_top

    views = []
    for draw, size in ((plot_top, (7.2, 5.6)), (plot_section, (7.2, 3.0))):
        fig = Figure(figsize=size, layout="constrained")
        try:
            ax = draw(pkg, ax=fig.add_subplot())
            _rasterize_dense(ax)
            views.append(f'<div style="max-width:100%;overflow-x:auto">{figure_svg(fig)}</div>')
        except SipkitError as err:
            views.append(f"<p><em>{html.escape(draw.__name__)}: {html.escape(str(err))}</em></p>")
    summary = html.escape(pkg.summary())
    return (
        '<div class="sipkit-package">'
        f"<h4 style=\"margin:0.2em 0\">Package {html.escape(pkg.name)}</h4>"
        '<div style="display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start">'
        f"<div>{views[0]}</div>"
        f'<div>{views[1]}<pre style="font-size:11px;line-height:1.25">{summary}</pre></div>'
        "</div></div>"
    )
