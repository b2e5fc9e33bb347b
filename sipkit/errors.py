"""Exceptions raised by sipkit.

Every error a user can cause derives from :class:`SipkitError` and from the builtin
exception that fits it, so ``except ValueError`` keeps working in user code.  Errors
about input data carry where the problem is (file, line, field path) and format it
as ``file:line: field: message``.  All errors pickle cleanly, because batch runs
send them across process boundaries.
"""

from __future__ import annotations

__all__ = [
    "DesignError",
    "LayoutError",
    "MaterialError",
    "SipkitError",
    "UnitError",
]


class SipkitError(Exception):
    """Base class of every error raised by sipkit."""


class DesignError(SipkitError, ValueError):
    """Invalid input data: a design, a card, a deck, a layout or a Python argument.

    Parameters
    ----------
    message : str
        What is wrong and, where possible, how to fix it.
    field : str, optional
        Field path inside the document, e.g. ``dies[1].thickness``.
    file : str, optional
        Name of the file the value came from.
    line : int, optional
        1-based line number in `file`.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ):
        self.message = message
        self.field = field
        self.file = file
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def located(
        self, file: str | None = None, line: int | None = None, field: str | None = None
    ) -> DesignError:
        """Return a copy with missing location details filled in."""
        return type(self)(
            self.message,
            field=self.field or field,
            file=self.file or file,
            line=self.line or line,
        )

    def __reduce__(self):
        return (type(self), (self.message, self.field, self.file, self.line))


class UnitError(DesignError):
    """A quantity with the wrong dimension or an unparsable unit."""


class MaterialError(DesignError):
    """An unknown material or an invalid material card."""


class LayoutError(DesignError):
    """A GDSII/OASIS layout that cannot be read or mapped onto the stack-up."""
