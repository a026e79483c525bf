"""Plain-text view of a coalition result for the terminal: the table of each corporation's part,
then hand-overs, prestatieafspraken and the phases with the rules that changed since the first.
Parties by their names, statuses and kinds in words (catalogue section `coalition`), no ids. Every
line wraps at word boundaries to the terminal width, as the ordinary table does (textout.py)."""

from __future__ import annotations

from ..format import fmt_date
from ..i18n import section, text as tr
from ..textout import DEFAULT_WIDTH, fit, text_table
from .result import CoalitionResult


def coalition_text(res: CoalitionResult, width: int = DEFAULT_WIDTH) -> str:
    lang = res.lang
    t, kinds = section(lang, "coalition"), section(lang, "coalition_kind")
    status = section(lang, "coalition_memo")["agreement_status"]
    names = {p.id: p.name for p in res.parties}
    s = res.summary
    lines = [tr(lang, "coalition.text_head", title=res.title, case=res.case, corporations=s.corporations,
                partners=s.partners, phases=s.phases), ""]
    for part in res.parts:
        lines.append(text_table(part.result, width).rstrip("\n"))
        lines.append("")
    if res.partner_work:
        lines.append(t["text_partner"])
        lines += [f"  {w.component} → {names.get(w.carried_by, w.carried_by)}: {w.text}" for w in res.partner_work]
    if res.handovers:
        lines.append(t["text_handovers"])
        lines += [f"  {x.part} ({names.get(x.corporation, x.corporation)}) → {x.to_name or kinds.get(x.kind, x.kind)}: "
                  f"{x.text}" for x in res.handovers]
    if res.agreements:
        lines.append(t["text_agreements"])
        for a in res.agreements:
            where = ", ".join(names.get(m, m) for m in a.municipality_partners) or a.municipality
            lines.append(f"  [{status.get(a.status, a.status)}] {where}, {names.get(a.corporation, a.corporation)}: "
                         f"{a.text}")
    lines.append(t["text_phases"])
    for ph in res.phases:
        lines.append(f"  {fmt_date(ph.start, lang)}: {ph.title} ({', '.join(ph.components)})")
        if ph.causes:
            lines.append(f"    {t['text_causes']}: " + "; ".join(
                f"{c.title} ({', '.join(_part(p, names) for p in c.parts)})" for c in ph.causes))
    lines.append(t["text_compliant"] + tr(lang, "values.answer_yes" if s.compliant else "values.answer_no"))
    return fit("\n".join(lines), width) + "\n"


def _part(part: str, names: dict) -> str:
    """A part a rule change affects: a component part as it is; a corporation's plan check by its name."""
    corp, sep, _ = part.partition(":")
    return names.get(corp, corp) if sep else part
