"""The first page of the memo: advice to the board ("Advies aan het bestuur").

A board member reads this page alone: the question, the advice in one paragraph, what may go ahead,
what must change (ranked by legal risk, then money), which decisions are needed from whom and by
when, the assumptions that could change the outcome, and a disclaimer. Everything on it is taken
from the memo's view model (itself built from the result); the sentences are fixed phrases from
the catalogue's `memo.board` section with the result's numbers filled in. The reasoning follows as an annex.
"""

from __future__ import annotations

from ..format import fmt_eur, fmt_int
from ..i18n import section
from .fmt import DECISIVE_EFFECTS

# legal risk of what must change: 0 high (forbidden, a violation), 1 open (cannot be judged yet)
RISK = {"forbidden": 0, "non_compliant": 0, "violation": 0, "undetermined": 1}
DECISION_KINDS = ("approval", "view")
MAX_ASSUMPTIONS = 8


def plural(entry, n: int) -> str:
    """The singular or plural form of a phrase ({one: ..., many: ...}); the caller fills in {n}."""
    return entry if isinstance(entry, str) else entry["one" if n == 1 else "many"]


def board_view(memo: dict, meta: dict, lang: str) -> dict:
    t = section(lang, "memo")
    b = t["board"]
    comps = memo["components"]
    checks = memo["plan"]["checks"]
    route = memo.get("route")
    totals = memo["summary"]["totals"]

    def fill(key, **kw):
        return b[key].format(**kw)

    proceed = [c for c in comps if c["compliance"] in ("ok", "conditions", "decision")]
    change = []
    for c in comps:
        state = c["compliance"]
        if state not in RISK:
            continue
        why = [r for r in c["reasons"] if r["effect"] in (("undetermined",) if state == "undetermined"
                                                          else ("verdict", "violation"))]
        if state == "non_compliant":
            why = [r for r in c["reasons"] if r["effect"] == "violation"] or why
        first = (why or c["decisive"])[:1]
        change.append({"id": c["id"], "title": c["title"], "cost": c["cost"] or 0, "cost_text": c["cost_text"],
                       "risk": RISK[state], "risk_label": b["risk"][state], "state_label": c["compliance_label"],
                       "why": first[0]["text"] if first else "", "rule": first[0]["rule"] if first else "",
                       "citation": first[0]["citation"] if first else None,
                       "remedy": c["remediation"][0]["text"] if c["remediation"] else ""})
    for ch in checks:
        if ch["status"] != "violation":
            continue
        change.append({"id": ch["name"], "title": f"({ch['subject_label']})", "cost": 0, "cost_text": "",
                       "risk": 0, "risk_label": b["risk"]["violation"], "state_label": ch["status_label"],
                       "why": ch["text"], "rule": ch["rule"], "citation": ch["citation"],
                       "remedy": ch["remediation"][0]["text"] if ch["remediation"] else ""})
    change.sort(key=lambda x: (x["risk"], -x["cost"], x["id"]))

    # the advice in one paragraph ----------------------------------------------------------------------
    bad = [x for x in change if x["risk"] == 0]
    open_ = [x for x in change if x["risk"] == 1]
    actions = [ch for ch in checks if ch["status"] == "action"]
    with_conditions = [c for c in proceed if c["compliance"] != "ok"]
    sentences = [b["advice_go"] if not change else b["advice_stop"] if bad else b["advice_wait"]]
    if proceed:
        sentences.append(plural(b["advice_proceed"], len(proceed)).format(
            n=len(proceed), total=fmt_int(totals["count"], lang),
            cost=fmt_eur(sum(c["cost"] or 0 for c in proceed), lang))
                         + (" " + plural(b["advice_with_conditions"], len(with_conditions)).format(
                             n=len(with_conditions)) if with_conditions else ""))
    ids = {c["id"] for c in comps}
    bad_components = [x for x in bad if x["id"] in ids]
    if bad_components:
        sentences.append(plural(b["advice_change"], len(bad_components)).format(
            n=len(bad_components), cost=fmt_eur(sum(x["cost"] for x in bad_components), lang),
            ids=", ".join(x["id"] for x in bad_components)))
    violations = [x for x in bad if x["id"] not in ids]
    if violations:
        sentences.append(plural(b["advice_violations"], len(violations)).format(n=len(violations)))
    if open_:
        sentences.append(plural(b["advice_open"], len(open_)).format(n=len(open_),
                                                                     ids=", ".join(x["id"] for x in open_)))
    if actions:
        dues = [a["due_text"] for ch in actions for a in ch["actions"] if a["due_text"]]
        sentences.append(plural(b["advice_actions"], len(actions)).format(n=len(actions))
                         + (f" ({'; '.join(dues)})" if dues else "") + ".")
    if route and route["end"]:
        sentences.append(fill("advice_route", date=route["end_text"])
                         + (" " + plural(b["advice_route_unknown"], route["unknown"]).format(n=route["unknown"])
                            if route["unknown"] else ""))

    # decisions needed, from whom and by when ---------------------------------------------------------
    decisions = []
    if route:
        for s in route["steps"]:
            if s["kind"] in DECISION_KINDS:
                when = s["due_text"] or (f'{b["earliest"]} {s["end_text"]}' if s["end"] else s["end_text"])
                if not s["end"] and s["before"]:
                    when += f'; {plural(b["before_steps"], len(s["before"])).format(n=", ".join(s["before"]))}'
                decisions.append({"actor": s["actor"], "title": s["title"], "when": when,
                                  "components": s["components"], "overdue": s["overdue"]})
    else:
        for a in memo["actors"]:
            for i in a["entries"]:
                if i["kind"] in DECISION_KINDS:
                    decisions.append({"actor": i["actor"], "title": i["title"], "when": t["route"]["date_unknown"],
                                      "components": i["components_text"], "overdue": False})
    seen = {d["title"] for d in decisions}
    for ch in actions:
        for a in ch["actions"]:
            if a["title"] in seen:
                continue
            decisions.append({"actor": a["actor"], "title": a["title"], "when": a["due_text"] or
                              t["route"]["date_unknown"], "components": ch["subject_label"], "overdue": a["overdue"]})

    # assumptions that could change the outcome: weak rules and figures behind a decisive reason -----
    decisive_rules: dict[str, list[str]] = {}
    weak_figures: dict[tuple, dict] = {}
    for c in comps:
        for r in c["reasons"]:
            if r["effect"] not in DECISIVE_EFFECTS:
                continue
            if r["unverified"]:
                decisive_rules.setdefault(r["rule"], []).append(c["id"])
            for p in r["params"]:
                if p["unverified"]:
                    entry = weak_figures.setdefault((p["name"], p["value"]), {**p, "used_by": []})
                    entry["used_by"].append(c["id"])
    for ch in checks:
        if ch["status"] in ("violation", "action", "unknown"):
            if ch["unverified"]:
                decisive_rules.setdefault(ch["rule"], []).append(ch["subject_label"])
            for p in ch["params"]:
                if p["unverified"]:
                    entry = weak_figures.setdefault((p["name"], p["value"]), {**p, "used_by": []})
                    entry["used_by"].append(ch["subject_label"])
    assumptions = []
    for x in open_:
        assumptions.append(fill("assume_open", id=x["id"], text=x["why"]))
    for p in sorted(weak_figures.values(), key=lambda p: p["name"]):
        value = p["value"] if p["value"] != t["assumptions"]["unknown"] else b["figure_unknown"]
        assumptions.append(fill("assume_figure", name=p["name"], value=value, confidence=p["confidence_label"],
                                used=", ".join(dict.fromkeys(p["used_by"]))))
    for rule, used in sorted(decisive_rules.items()):
        title = meta.get("rule_titles", {}).get(rule, rule)
        assumptions.append(fill("assume_rule", rule=f"‘{title}’", used=", ".join(dict.fromkeys(used))))
    more = max(0, len(assumptions) - MAX_ASSUMPTIONS)

    m = memo["meta"]
    return {
        "question": fill("question", corporation=m["corporation"] or b["the_corporation"], title=m["title"],
                         date=m["law_date_text"]),
        "advice": " ".join(sentences),
        "compliant": m["compliant"],
        "proceed": [{"id": c["id"], "title": c["title"], "verdict_label": c["verdict_label"],
                     "state_label": c["compliance_label"], "cost_text": c["cost_text"],
                     "units_text": c["units_text"]} for c in proceed],
        "change": change,
        "decisions": decisions,
        "assumptions": assumptions[:MAX_ASSUMPTIONS],
        "more_assumptions": plural(b["more_assumptions"], more).format(n=more) if more else "",
        "illustrative": m["illustrative"],
        "law_date_text": m["law_date_text"],
        "laws": m["regime"]["laws"],
    }


