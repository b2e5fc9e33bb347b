"""Report writers: text, JSON, KLayout marker database (.lyrdb) and JUnit XML."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["FORMATS", "to_json", "to_junit", "to_lyrdb", "to_text", "write"]

#: Format names and their usual suffixes.
FORMATS = {"text": ".txt", "json": ".json", "lyrdb": ".lyrdb", "junit": ".xml"}


def to_text(report) -> str:
    """One line per rule, then the violations of the failing rules (at most 20 each)."""
    lines = [f"DRC of {report.design} with deck {report.deck}: {len(report)} violation(s)"]
    for row in report.summary():
        status = row["status"].upper()
        extra = f" ({row['skipped']})" if row["skipped"] else ""
        count = f" {row['count']}" if row["count"] else ""
        lines.append(f"  {status:7s} {row['rule']:12s} {row['check']:16s} {row['layer'] or '':8s} "
                     f"{row['required']}{count}{extra}")
    for r in report.results:
        if not r.violations:
            continue
        lines.append(f"{r.rule.id}: {r.rule.description or r.rule.check} ({r.rule.severity})")
        for v in r.violations[:20]:
            x0, y0, x1, y1 = v.bbox
            val = "" if v.value is None else f" {v.value:.4f}"
            nets = f" nets {','.join(v.nets)}" if v.nets else ""
            lines.append(f"    at [{x0:.3f}, {y0:.3f}, {x1:.3f}, {y1:.3f}]{val} (required {v.required})"
                         f"{nets}{' - ' + v.message if v.message else ''}")
        if len(r.violations) > 20:
            lines.append(f"    ... and {len(r.violations) - 20} more")
    return "\n".join(lines) + "\n"


def to_json(report) -> str:
    """``{"design", "deck", "violations": [...], "summary": {...}}``, lengths in µm."""
    data = {
        "design": report.design,
        "deck": report.deck,
        "clean": report.clean,
        "violations": [v.to_dict() for v in report],
        "summary": {
            "violations": len(report),
            "errors": sum(len(r.violations) for r in report.results if r.rule.severity == "error"),
            "warnings": sum(len(r.violations) for r in report.results if r.rule.severity == "warning"),
            "seconds": round(report.seconds, 4),
            "rules": report.summary(),
        },
    }
    return json.dumps(data, indent=1)


def _num(x: float) -> str:
    """A coordinate in µm, exact to the database unit (no 6-digit rounding of large layouts)."""
    return format(round(float(x), 6), ".12g")


def _pts(*xy) -> str:
    return ";".join(f"{_num(xy[k])},{_num(xy[k + 1])}" for k in range(0, len(xy), 2))


def _quoted(name: str) -> str:
    """A category name as a KLayout category path (dots would make sub-categories)."""
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _lyrdb_value(v) -> str:
    kind, geom = v.marker
    if kind == "edge_pair":
        (a, b) = geom
        return f"edge-pair: ({_pts(*a)})/({_pts(*b)})"
    if kind == "polygon":
        return f"polygon: ({_pts(*[c for p in geom for c in p])})"
    if kind == "box":
        return f"box: ({_pts(*geom)})"
    if kind == "path":
        return f"path: ({_pts(*[c for p in geom for c in p])}) w=0 bx=0 ex=0 r=false"
    x, y = geom
    return f"box: ({_pts(x - 0.5, y - 0.5, x + 0.5, y + 0.5)})"


def to_lyrdb(report) -> str:
    """A KLayout report database: one category per rule, one item per violation (µm)."""
    top = "TOP"
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<report-database>",
           f" <description>{escape('sipkit DRC of ' + report.design + ' with ' + report.deck)}</description>",
           " <original-file/>", " <generator>sipkit</generator>", f" <top-cell>{top}</top-cell>",
           " <tags/>", " <categories>"]
    for r in report.results:
        desc = f"{r.rule.check} {r.rule.limit_text}"
        if r.rule.description:
            desc += f": {r.rule.description}"
        out.append(f"  <category><name>{escape(r.rule.id)}</name><description>{escape(desc)}</description>"
                   "<categories/></category>")
    out += [" </categories>", " <cells>", f"  <cell><name>{top}</name><variant/><references/></cell>",
            " </cells>", " <items>"]
    for v in report:
        values = [f"<value>{escape(_lyrdb_value(v))}</value>"]
        text = f"{v.check}: {'' if v.value is None else f'{v.value:.4f} '}required {v.required}"
        if v.nets:
            text += f" nets {','.join(v.nets)}"
        values.append(f"<value>text: {escape(repr(text))}</value>")
        out.append(f"  <item><tags/><category>{escape(_quoted(v.rule))}</category><cell>{top}</cell>"
                   f"<visited>false</visited><multiplicity>1</multiplicity><values>{''.join(values)}</values>"
                   "</item>")
    out += [" </items>", "</report-database>"]
    return "\n".join(out) + "\n"


def to_junit(report) -> str:
    """JUnit XML: a test suite for the deck, a test case per rule."""
    cases = []
    failures = skipped = 0
    for r in report.results:
        name = escape(r.rule.id, {'"': "&quot;"})
        head = f'  <testcase classname="drc.{escape(report.deck, {chr(34): "&quot;"})}" name="{name}" ' \
               f'time="{r.seconds:.4f}"'
        if r.skipped:
            skipped += 1
            cases.append(f'{head}><skipped message="{escape(r.skipped, {chr(34): "&quot;"})}"/></testcase>')
        elif r.violations and r.rule.severity == "error":
            failures += 1
            lines = "\n".join(f"{v.bbox} value={v.value} required {v.required}" for v in r.violations[:200])
            msg = f"{len(r.violations)} violation(s) of {r.rule.check} {r.rule.limit_text}"
            cases.append(f'{head}><failure message="{escape(msg, {chr(34): "&quot;"})}">{escape(lines)}'
                         "</failure></testcase>")
        else:
            out = f"<system-out>{len(r.violations)} {r.rule.severity}(s)</system-out>" if r.violations else ""
            cases.append(f"{head}>{out}</testcase>")
    suite = (f'<testsuite name="drc {escape(report.design, {chr(34): "&quot;"})}" '
             f'tests="{len(report.results)}" '
             f'failures="{failures}" errors="0" skipped="{skipped}" time="{report.seconds:.4f}">')
    return "\n".join(['<?xml version="1.0" encoding="utf-8"?>', "<testsuites>", suite, *cases,
                      "</testsuite>", "</testsuites>"]) + "\n"


def write(report, path, format: str | None = None) -> None:
    """Write `report` to `path` in `format` (by suffix when not given)."""
    from .._files import write_text
    from ..errors import DesignError

    path = Path(path)
    if format is None:
        by_suffix = {s: f for f, s in FORMATS.items()}
        format = by_suffix.get(path.suffix.lower(), "text")
    writers = {"text": to_text, "json": to_json, "lyrdb": to_lyrdb, "junit": to_junit}
    if format not in writers:
        raise DesignError(f"unknown report format {format!r}; expected one of {', '.join(writers)}")
    write_text(path, writers[format](report))
