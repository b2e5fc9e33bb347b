"""Plots of a package with matplotlib: top view, cross-section, Jupyter display, files.

matplotlib is imported inside the functions, never when sipkit is imported, and only
through its object-oriented API: no pyplot state is touched, so the plots work
headless and inside other people's figures.
"""

from .html import package_html
from .save import save_figure
from .section import SectionPiece, plot_section, section
from .style import material_color
from .top import plot_top

__all__ = ["SectionPiece", "material_color", "package_html", "plot_section", "plot_top", "save_figure",
           "section"]
