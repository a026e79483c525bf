"""Plain-text table of a result for the terminal."""

from __future__ import annotations

from .result import Result

HEAD = {"nl": ("Component", "Oordeel", "Conform", "Voorwaarden", "Regels"),
        "en": ("Component", "Verdict", "Compliant", "Conditions", "Rules")}


def text_table(result: Result) -> str:
    lang = result.lang
    rows = [HEAD[lang]]
    for c in result.components:
        decisive = [r.rule for r in c.reasons if r.effect in ("verdict", "violation", "undetermined")]
        rows.append((f"{c.id} {c.title}"[:48], c.verdict, ("ja" if lang == "nl" else "yes") if c.compliant else
                     ("nee" if lang == "nl" else "no"), ", ".join(x.id for x in c.conditions)[:60] or "-",
                     ", ".join(dict.fromkeys(decisive)) or "-"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    lines = [f"{result.title} — {result.date} ({result.regime.rulebook})"]
    for i, row in enumerate(rows):
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    for ch in result.plan.checks:
        lines.append(f"[{ch.status}] {ch.id} ({ch.rule}, {ch.subject}): {ch.text}")
    lines.append(("Conform: " if lang == "nl" else "Compliant: ") + str(result.summary.compliant).lower())
    return "\n".join(lines) + "\n"
