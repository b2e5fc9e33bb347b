"""DRC results: violations, per-rule summaries and the report that holds them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["Report", "RuleResult", "Violation"]


@dataclass(frozen=True)
class Violation:
    """One violation of one rule.

    Attributes
    ----------
    rule, check : str
        Rule id and the check it runs.
    layers : tuple of str
        Layer(s) involved.
    nets : tuple of str
        Net(s) involved, where known.
    value : float or None
        Measured value (µm, µm², %, degrees or a ratio, as the rule's limit).
    required : str
        The limit, e.g. ``>= 25 µm``.
    marker : tuple
        ``("edge_pair", ((x1, y1, x2, y2), (x1, y1, x2, y2)))``, ``("polygon", ((x, y), ...))``,
        ``("path", ((x, y), ...))`` (a wire in top view), ``("box", (x0, y0, x1, y1))`` or
        ``("point", (x, y))``, µm.
    bbox : tuple of float
        (x0, y0, x1, y1) of the marker, µm.
    severity : str
    message : str
    """

    rule: str
    check: str
    layers: tuple
    nets: tuple
    value: float | None
    required: str
    marker: tuple
    bbox: tuple
    severity: str = "error"
    message: str = ""

    def to_dict(self) -> dict:
        """Plain data (the JSON report's violation entry)."""
        kind, geom = self.marker
        return {"rule": self.rule, "check": self.check, "layer": "/".join(self.layers) or None,
                "layers": list(self.layers), "nets": list(self.nets), "value": self.value,
                "required": self.required, "severity": self.severity, "message": self.message,
                "bbox": [round(v, 6) for v in self.bbox], "marker": {"type": kind, "geometry": _plain(geom)}}


def _plain(x):
    if isinstance(x, (tuple, list)):
        return [_plain(v) for v in x]
    return round(float(x), 6) if isinstance(x, float) else x


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule: its violations or why it did not run."""

    rule: object  # deck.Rule
    violations: tuple = ()  # or a sequence of repeated units' violations (sipkit.drc.hierarchy)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when the rule ran and found nothing."""
        return self.skipped is None and not self.violations

    @property
    def worst(self) -> float | None:
        """The measured value furthest beyond the limit, or None."""
        distinct = getattr(self.violations, "distinct_values", None)  # repeated units
        vals = [x for x in (distinct() if distinct else (v.value for v in self.violations)) if x is not None]
        if not vals:
            return None
        return max(vals) if self.rule.max is not None and self.rule.min is None else min(vals)


@dataclass
class Report:
    """The result of :func:`sipkit.drc.check`.

    Iterating gives every :class:`Violation`; :meth:`summary` gives one line of data
    per rule; :meth:`filter` narrows it down.  Writers: :meth:`to_text`,
    :meth:`to_json`, :meth:`to_lyrdb`, :meth:`to_junit`, or :meth:`write` by format.
    """

    design: str
    deck: str
    results: list = field(default_factory=list)
    layout: dict = field(default_factory=dict, repr=False)  # layer -> MergedLayer, for plots
    seconds: float = 0.0

    # -- access --------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        """Every violation, rule by rule."""
        return [v for r in self.results for v in r.violations]

    def __iter__(self) -> Iterator[Violation]:
        return iter(self.violations)

    def __len__(self) -> int:
        return sum(len(r.violations) for r in self.results)

    def __bool__(self) -> bool:
        return True

    @property
    def clean(self) -> bool:
        """True when no rule of severity ``error`` found anything."""
        return not any(r.rule.severity == "error" and len(r.violations) for r in self.results)

    def result(self, rule_id: str) -> RuleResult:
        """The result of one rule."""
        for r in self.results:
            if r.rule.id == rule_id:
                return r
        raise KeyError(rule_id)

    def filter(self, rule=None, check=None, layer=None, severity=None, net=None) -> Report:
        """A report with only the violations that match every given criterion.

        Each criterion is a value or a collection of values; rules left without a
        violation stay listed (as passed or skipped).
        """
        def ok(value, want):
            if want is None:
                return True
            if isinstance(want, str):
                return value == want
            return value in want

        out = []
        for r in self.results:
            vs = tuple(v for v in r.violations
                       if ok(v.rule, rule) and ok(v.check, check) and ok(v.severity, severity)
                       and (layer is None or any(ok(la, layer) for la in v.layers))
                       and (net is None or any(ok(n, net) for n in v.nets)))
            keep = ok(r.rule.id, rule) and ok(r.rule.check, check) and ok(r.rule.severity, severity)
            if keep or vs:
                out.append(RuleResult(r.rule, vs, r.skipped, r.seconds))
        return Report(self.design, self.deck, out, self.layout, self.seconds)

    def summary(self) -> list[dict]:
        """One dict per rule: id, check, layer, severity, status, count, worst, required."""
        rows = []
        for r in self.results:
            status = "skipped" if r.skipped else ("pass" if not r.violations else "fail")
            rows.append({"rule": r.rule.id, "check": r.rule.check, "layer": r.rule.layer,
                         "severity": r.rule.severity, "status": status, "count": len(r.violations),
                         "worst": r.worst, "required": r.rule.limit_text, "skipped": r.skipped,
                         "seconds": round(r.seconds, 4)})
        return rows

    def to_dataframe(self):
        """The violations as a pandas DataFrame (pandas needed), one row each."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("Report.to_dataframe needs pandas: pip install pandas") from None
        cols = ["rule", "check", "layer", "nets", "value", "required", "severity", "x0", "y0", "x1", "y1"]
        rows = [[v.rule, v.check, "/".join(v.layers), ",".join(v.nets), v.value, v.required, v.severity,
                 *v.bbox] for v in self]
        return pd.DataFrame(rows, columns=cols)

    # -- output --------------------------------------------------------------------
    def to_text(self) -> str:
        """A readable report."""
        from .writers import to_text

        return to_text(self)

    def to_json(self) -> str:
        """The JSON report (see the project's design notes for the schema)."""
        from .writers import to_json

        return to_json(self)

    def to_lyrdb(self) -> str:
        """A KLayout marker database (open it in KLayout's marker browser)."""
        from .writers import to_lyrdb

        return to_lyrdb(self)

    def to_junit(self) -> str:
        """JUnit XML: one test case per rule, failed when it found violations."""
        from .writers import to_junit

        return to_junit(self)

    def write(self, path, format: str | None = None) -> None:
        """Write the report; the format follows the suffix unless given.

        Suffixes: ``.txt`` text, ``.json``, ``.lyrdb`` and ``.xml`` (JUnit).
        """
        from .writers import write

        write(self, path, format)

    def plot(self, ax=None, layers=None, max_markers: int = 20000):
        """Markers over the checked layers' outlines with matplotlib; returns the axes."""
        from .plot import plot_report

        return plot_report(self, ax=ax, layers=layers, max_markers=max_markers)

    def __repr__(self) -> str:
        n_fail = sum(1 for r in self.results if r.violations)
        return (f"<Report {self.design!r} deck={self.deck!r}: {len(self)} violations, "
                f"{n_fail} of {len(self.results)} rules failing>")
