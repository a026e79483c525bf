"""Plain-text view of a coalition result for the terminal: the table of each corporation's part,
then hand-overs, prestatieafspraken and the phases with the rules that changed since the first."""

from __future__ import annotations

from ..textout import text_table
from .result import CoalitionResult

HEAD = {
    "nl": {"handovers": "Overdragen:", "agreements": "Prestatieafspraken per gemeente (Ww 44 lid 2):",
           "phases": "Fasen:", "causes": "gewijzigd recht sinds de eerste fase", "partner": "Gedragen door partners:",
           "compliant": "Coalitie conform: "},
    "en": {"handovers": "Hand over:", "agreements": "Performance agreements per municipality (Ww 44(2)):",
           "phases": "Phases:", "causes": "law changed since the first phase", "partner": "Carried by partners:",
           "compliant": "Coalition compliant: "},
}


def coalition_text(res: CoalitionResult) -> str:
    h = HEAD[res.lang]
    lines = [f"{res.title} — {res.case} ({res.summary.corporations} corporaties/corporations, "
             f"{res.summary.partners} partners, {res.summary.phases} fasen/phases)", ""]
    for part in res.parts:
        lines.append(text_table(part.result).rstrip("\n"))
        lines.append("")
    if res.partner_work:
        lines.append(h["partner"])
        lines += [f"  {w.component} -> {w.carried_by}: {w.text}" for w in res.partner_work]
    if res.handovers:
        lines.append(h["handovers"])
        lines += [f"  {x.part} ({x.corporation}) -> {x.to or x.kind}: {x.text}" for x in res.handovers]
    if res.agreements:
        lines.append(h["agreements"])
        lines += [f"  [{a.status}] {a.municipality} {a.corporation}: {a.text}" for a in res.agreements]
    lines.append(h["phases"])
    for ph in res.phases:
        lines.append(f"  {ph.start} {ph.id}: {ph.title} ({', '.join(ph.components)})")
        if ph.causes:
            lines.append(f"    {h['causes']}: " + "; ".join(
                f"{c.rule} ({', '.join(c.parts)})" for c in ph.causes))
    lines.append(h["compliant"] + str(res.summary.compliant).lower())
    return "\n".join(lines) + "\n"
