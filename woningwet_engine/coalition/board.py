"""The first page of the coalition memo: advice to the boards ("Advies aan de besturen").

As the single memo's board page (report/board.py), for a plan several corporations carry together: the
question, the advice in one paragraph (per corporation what is not allowed or not compliant, the
violations, the hand-overs, the prestatieafspraken still missing), what must change ranked by legal
risk, and the disclaimer. Everything comes from the coalition result; the phrases are the catalogue's
`coalition_memo.board` section (its risk words are the memo's). The reasoning (parties, phases,
hand-overs, verdicts) follows as annex.
"""

from __future__ import annotations

from ..i18n import section
from ..report.board import RISK, plural
from ..report.model import cite
from .result import CoalitionResult


def coalition_board(res: CoalitionResult, names: dict[str, str], phase_title, check_name) -> dict:
    lang = res.lang
    t, base = section(lang, "coalition_memo"), section(lang, "memo")
    b, risk = t["board"], base["board"]["risk"]
    corporations = [names[c] for c in dict.fromkeys(p.corporation for p in res.parts)]
    change, advice, seen = [], [], set()
    for p in res.parts:
        corp, phase = names[p.corporation], phase_title(res, p.phase)
        s = p.result.summary
        listed = [c for c in p.result.components if c.compliant is not True and c.id not in seen]
        seen |= {c.id for c in listed}
        bad = [c for c in listed if c.verdict != "undetermined"]  # the rest is open, not a breach
        if bad:
            ids = ", ".join(c.id for c in bad)
            advice.append(plural(b["corporation_change"], len(bad)).format(corp=corp, n=len(bad), ids=ids))
        for c in listed:
            state = c.verdict if c.verdict in ("forbidden", "undetermined") else "non_compliant"
            effects = ("undetermined",) if state == "undetermined" else ("violation", "verdict")
            why = next((r for r in c.reasons if r.effect in effects), None)
            change.append({"who": corp, "phase": phase, "what": f"{c.id} {c.title}", "rank": RISK[state],
                           "risk": risk[state], "why": why.text if why else "",
                           "citation": cite(why.citation.model_dump()) if why else None})
        if s.violations:
            advice.append(plural(b["corporation_violations"], len(s.violations)).format(corp=corp, n=len(s.violations)))
        for ch in p.result.plan.checks:
            if ch.status == "fail" and ch.violation:
                change.append({"who": corp, "phase": phase, "what": check_name(ch.id), "rank": RISK["violation"],
                               "risk": risk["violation"],
                               "why": ch.text, "citation": cite(ch.citation.model_dump())})
    missing = [a for a in res.agreements if a.status == "missing"]
    for a in missing:
        change.append({"who": names[a.corporation], "phase": "", "what": b["agreement"].format(
                           municipality=", ".join(names[m] for m in a.municipality_partners) or a.municipality),
                       "rank": RISK["violation"], "risk": risk["violation"], "why": a.text,
                       "citation": cite(a.citation.model_dump())})
    if res.handovers:
        advice.append(plural(b["handovers"], len(res.handovers)).format(n=len(res.handovers)))
    if missing:
        advice.append(plural(b["agreements_missing"], len(missing)).format(n=len(missing)))
    lead = b["advice_go"] if res.summary.compliant else b["advice_stop"]
    question = plural(b["question"], len(corporations))
    return {"question": question.format(corporations=_and(corporations, b["and"]), title=res.title),
            "advice": " ".join([lead, *advice]), "change": sorted(change, key=lambda x: x["rank"]),
            "compliant": res.summary.compliant}


def _and(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"
