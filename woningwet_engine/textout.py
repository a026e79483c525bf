"""Plain-text table of a result for the terminal."""

from __future__ import annotations

from .i18n import section
from .result import Result


def text_table(result: Result) -> str:
    t = section(result.lang, "terminal")
    rows = [tuple(t["head"])]
    for c in result.components:
        decisive = [r.rule for r in c.reasons if r.effect in ("verdict", "violation", "undetermined")]
        rows.append((f"{c.id} {c.title}"[:48], c.verdict, t["answer_yes"] if c.compliant else t["answer_no"],
                     ", ".join(x.id for x in c.conditions)[:60] or "-",
                     ", ".join(dict.fromkeys(decisive)) or "-"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    lines = [f"{result.title} — {result.date} ({result.regime.rulebook})"]
    for i, row in enumerate(rows):
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for ch in result.plan.checks:
        lines.append(f"[{ch.status}] {ch.id} ({ch.rule}, {ch.subject}): {ch.text}")
    lines.extend(decision_lines(result))
    lines.append(t["compliant"] + str(result.summary.compliant).lower())
    return "\n".join(lines) + "\n"


def decision_lines(result: Result) -> list[str]:
    """Splits away from the corporation, the first remedy per component, and the approval route."""
    t = section(result.lang, "terminal")
    lines = []
    moved = [f"{p.component} -> {p.party}" + (f" ({p.share})" if p.share != "1" else "")
             for p in result.splits.parts if p.party not in ("corporation", "corporation_non_daeb")]
    if moved:
        lines.append(t["split"] + ", ".join(moved))
    for c in result.components:
        if c.remediation:
            lines.append(t["remedy"] + f"{c.id}: {c.remediation[0].text}")
    if result.route:
        lines.append(t["route"])
        for s in result.route:
            period = f", {s.period_weeks} {t['weeks']}" if s.period_weeks else ""
            lines.append(f"  {s.order}. {s.id} [{s.earliest_start} .. {s.earliest_end}{period}]")
    return lines
