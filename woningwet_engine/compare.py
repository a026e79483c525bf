"""Comparing two results of one case: what changed between two dates (or two rulebooks), and why.

`compare_results` takes two results of the same case (as Result models or their JSON dicts) and
the rulebook(s) they were judged with, and lists per component every change of verdict,
compliance, conditions, party (and remediation, when results carry it), plus every changed plan
check. Each change names the rules that cause it: rules that fired (gave a reason) under one date
and not under the other, with whether they are in force on each date, which of their parameter
values differ and which declared derivations of the facts they use differ (rules/derivations.yaml).
The regime part lists what changed in the law between the two dates: rules in force on one date
only, rules whose validity starts or ends in between, parameters whose values differ, derived facts
whose declaration differs (with its legal basis), the change points in between and, when two
different rulebooks are compared (audit diff), the rule files whose content differs.

Used by `woningwet compare` (compare_cli.py) and `woningwet audit diff`. Output is deterministic (sorted lists).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .explain import PARAM_TYPE, json_value
from .i18n import section
from .rulebook.citation import basis_text
from .rulebook.loader import Rulebook, Selection
from .rulebook.model import LegalBasis, bases_on

DECISIVE = ("verdict", "overridden", "violation", "undetermined")
COMPONENT_FIELDS = ("verdict", "compliant", "party", "remediation")


def _as_dict(result: Any) -> dict:
    if isinstance(result, dict):
        return result
    return result.model_dump(mode="json")


def _param_value(sel: Selection, pid: str):
    p = sel.params.get(pid)
    if p is None:
        return None
    return json_value(p.value, PARAM_TYPE[p.unit])


class _Side:
    """One side of a comparison: the result, its rulebook and the selection on its date."""

    def __init__(self, result: dict, book: Rulebook):
        self.result = result
        self.book = book
        self.lang = result.get("lang", "nl")  # the titles the comparison carries for people
        self.date = dt.date.fromisoformat(result["date"])
        self.selection = book.at(self.date)
        self.in_force = {cr.rule.id for cr in self.selection.rules}
        self.rules = {cr.rule.id: cr for cr in book.rules}
        self.derivations_changed: list[dict] = []  # set by compare_results: declarations that differ
        # figures each rule's reasons and checks list as inputs (conditions, texts and the derivations
        # of the facts it used: what the rule rested on in this result)
        self.reported_params: dict[str, set[str]] = {}
        items = [r for c in result.get("components", []) for r in c.get("reasons", [])]
        items += result.get("plan", {}).get("checks", [])
        for item in items:
            ids = {p["id"] for p in (item.get("inputs") or {}).get("params", [])}
            self.reported_params.setdefault(item["rule"], set()).update(ids)


def _regime(a: _Side, b: _Side) -> dict:
    lo, hi = sorted((a.date, b.date))
    points = sorted({d for d in a.book.change_points() + b.book.change_points() if lo < d <= hi})
    starting, ending = [], []
    for rid in sorted(set(a.rules) | set(b.rules)):
        cr = (b.rules.get(rid) or a.rules.get(rid)).rule
        if lo < cr.valid_from <= hi:
            starting.append({"rule": rid, "valid_from": cr.valid_from.isoformat()})
        if cr.valid_to is not None and lo <= cr.valid_to < hi:
            ending.append({"rule": rid, "valid_to": cr.valid_to.isoformat()})
    params = []
    for pid in sorted(set(a.selection.params) | set(b.selection.params)):
        va, vb = _param_value(a.selection, pid), _param_value(b.selection, pid)
        if va != vb:
            p = b.selection.params.get(pid) or a.selection.params.get(pid)
            title = getattr(p.title, b.lang) if p.title is not None else pid
            params.append({"id": pid, "unit": p.unit, "title": title, "from": va, "to": vb})
    out = {
        "change_points": [d.isoformat() for d in points],
        "derivations_changed": a.derivations_changed,
        "rules_only_from": sorted(a.in_force - b.in_force),
        "rules_only_to": sorted(b.in_force - a.in_force),
        "rules_starting": starting,
        "rules_ending": ending,
        "params_changed": params,
    }
    if a.book.sha256 != b.book.sha256:
        fa, fb = a.book.files, b.book.files
        out["files_changed"] = sorted(p for p in set(fa) | set(fb) if fa.get(p) != fb.get(p))
    return out


def _derivations_changed(a: _Side, b: _Side) -> list[dict]:
    """Derived facts whose declaration differs between the two sides, grouped by (from, to) declaration."""
    facts = sorted({(d.scope, f) for side in (a, b) for d in side.selection.derivations for f in d.produces})
    groups: dict[tuple, dict] = {}
    for scope, fact in facts:
        da, db = a.book.derivation(fact, scope, a.date), b.book.derivation(fact, scope, b.date)
        if da == db:
            continue
        key = (da.id if da else None, db.id if db else None)
        entry = groups.setdefault(key, {"from": key[0], "to": key[1], "scope": scope, "facts": [],
                                        "title_from": getattr(da.title, a.lang) if da else None,
                                        "title_to": getattr(db.title, b.lang) if db else None,
                                        "valid_to": _valid(db), "valid_from": _valid(da),
                                        "legal_basis": [lb.model_dump(exclude_none=True, exclude_defaults=True)
                                                        for lb in bases_on((db or da).legal_basis, b.date if db else a.date)]})
        entry["facts"].append(fact)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[1] or "", k[0] or ""))]


def _valid(d) -> str | None:
    return None if d is None else f"{d.valid_from}..{d.valid_to or ''}"


def law_changes(book_from: Rulebook, day_from: dt.date, book_to: Rulebook, day_to: dt.date, lang: str = "nl") -> dict:
    """What changed in the law between two dates: the `regime` part of compare_results, without results
    (titles in `lang`)."""
    return _regime(_Side({"date": day_from.isoformat(), "lang": lang}, book_from),
                   _Side({"date": day_to.isoformat(), "lang": lang}, book_to))


def is_change(cause: dict) -> bool:
    """A cause of compare_results that differs between the two dates (outcome, validity or parameters)."""
    return _is_change(cause)


def _rule_params(side: _Side, rid: str) -> set[str]:
    cr = side.rules.get(rid)
    return set(cr.params if cr else ()) | side.reported_params.get(rid, set())


def _cause(rid: str, a: _Side, b: _Side, fired_a: dict, fired_b: dict, changed_params: set[str],
           changed_derivations: list[dict] = ()) -> dict:
    both = rid in a.in_force and rid in b.in_force
    # a parameter explains a change only for a rule in force on both dates; otherwise validity does
    params = sorted({p for side in (a, b) for p in _rule_params(side, rid)} & changed_params) if both else []
    cr = (b.rules.get(rid) or a.rules.get(rid))
    used = {f for side in (a, b) if rid in side.rules for f in side.rules[rid].used_facts}
    derivations = [d["to"] or d["from"] for d in changed_derivations
                   if d["scope"] == (cr.rule.scope if cr else None) and used & set(d["facts"])]
    valid = f"{cr.rule.valid_from}..{cr.rule.valid_to or ''}" if cr else None
    return {
        "rule": rid,
        "title": getattr(cr.rule.title, b.lang) if cr else rid,
        "valid": valid,
        "fired_from": rid in fired_a,
        "fired_to": rid in fired_b,
        "outcome_from": fired_a.get(rid),
        "outcome_to": fired_b.get(rid),
        "in_force_from": rid in a.in_force,
        "in_force_to": rid in b.in_force,
        "params_changed": params,
        "derivations_changed": derivations,
    }


def _causes(rule_ids, a, b, fired_a, fired_b, changed_params) -> list[dict]:
    return [_cause(r, a, b, fired_a, fired_b, changed_params, a.derivations_changed) for r in sorted(set(rule_ids))]


def _outcomes(comp: dict) -> dict[str, str]:
    """Rule id -> how it fired on this component ("then:verdict", "else:verdict", ...), for every reason."""
    out: dict[str, list[str]] = {}
    for r in comp.get("reasons", []):
        out.setdefault(r["rule"], []).append(f"{r.get('branch') or '-'}:{r['effect']}")
    return {k: ",".join(sorted(v)) for k, v in out.items()}


def _component_changes(ca: dict, cb: dict, a: _Side, b: _Side, changed_params: set[str]) -> list[dict]:
    fired_a, fired_b = _outcomes(ca), _outcomes(cb)
    decisive_a = {r["rule"] for r in ca.get("reasons", []) if r["effect"] in DECISIVE}
    decisive_b = {r["rule"] for r in cb.get("reasons", []) if r["effect"] in DECISIVE}
    # decisive rules that fired on one date only, or fired on both with another branch or effect
    decisive_causes = {r for r in decisive_a | decisive_b if fired_a.get(r) != fired_b.get(r)} \
        or (decisive_a | decisive_b)
    changes = []
    for fld in COMPONENT_FIELDS:
        va, vb = ca.get(fld), cb.get(fld)
        if fld == "remediation":
            va, vb = _remedies(va), _remedies(vb)
        if va == vb:
            continue
        rules = decisive_causes if fld != "remediation" else (set(fired_a) ^ set(fired_b)) or decisive_causes
        changes.append({"field": fld, "from": va, "to": vb,
                        "because": _causes(rules, a, b, fired_a, fired_b, changed_params)})
    conds_a = {c["id"]: c for c in ca.get("conditions", [])}
    conds_b = {c["id"]: c for c in cb.get("conditions", [])}
    for cid in sorted(set(conds_a) | set(conds_b)):
        title = (conds_b.get(cid) or conds_a[cid]).get("title") or cid
        if cid in conds_a and cid in conds_b:
            ta, tb = conds_a[cid].get("triggered_by", []), conds_b[cid].get("triggered_by", [])
            if sorted(ta) == sorted(tb):
                continue
            changes.append({"field": "condition", "condition": cid, "title": title, "from": "present", "to": "present",
                            "triggered_by_from": ta, "triggered_by_to": tb,
                            "because": _causes(set(ta) ^ set(tb), a, b, fired_a, fired_b, changed_params)})
        else:
            present_a = cid in conds_a
            trig = set((conds_a if present_a else conds_b)[cid].get("triggered_by", []))
            causes = _causes(trig, a, b, fired_a, fired_b, changed_params)
            if not any(_is_change(c) for c in causes):
                # the triggering rules behaved alike on both dates: the condition came or went with the
                # verdict (e.g. a forbidden component carries no conditions)
                causes = _causes(trig | decisive_causes, a, b, fired_a, fired_b, changed_params)
            changes.append({"field": "condition", "condition": cid, "title": title,
                            "from": "present" if present_a else "absent",
                            "to": "absent" if present_a else "present", "because": causes})
    return changes


def _is_change(cause: dict) -> bool:
    return (cause["outcome_from"] != cause["outcome_to"] or not cause["in_force_from"] or not cause["in_force_to"]
            or bool(cause["params_changed"]) or bool(cause.get("derivations_changed")))


def _remedies(items) -> list[dict]:
    """Remediation entries reduced to what a reader compares: rule, kind, text."""
    return [{"rule": r.get("rule"), "kind": r.get("kind"), "text": r.get("text")} for r in (items or [])]


def _plan_changes(pa: dict, pb: dict, a: _Side, b: _Side, changed_params: set[str]) -> list[dict]:
    checks_a = {c["id"]: c for c in pa.get("checks", [])}
    checks_b = {c["id"]: c for c in pb.get("checks", [])}
    out = []
    fired_a = {c["rule"]: c["status"] for c in checks_a.values()}
    fired_b = {c["rule"]: c["status"] for c in checks_b.values()}
    for cid in sorted(set(checks_a) | set(checks_b)):
        xa, xb = checks_a.get(cid), checks_b.get(cid)
        rules = {x["rule"] for x in (xa, xb) if x}
        rid = (xb or xa)["rule"]
        cr = b.rules.get(rid) or a.rules.get(rid)
        title = getattr(cr.rule.title, b.lang) if cr is not None else cid
        base = {"check": cid, "rule": rid, "title": title, "subject": (xb or xa).get("subject")}
        because = _causes(rules, a, b, fired_a, fired_b, changed_params)
        if xa is None or xb is None:
            out.append({**base, "field": "status", "from": xa["status"] if xa else "absent",
                        "to": xb["status"] if xb else "absent", "because": because})
            continue
        if xa["status"] != xb["status"]:
            out.append({**base, "field": "status", "from": xa["status"], "to": xb["status"], "because": because})
        ca, cb = sorted(xa.get("conditions", [])), sorted(xb.get("conditions", []))
        if ca != cb:
            titles = {c: getattr(side.book.conditions[c].title, side.lang) for side, ids in ((a, ca), (b, cb))
                      for c in ids if c in side.book.conditions}
            out.append({**base, "field": "conditions", "from": ca, "to": cb, "titles": titles, "because": because})
        ra, rb = _remedies(xa.get("remediation")), _remedies(xb.get("remediation"))
        if ra != rb:
            out.append({**base, "field": "remediation", "from": ra, "to": rb, "because": because})
    return out


def compare_results(result_from: Any, result_to: Any, book_from: Rulebook, book_to: Rulebook | None = None) -> dict:
    """Changes from `result_from` to `result_to` (the same case judged on two dates or rulebooks)."""
    ra, rb = _as_dict(result_from), _as_dict(result_to)
    if ra["case"] != rb["case"]:
        raise ValueError(f"cannot compare results of different cases ({ra['case']} and {rb['case']})")
    a, b = _Side(ra, book_from), _Side(rb, book_to or book_from)
    a.derivations_changed = b.derivations_changed = _derivations_changed(a, b)
    regime = _regime(a, b)
    changed_params = {p["id"] for p in regime["params_changed"]}
    comps_a = {c["id"]: c for c in ra["components"]}
    comps_b = {c["id"]: c for c in rb["components"]}
    components = []
    for cid in list(comps_a) + [c for c in comps_b if c not in comps_a]:
        ca, cb = comps_a.get(cid), comps_b.get(cid)
        if ca is None or cb is None:  # cannot happen for one case; kept for robustness
            components.append({"id": cid, "title": (ca or cb)["title"],
                               "changes": [{"field": "component", "from": "present" if ca else "absent",
                                            "to": "present" if cb else "absent", "because": []}]})
            continue
        changes = _component_changes(ca, cb, a, b, changed_params)
        if changes:
            components.append({"id": cid, "title": ca["title"], "changes": changes})
    plan = _plan_changes(ra.get("plan", {}), rb.get("plan", {}), a, b, changed_params)
    return {
        "case": ra["case"],
        "title": ra["title"],
        "from": {"date": ra["date"], "rulebook_sha256": ra["provenance"]["rulebook_sha256"],
                 "selection": ra["regime"]["selection"], "compliant": ra["summary"]["compliant"]},
        "to": {"date": rb["date"], "rulebook_sha256": rb["provenance"]["rulebook_sha256"],
               "selection": rb["regime"]["selection"], "compliant": rb["summary"]["compliant"]},
        "regime": regime,
        "components": components,
        "plan": plan,
        "summary": {"components_changed": len(components), "plan_checks_changed": len({p["check"] for p in plan}),
                    "changed": bool(components or plan)},
    }


# ---------------------------------------------------------------- text rendering
# Words only: checks, conditions and figures by their titles (carried in the comparison), verdicts,
# parties and statuses from the catalogue; rule ids stay (they are the citations a reader checks).


def _words(lang: str) -> dict:
    return section(lang, "compare")


def _state(value, lang: str) -> str:
    """A plan check's status, a presence or a yes/no as a word."""
    t = _words(lang)
    if isinstance(value, bool):
        return t["answer_yes" if value else "answer_no"]
    return t.get(f"state_{value}", str(value)) if value is not None else t["no_value"]


def _figure_text(v, unit: str, lang: str) -> str:
    from .format import fmt_value

    return _words(lang)["figure_absent"] if v is None else fmt_value(v, PARAM_TYPE.get(unit, "code"), lang)


def _field_value(field: str, v, lang: str) -> str:
    if field == "verdict":

        return section(lang, "memo")["verdict"].get(v, str(v))
    if field == "party":
        return section(lang, "party").get(v, str(v))
    return _state(v, lang)


def _fmt_remedies(items: list[dict], lang: str) -> str:
    return "; ".join(f"{r['rule']}: {r['text']}" for r in items) if items else _words(lang)["no_value"]


def _fmt_causes(causes: list[dict], cmp: dict, lang: str) -> str:
    t = _words(lang)
    da, db = cmp["from"]["date"], cmp["to"]["date"]
    titles = {p["id"]: p.get("title") or p["id"] for p in cmp["regime"]["params_changed"]}
    derivations = {d["to"] or d["from"]: d for d in cmp["regime"].get("derivations_changed", [])}
    parts = []
    for c in causes:
        notes = []
        if c["fired_from"] != c["fired_to"]:
            notes.append(t["fired"].format(d=da if c["fired_from"] else db))
        elif c["fired_from"] and c["outcome_from"] != c["outcome_to"]:
            plan_states = {"pass", "fail", "unknown"}
            if {c["outcome_from"], c["outcome_to"]} <= plan_states:
                notes.append(f"{_state(c['outcome_from'], lang)} → {_state(c['outcome_to'], lang)}")
            else:
                notes.append(t["other_outcome"])
        if not c["in_force_from"]:
            notes.append(t["not_in_force"].format(d=da))
        if not c["in_force_to"]:
            notes.append(t["not_in_force"].format(d=db))
        if c["valid"] and not (c["in_force_from"] and c["in_force_to"]):
            notes.append(t["valid"].format(v=_period(c["valid"], lang)))
        if c["params_changed"]:
            notes.append(t["params"].format(v="; ".join(titles.get(p, p) for p in c["params_changed"])))
        if c.get("derivations_changed"):
            items = []
            for d in c["derivations_changed"]:
                entry = derivations.get(d)
                if entry is None:
                    items.append(d)
                    continue
                name = entry.get("title_to") or entry.get("title_from") or d
                items.append(f"{name} ({_basis_text(entry['legal_basis'], lang)})")
            notes.append(t["derivations"].format(v="; ".join(items)))
        parts.append(c["rule"] + (f" ({'; '.join(notes)})" if notes else ""))
    return "; ".join(parts) if parts else t["no_value"]


def _period(valid: str, lang: str) -> str:
    """'2015-07-01..2020-04-27' -> 'van 2015-07-01 tot en met 2020-04-27'; an open end says so."""
    start, _, end = valid.partition("..")
    return _words(lang)["period_to" if end else "period_open"].format(start=start, end=end)


def _basis_text(items: list[dict], lang: str) -> str:
    """The same citation text as every result gives (onderdelen, aanhef, sub-points, policy norms)."""
    return "; ".join(basis_text(LegalBasis.model_validate(lb), lang) for lb in items)


def _subject(subject: str | None, lang: str) -> str:
    from .report.model import subject_label

    return subject_label(subject or "plan", lang)


def headline(cmp: dict, lang: str = "nl", verbose: bool = False) -> list[str]:
    """What changed for the plan, first: its outcome, each component whose verdict or compliance changed,
    each plan check whose status changed (with the rules that cause it), and how much else changed."""

    t = _words(lang)
    words = section(lang, "memo")
    da, db = cmp["from"]["date"], cmp["to"]["date"]

    def outcome(ok) -> str:  # a component's compliance may be None: cannot be decided
        return (words["status"]["compliant" if ok else "not_compliant"] if ok is not None
                else words["compliance"]["undetermined"]).lower()

    a, b = cmp["from"]["compliant"], cmp["to"]["compliant"]
    lines = [t["head"].format(case=cmp["case"], a=da, b=db),
             t["outcome_changed" if a != b else "outcome_same"].format(a=outcome(a), b=outcome(b))]
    other = 0
    for comp in cmp["components"]:
        for ch in comp["changes"]:
            if ch["field"] == "verdict":
                what = f'{words["verdict"].get(ch["from"], ch["from"])} → {words["verdict"].get(ch["to"], ch["to"])}'
            elif ch["field"] == "compliant":
                what = f"{outcome(ch['from'])} → {outcome(ch['to'])}"
            elif ch["field"] == "component":
                what = t["component_" + ch["to"]]
            else:
                other += 1
                continue
            lines.append(f"  {comp['id']} {comp['title']}: {what} ({_named(ch['because'], t, lang)})")
    for ch in cmp["plan"]:
        if ch["field"] != "status":
            other += 1
            continue
        lines.append(f"  {ch.get('title') or ch['check']} ({_subject(ch['subject'], lang)}): "
                     f"{_state(ch['from'], lang)} → {_state(ch['to'], lang)} ({_named(ch['because'], t, lang)})")
    reg = cmp["regime"]
    law = len(reg["rules_only_from"]) + len(reg["rules_only_to"]) + len(reg["params_changed"]) \
        + len(reg.get("derivations_changed", []))
    if other or law:
        lines.append(t["more_below" if verbose else "more"].format(n=other, law=law))
    if not cmp["summary"]["changed"]:
        lines.append(t["nochange"])
    return lines


HEADLINE_NAMED = 2  # the rules a headline line names by title; more are counted


def _named(causes: list[dict], t: dict, lang: str) -> str:
    """What a headline line says changed it: its rules by title (the ids are in --verbose and the JSON)."""
    from .i18n import text

    titles = list(dict.fromkeys(c.get("title") or c["rule"] for c in causes))
    if not titles:
        return f"{t['because']} {t['no_value']}"
    named = "; ".join(f"‘{x}’" for x in titles[:HEADLINE_NAMED])
    if len(titles) > HEADLINE_NAMED:
        more = len(titles) - HEADLINE_NAMED
        return text(lang, "compare.because_one_more" if more == 1 else "compare.because_more", rules=named, n=more)
    return f"{t['because']} {named}"


def render_text(cmp: dict, lang: str = "nl", verbose: bool = True) -> str:
    """The comparison for people: the headline (what changed for the plan), then, when `verbose`, every
    change in the law between the dates and every changed condition, party, remedy and plan check."""
    top = headline(cmp, lang, verbose)
    if not verbose:
        return "\n".join(top) + "\n"
    return "\n".join(top) + "\n\n" + _details(cmp, lang)


def _component_change(ch: dict, lang: str) -> str:
    t = _words(lang)
    field = ch["field"]
    if field == "condition":
        sign = {"absent": "-", "present": "+"}[ch["to"]] if ch["from"] != ch["to"] else "~"
        return f"{sign} {t['condition']} {ch.get('title') or ch['condition']}"
    if field == "remediation":
        return f"{t['field_remediation']}: {_fmt_remedies(ch['from'], lang)} → {_fmt_remedies(ch['to'], lang)}"
    if field == "component":
        return t["component_" + ch["to"]]
    return f"{t['field_' + field]}: {_field_value(field, ch['from'], lang)} → {_field_value(field, ch['to'], lang)}"


def _plan_change(ch: dict, lang: str) -> str:
    t = _words(lang)
    field = ch["field"]
    if field == "remediation":
        a, b = _fmt_remedies(ch["from"], lang), _fmt_remedies(ch["to"], lang)
    elif field == "conditions":
        titles = ch.get("titles") or {}
        a, b = ("; ".join(titles.get(c, c) for c in v) or t["no_value"] for v in (ch["from"], ch["to"]))
    else:
        a, b = _state(ch["from"], lang), _state(ch["to"], lang)
    return f"{ch.get('title') or ch['check']} ({_subject(ch['subject'], lang)}) {t['field_' + field]}: {a} → {b}"


def _details(cmp: dict, lang: str) -> str:
    from .terms import fact_label

    t = _words(lang)
    da, db = cmp["from"]["date"], cmp["to"]["date"]
    lines = [t["head"].format(case=cmp["case"], a=da, b=db)]
    if cmp["from"]["rulebook_sha256"] != cmp["to"]["rulebook_sha256"]:
        lines.append(t["rulebooks"].format(a=cmp["from"]["rulebook_sha256"][:12], b=cmp["to"]["rulebook_sha256"][:12]))
    reg = cmp["regime"]
    lines.append(t["regime"])
    n = len(lines)
    if reg["change_points"]:
        lines.append(t["points"].format(v=", ".join(reg["change_points"])))
    if reg["rules_only_from"]:
        lines.append(t["only_from"].format(d=da, v=", ".join(reg["rules_only_from"])))
    if reg["rules_only_to"]:
        lines.append(t["only_to"].format(d=db, v=", ".join(reg["rules_only_to"])))
    for p in reg["params_changed"]:
        lines.append(t["param"].format(id=p.get("title") or p["id"], a=_figure_text(p["from"], p["unit"], lang),
                                       b=_figure_text(p["to"], p["unit"], lang)))
    for d in reg.get("derivations_changed", []):
        lines.append(t["derivation"].format(facts=", ".join(fact_label(f, lang) for f in d["facts"]),
                                            a=d.get("title_from") or d["from"] or t["no_value"],
                                            b=d.get("title_to") or d["to"] or t["no_value"],
                                            basis=_basis_text(d["legal_basis"], lang)))
    if reg.get("files_changed"):
        lines.append(t["files"].format(v=", ".join(reg["files_changed"])))
    if len(lines) == n:
        lines.append(t["none"])
    if cmp["components"]:
        lines.append(t["components"])
        for comp in cmp["components"]:
            lines.append(f"  {comp['id']} {comp['title']}")
            for ch in comp["changes"]:
                lines.append(f"    {_component_change(ch, lang)}  [{t['because']} {_fmt_causes(ch['because'], cmp, lang)}]")
    if cmp["plan"]:
        lines.append(t["plan"])
        for ch in cmp["plan"]:
            lines.append(f"  {_plan_change(ch, lang)}  [{t['because']} {_fmt_causes(ch['because'], cmp, lang)}]")
    if not cmp["summary"]["changed"]:
        lines.append(t["nochange"])
    s = cmp["summary"]
    lines.append(t["summary"].format(n=s["components_changed"], p=s["plan_checks_changed"],
                                     a=_state(cmp["from"]["compliant"], lang), b=_state(cmp["to"]["compliant"], lang)))
    return "\n".join(lines) + "\n"
