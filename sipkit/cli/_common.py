"""Helpers shared by the subcommands."""

from __future__ import annotations

from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

LAYOUT_SUFFIXES = (".gds", ".gds2", ".gdsii", ".oas", ".oasis")


def load_design(path: str):
    """Load a design file; a layout file gets a clear message instead."""
    from ..errors import DesignError
    from ..io import load

    if Path(path).suffix.lower() in LAYOUT_SUFFIXES:
        raise DesignError("a layout has no stack-up or components: give a design file (.yaml/.json); "
                          "a design can take its routing from a layout with substrate.routing_gds",
                          file=path)
    return load(path)


def emit(text: str, output: str | None) -> None:
    """Print `text`, or write it to `output` (atomically)."""
    if output:
        from .._files import write_text

        write_text(Path(output), text if text.endswith("\n") else text + "\n")
    else:
        print(text)
