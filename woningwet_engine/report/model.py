"""The memo's view model: everything a template shows, prepared once from the engine's result.

The builder reads the JSON form of a Result (so fields added later by other stages, such as
`splits`, `route` and per-component `remediation`, are picked up when present and skipped when
absent) plus three labels from the case (corporation name, Aw number, case date). It formats
numbers and dates for the language, groups components for the executive summary and collects the
assumptions; it writes no sentences of its own. The markdown and HTML templates render the same
view model; the labels they use come from the catalogue's `memo` section (woningwet_engine/i18n).
"""

from __future__ import annotations

import datetime as dt

from ..facts import SCHEMAS
from ..i18n import section
from ..terms import actor_label, fact_label, field_label, law_name, value_label
from ..wording import in_sentence
from .board import board_view
from ..format import (  # noqa: F401  (re-exported: the templates' callers and tests use them from here)
    PARAM_TYPE, cents_of, fmt_date, fmt_eur, fmt_eur_short, fmt_int, fmt_value,
)
from .fmt import DECISIVE_EFFECTS, GROUP_ORDER, LANGS, NOT_RESTING, PARTY_ORDER, VERDICT_ORDER  # noqa: F401


def fact_type(name: str) -> str:
    for schema in SCHEMAS.values():
        if name in schema:
            return schema[name].type
    return "code"


def param_label(pid: str, lang: str, titles: dict | None) -> str:
    """A parameter's title from its file (passed in by the caller as meta['param_titles'])."""
    return (titles or {}).get(pid) or pid


def label(table: dict, key: str | None) -> str:
    if key is None:
        return ""
    return table.get(key, key)


# ---------------------------------------------------------------------------------------------
# pieces


def cite(c: dict | None) -> dict | None:
    if not c:
        return None
    return {"text": c.get("text", ""), "url": c.get("url", ""), "juriconnect": c.get("juriconnect", "")}


def inputs_view(inputs: dict | None, lang: str, titles: dict | None = None) -> tuple[list[dict], list[dict]]:
    t = section(lang, "memo")
    inputs = inputs or {}
    facts = [{"name": fact_label(name, lang), "code": name, "value": fmt_value(v, fact_type(name), lang)}
             for name, v in (inputs.get("facts") or {}).items()]
    params = []
    for p in inputs.get("params") or []:
        conf = p.get("confidence", "verified")
        params.append({"name": param_label(p["id"], lang, titles), "code": p["id"],
                       "value": fmt_value(p.get("value"), PARAM_TYPE.get(p.get("unit"), "code"), lang),
                       "confidence": conf, "confidence_label": label(t["confidence"], conf),
                       "unverified": conf != "verified" or p.get("value") is None,
                       "source": p.get("source", ""), "url": p.get("url")})
    return facts, params


def reason_view(r: dict, lang: str, titles: dict | None = None) -> dict:
    t = section(lang, "memo")
    facts, params = inputs_view(r.get("inputs"), lang, titles)
    conf = r.get("confidence", "verified")
    return {
        "rule": r["rule"], "effect": r["effect"], "effect_label": label(t["effect"], r["effect"]),
        "decisive": r["effect"] in DECISIVE_EFFECTS, "text": r["text"],
        "citation": cite(r.get("citation")), "also": [cite(c) for c in r.get("also_cites") or []],
        "confidence": conf, "confidence_label": label(t["confidence"], conf), "unverified": conf != "verified",
        "facts": facts, "params": params,
    }


def condition_view(c: dict, lang: str) -> dict:
    t = section(lang, "memo")
    weeks = c.get("period_weeks")
    return {
        "id": c["id"], "title": c["title"], "kind": c.get("kind"), "kind_label": label(t["condition_kind"], c.get("kind")),
        "actor": actor_label(c.get("actor", ""), lang), "period": f"{weeks} {t['weeks']}" if weeks is not None else "",
        "citations": [cite(x) for x in c.get("legal_basis") or []], "triggered_by": list(c.get("triggered_by") or []),
    }


def _ratio_text(value, lang: str) -> str:
    try:
        return fmt_value(str(value), "ratio", lang)
    except Exception:  # noqa: BLE001 - a share the result gives in another form is shown as given
        return str(value)


def _plain(value, lang: str) -> str:
    """A value of unknown type from the result (a change's old/new value)."""
    t = section(lang, "memo")
    if value is None:
        return t["assumptions"]["unknown"]
    if isinstance(value, bool):
        return t["word_yes"] if value else t["word_no"]
    if isinstance(value, int):
        return fmt_int(value, lang)
    if isinstance(value, list):
        return ", ".join(value_label(v, lang) for v in value)
    return value_label(value, lang)


def remediation_view(x: dict, lang: str) -> dict:
    """One remediation: the smallest change that clears a rule's negative outcome."""
    t = section(lang, "memo")
    if not isinstance(x, dict):
        return {"text": str(x), "rule": "", "kind_label": "", "changes": [], "citation": None, "verified": False,
                "verified_label": "", "party_label": "", "condition": ""}
    changes = [{"component": ch.get("component") or "", "field": field_label(ch.get("field", ""), lang),
                "old": _plain(ch.get("old"), lang), "new": _plain(ch.get("new"), lang)}
               for ch in x.get("changes") or [] if isinstance(ch, dict)]
    verified = bool(x.get("verified"))
    text = x.get("text", "")
    return {"text": text, "rule": "" if x.get("rule", "") in text else x.get("rule", ""), "kind": x.get("kind"),
            "kind_label": label(t["remediation_kind"], x.get("kind")), "changes": changes,
            "citation": cite(x.get("citation")), "verified": verified,
            "verified_label": t["remediation"]["verified" if verified else "not_verified"],
            "party_label": label(t["party"], x.get("party")) if x.get("party") else "",
            "condition": x.get("condition") or ""}


def limit_value(limit_id: str, value, lang: str) -> str:
    """A limit's before/after/limit figure. The result gives bare decimal strings; the limit id says
    what they measure (…_share: a fraction; …_cost / …_turnover: euros)."""
    if value in (None, ""):
        return ""
    try:
        if "share" in limit_id:
            return fmt_value(str(value), "ratio", lang)
        if "cost" in limit_id or "turnover" in limit_id:
            # a bounded limit ("30000000.00.." = at least EUR 30 million) as people read it
            return fmt_value(str(value), "eur", lang) if ".." in str(value) else fmt_eur(cents_of(value), lang)
    except Exception:  # noqa: BLE001 - a figure in another form is shown as given
        pass
    return str(value)


def splits_view(splits, lang: str) -> dict | None:
    """Parts per party, per-project totals and market-party selections, when the result has them."""
    if not isinstance(splits, dict):
        return None
    t = section(lang, "memo")
    parts = []
    for p in splits.get("parts") or []:
        cost = cents_of(p.get("cost"))
        shared = cents_of(p.get("shared_cost"))
        parts.append({"component": p.get("component", ""), "party": p.get("party"),
                      "party_label": label(t["party"], p.get("party")), "share": _ratio_text(p.get("share", "1"), lang),
                      "units_text": fmt_int(p.get("units"), lang), "floor_text": fmt_int(p.get("floor_area_m2"), lang),
                      "cost_text": fmt_eur(cost, lang), "shared_text": fmt_eur(shared, lang),
                      "how": "" if p.get("how") == p.get("reason") else (p.get("how") or ""),
                      "reason": p.get("reason", ""),
                      "rule": "" if (p.get("rule") or "") in p.get("reason", "") else p.get("rule"),
                      "citations": [cite(p.get("citation"))] + [cite(c) for c in p.get("also_cites") or []]})
    projects = []
    for pr in splits.get("projects") or []:
        projects.append({
            "project": pr.get("project", ""), "floor_text": fmt_int(pr.get("floor_area_m2"), lang),
            "shared_costs": [{"kind": sc.get("kind", ""), "title": sc.get("title", ""),
                              "amount_text": fmt_eur(cents_of(sc.get("amount")), lang)}
                             for sc in pr.get("shared_costs") or []],
            "parties": [{"party_label": label(t["party"], pt.get("party")),
                         "components": ", ".join(pt.get("components") or []),
                         "units_text": fmt_int(pt.get("units"), lang), "floor_text": fmt_int(pt.get("floor_area_m2"), lang),
                         "cost_text": fmt_eur(cents_of(pt.get("cost")), lang),
                         "shared_text": fmt_eur(cents_of(pt.get("shared_cost")), lang)}
                        for pt in pr.get("parties") or []]})
    selections = []
    for sel in splits.get("selections") or []:
        feasible = sel.get("feasible")
        selections.append({
            "scope": sel.get("scope", ""), "scope_label": subject_label(sel.get("scope", ""), lang)
            if sel.get("scope") != "verlicht" else t["splits"]["scope_verlicht"], "text": sel.get("text", ""),
            "method_label": label(t["splits"]["method"], sel.get("method")),
            "keep_by_label": label(t["splits"]["keep_by"], sel.get("keep_by")),
            "feasible_text": "" if feasible is None else (t["word_yes"] if feasible else t["word_no"]),
            "kept": ", ".join(sel.get("kept") or []), "handed_over": ", ".join(sel.get("handed_over") or []),
            "limits": [{"id": lim.get("id", ""), "text": lim.get("text", ""), "status": lim.get("status"),
                        "status_label": label(t["splits"]["limit_status"], lim.get("status")),
                        "before": limit_value(lim.get("id", ""), lim.get("before"), lang),
                        "after": limit_value(lim.get("id", ""), lim.get("after"), lang),
                        "limit": limit_value(lim.get("id", ""), lim.get("limit"), lang),
                        "citation": cite(lim.get("citation"))}
                       for lim in sel.get("limits") or []]})
    if not (parts or projects or selections):
        return None
    return {"parts": parts, "projects": projects, "selections": selections}


def route_view(route, lang: str) -> dict | None:
    """The approval route: ordered steps with their earliest dates."""
    if not isinstance(route, list) or not route:
        return None
    t = section(lang, "memo")
    number = {s.get("id"): str(s.get("order", "")) for s in route if isinstance(s, dict)}
    steps = []
    for i, s in enumerate(route, 1):
        if not isinstance(s, dict):
            continue
        weeks = s.get("period_weeks")
        known = s.get("end_known", True)
        start, end = _iso(s.get("earliest_start")), _iso(s.get("earliest_end"))
        if not known:
            end = None
        due, latest = _iso(s.get("due")), _iso(s.get("latest_end"))
        period = f"{weeks} {t['weeks']}" if weeks is not None else ""
        if period and latest:
            period += f" ({t['route']['extension']} {fmt_date(latest, lang)})"
        steps.append({
            "n": s.get("order", i), "id": s.get("id", ""), "title": s.get("title", ""),
            "kind": s.get("kind"), "kind_label": label(t["condition_kind"], s.get("kind")),
            "actor": actor_label(s.get("actor", ""), lang),
            "start": start, "end": end, "start_text": fmt_date(start, lang),
            "end_text": fmt_date(end, lang) if end else t["route"]["date_unknown"],
            "due": due, "due_text": f"{t['route']['before']} {fmt_date(due, lang)}" if due else "",
            "overdue": bool(s.get("overdue")), "latest_end": latest,
            "period": period, "depends_on": ", ".join(number.get(d, d) for d in s.get("depends_on") or []),
            "evidence": list(s.get("evidence") or []),
            "components": ", ".join(s.get("components") or []),
            "citations": [cite(c) for c in s.get("legal_basis") or []], "_deps": list(s.get("depends_on") or []),
        })
    if not steps:
        return None
    for s in steps:  # the steps that wait for this one
        s["before"] = [str(x["n"]) for x in steps if s["id"] in (x.get("_deps") or [])]
    for s in steps:
        s.pop("_deps", None)
    ends = [s["end"] for s in steps if s["end"]]
    last = max(ends) if ends else None
    unknown = sum(1 for s in steps if not s["end"])
    return {"steps": steps, "end": last, "end_text": fmt_date(last, lang), "unknown": unknown,
            "by_id": {s["id"]: s for s in steps}}


def _iso(v) -> str | None:
    if v is None:
        return None
    try:
        return dt.date.fromisoformat(str(v)[:10]).isoformat()
    except ValueError:
        return None


def regime_view(result: dict, lang: str) -> dict:
    reg = result["regime"]
    law = result["date"]
    points = sorted(reg.get("change_points") or [])
    since = max((p for p in points if p <= law), default=None)
    nxt = min((p for p in points if p > law), default=None)
    return {"rulebook": reg["rulebook"], "selection": reg["selection"], "rules_in_force": len(reg["rules_in_force"]),
            "since": fmt_date(since, lang), "next": fmt_date(nxt, lang), "laws": laws_view(result, lang)}


LAW_ORDER = ("BWBR0005181", "BWBR0036530", "BWBR0036702", "BWBR0036709")


def laws_view(result: dict, lang: str) -> list[dict]:
    """The laws the result cites, by full name, each linked to its text as in force on the law date."""
    found: dict[str, str] = {}

    def add(c):
        if isinstance(c, dict) and c.get("bwb"):
            found.setdefault(c["bwb"], c.get("name", ""))

    for comp in result.get("components") or []:
        for r in comp.get("reasons") or []:
            add(r.get("citation"))
            for a in r.get("also_cites") or []:
                add(a)
        for x in comp.get("conditions") or []:
            for c in x.get("legal_basis") or []:
                add(c)
    for ch in (result.get("plan") or {}).get("checks") or []:
        add(ch.get("citation"))
    for s in result.get("route") or []:
        for c in s.get("legal_basis") or []:
            add(c)
    day = result["date"]
    return [{"bwb": b, "name": law_name(b, lang, found[b]), "url": f"https://wetten.overheid.nl/{b}/{day}"}
            for b in sorted(found, key=lambda b: _sort_key(LAW_ORDER, b))]


# ---------------------------------------------------------------------------------------------
# the memo


def compliance_of(c: dict) -> str:
    """ok | conditions | decision | non_compliant | forbidden | undetermined: what the reader must see."""
    if c["verdict"] == "undetermined":
        return "undetermined"
    if c["verdict"] == "forbidden":
        return "forbidden"
    if c["compliant"] is None:  # a violation test is open: a fact missing or a figure only bounded
        return "undetermined"
    if not c["compliant"]:
        return "non_compliant"
    if c["verdict"] == "needs_decision":
        return "decision"
    return "conditions" if c.get("conditions") else "ok"


def group_of(c: dict) -> str:
    if c["verdict"] == "undetermined" or c["compliant"] is None:
        return "undetermined"
    if c["verdict"] == "forbidden" or not c["compliant"]:
        return "forbidden"
    if c.get("conditions") or c["verdict"] == "needs_decision":
        return "conditions"
    return "as_is"


CHECK_STATES = ("violation", "action", "unknown", "pass")


def check_state(ch: dict) -> str:
    """pass | violation | action | unknown. A failing check is a violation only when the rule says so;
    otherwise its negative branch is an obligation still to be met (an action with its deadline)."""
    if ch["status"] != "fail":
        return ch["status"]
    return "violation" if ch.get("violation", True) else "action"


def subject_label(subject: str, lang: str) -> str:
    t = section(lang, "memo")
    if subject == "plan":
        return t["subject"]["plan"]
    if subject.startswith("project:"):
        return f'{t["subject"]["project"]} {subject[8:]}'
    return subject


def why_not(c: dict) -> list[dict]:
    """The reasons a component cannot go ahead: what forbids it, the violations, or the open questions."""
    if c["verdict"] == "undetermined" or c["compliant"] is None:
        effects = ("undetermined",)
    elif c["verdict"] == "forbidden":
        effects = ("verdict", "violation")
    else:
        effects = ("violation",)
    return [r for r in c["reasons"] if r["effect"] in effects] or c["decisive"][:1]


def _sort_key(order: tuple, key: str):
    return (order.index(key), "") if key in order else (len(order), key)


def build_memo(result: dict, meta: dict, lang: str) -> dict:
    """The view model of one memo. `result` is Result.model_dump(mode='json') in `lang`;
    `meta` holds case labels: corporation, aw_l_number, case_date, source."""
    if result.get("lang") != lang:
        raise ValueError(f"result is in {result.get('lang')!r}, memo requested in {lang!r}")
    t = section(lang, "memo")
    comps_raw = result["components"]

    components = []
    titles = meta.get("param_titles") or {}
    for c in comps_raw:
        reasons = [reason_view(r, lang, titles) for r in c.get("reasons") or []]
        decisive = [r for r in reasons if r["decisive"]] or reasons[:1]
        cost = cents_of(c.get("cost"))
        components.append({
            "id": c["id"], "title": c["title"], "project": c.get("project") or "",
            "units": c.get("units"), "units_text": fmt_int(c.get("units"), lang),
            "cost": cost, "cost_text": fmt_eur(cost, lang),
            "verdict": c["verdict"], "verdict_label": label(t["verdict"], c["verdict"]),
            "compliant": c["compliant"], "compliant_text": {True: t["word_yes"], False: t["word_no"]}.get(c["compliant"], t["compliance"]["undetermined"]),
            "compliance": compliance_of(c), "compliance_label": t["compliance"][compliance_of(c)],
            "party": c.get("party", "corporation"), "party_label": label(t["party"], c.get("party", "corporation")),
            "group": group_of(c), "reasons": reasons, "decisive": decisive,
            "conditions": [condition_view(x, lang) for x in c.get("conditions") or []],
            "remediation": [remediation_view(x, lang) for x in c.get("remediation") or []],
            "assumptions": list(c.get("assumptions") or []),
            "unverified": any(r["unverified"] for r in reasons if r["effect"] not in NOT_RESTING)
            or any(p["unverified"] for r in reasons if r["effect"] not in NOT_RESTING for p in r["params"]),
        })

    # executive summary -------------------------------------------------------------------
    counts = []
    for v in sorted({c["verdict"] for c in components}, key=lambda v: _sort_key(VERDICT_ORDER, v)):
        members = [c for c in components if c["verdict"] == v]
        counts.append(_totals({"verdict": v, "label": label(t["verdict"], v), "count": len(members),
                               "components": [c["id"] for c in members]}, members, lang))
    groups = []
    for g in GROUP_ORDER:
        members = [c for c in components if c["group"] == g]
        items = []
        for c in members:
            approvals = sorted({x["actor"] for x in c["conditions"] if x["kind"] == "approval" and x["actor"]})
            items.append({"id": c["id"], "title": c["title"], "verdict": c["verdict"], "verdict_label": c["verdict_label"],
                          "compliant": c["compliant"], "compliance": c["compliance"],
                          "compliance_label": c["compliance_label"],
                          "party": c["party"], "party_label": c["party_label"], "units_text": c["units_text"],
                          "cost_text": c["cost_text"], "n_conditions": len(c["conditions"]),
                          "approvals": approvals,
                          "why": why_not(c) if g in ("forbidden", "undetermined") else [],
                          "remedies": c["remediation"] if g in ("forbidden", "undetermined") else []})
        groups.append({"key": g, "label": t["summary"]["groups"][g], "entries": items, "count": len(items)})
    parties = []
    for p in sorted({c["party"] for c in components}, key=lambda p: _sort_key(PARTY_ORDER, p)):
        members = [c for c in components if c["party"] == p]
        by_verdict = {}
        for v in VERDICT_ORDER + tuple(sorted({c["verdict"] for c in members} - set(VERDICT_ORDER))):
            mv = [c for c in members if c["verdict"] == v]
            if mv:
                by_verdict[v] = {"units": sum(c["units"] or 0 for c in mv), "cost": sum(c["cost"] or 0 for c in mv)}
        parties.append(_totals({"party": p, "label": label(t["party"], p), "count": len(members),
                                "components": [c["id"] for c in members], "by_verdict": by_verdict}, members, lang))
    totals = _totals({"count": len(components)}, components, lang)
    bad = [c for c in components if c["compliant"] is False]
    non_compliant = _totals({"count": len(bad), "components": [c["id"] for c in bad],
                             "label": t["compliance"]["non_compliant"]}, bad, lang)

    # decisions needed, by authority ---------------------------------------------------------
    actors: dict[str, dict[str, dict]] = {}
    for c in components:
        for x in c["conditions"]:
            entry = actors.setdefault(x["actor"], {}).setdefault(x["id"], {**x, "components": []})
            entry["components"].append(c["id"])
    actor_list = [{"actor": a, "entries": [{**i, "components_text": ", ".join(i["components"])}
                                         for i in sorted(items.values(), key=lambda i: i["id"])]}
                  for a, items in sorted(actors.items())]

    # plan checks -----------------------------------------------------------------------------
    plan = result.get("plan") or {}
    checks = []
    route = route_view(result.get("route"), lang)
    for ch in plan.get("checks") or []:
        facts, params = inputs_view(ch.get("inputs"), lang, titles)
        conf = ch.get("confidence", "verified")
        status = check_state(ch)
        actions = []
        for cid in ch.get("conditions") or [] if status == "action" else []:
            step = (route or {}).get("by_id", {}).get(cid)
            if step:
                actions.append({"title": step["title"], "actor": step["actor"], "due_text": step["due_text"],
                                "overdue": step["overdue"]})
        checks.append({"id": ch["id"], "rule": ch["rule"], "name": ch.get("title") or ch["rule"], "subject": ch["subject"],
                       "subject_label": subject_label(ch["subject"], lang), "status": status,
                       "status_label": label(t["check_status"], status), "text": ch["text"], "actions": actions,
                       "citation": cite(ch.get("citation")), "confidence": conf,
                       "confidence_label": label(t["confidence"], conf), "unverified": conf != "verified",
                       "facts": facts, "params": params, "conditions": list(ch.get("conditions") or []),
                       "remediation": [remediation_view(x, lang) for x in ch.get("remediation") or []]})
    check_counts = [{"status": s, "label": label(t["check_status"], s), "count": sum(1 for c in checks if c["status"] == s)}
                    for s in CHECK_STATES if any(c["status"] == s for c in checks)]

    # splits, when the result carries them ------------------------------------------------------
    splits = splits_view(result.get("splits"), lang)

    # assumptions and uncertain sources ----------------------------------------------------------
    weak_rules: dict[str, dict] = {}
    weak_params: dict[tuple, dict] = {}
    sources = meta.get("param_sources") or {}

    for c in components:
        for r in c["reasons"]:
            if r["effect"] in NOT_RESTING:
                continue
            _collect(r, c["id"], weak_rules, weak_params)
    for ch in checks:
        _collect(ch, f'{ch["rule"]} ({ch["subject_label"]})', weak_rules, weak_params)

    # the result states each weak rule ("<rule>: ...") and figure ("<title>: ...", wording.param_title) per
    # component; the tables below list those once, so the summary keeps only the other assumptions
    covered = tuple(f"{r}: " for r in weak_rules) + tuple(f"{in_sentence(p['name'])}: " for p in weak_params.values())
    stated: dict[str, list[str]] = {}
    for where, items in [(c["id"], c["assumptions"]) for c in components] + [(t["subject"]["plan"], plan.get("assumptions") or [])]:
        for a in items:
            if not a.startswith(covered):
                stated.setdefault(a, []).append(where)

    res_prov = result["provenance"]
    source = meta.get("source") or f"{result['case']}.yaml"
    provenance = {
        "engine_version": res_prov["engine_version"], "rulebook_sha256": res_prov["rulebook_sha256"],
        "case_sha256": res_prov["case_sha256"], "date": res_prov["date"], "date_text": fmt_date(res_prov["date"], lang),
        "selection": result["regime"]["selection"],
        "replay_result": f"woningwet check {source} --at {result['date']} --lang {lang} --format json",
        "replay_memo": f"woningwet report {source} --at {result['date']} --lang {lang} --format md",
    }

    memo = {
        "lang": lang,
        "meta": {
            "title": result["title"], "case_id": result["case"], "source": source,
            "corporation": meta.get("corporation") or "", "aw_l_number": meta.get("aw_l_number") or "",
            "case_date": meta.get("case_date") or result["date"],
            "case_date_text": fmt_date(meta.get("case_date") or result["date"], lang),
            "law_date": result["date"], "law_date_text": fmt_date(result["date"], lang),
            "regime": regime_view(result, lang),
            "compliant": result["summary"]["compliant"],
            "status_label": t["status"]["compliant" if result["summary"]["compliant"] else "not_compliant"],
            "illustrative": bool(meta.get("illustrative")),
        },
        "summary": {"counts": counts, "groups": groups, "parties": parties, "totals": totals,
                    "check_counts": check_counts, "non_compliant": non_compliant,
                    "open_checks": [ch for ch in checks if ch["status"] != "pass"]},
        "table": components,
        "components": components,
        "actors": actor_list,
        "plan": {"checks": checks},
        "splits": splits,
        "route": route,
        "assumptions": {"stated": [{"text": a, "where": ", ".join(w)} for a, w in stated.items()],
                        "rules": sorted(weak_rules.values(), key=lambda r: r["rule"]),
                        "params": sorted(({**p, "source": sources.get(p["source"], p["source"])}
                                          for p in weak_params.values()), key=lambda p: p["name"])},
        "provenance": provenance,
    }
    memo["board"] = board_view(memo, meta, lang)
    return memo


def _collect(r: dict, where: str, weak_rules: dict, weak_params: dict) -> None:
    if r["unverified"]:
        entry = weak_rules.setdefault(r["rule"], {"rule": r["rule"], "confidence": r["confidence"],
                                                  "confidence_label": r["confidence_label"],
                                                  "citation": r["citation"], "used_by": []})
        if where not in entry["used_by"]:
            entry["used_by"].append(where)
    for p in r["params"]:
        if not p["unverified"]:
            continue
        key = (p["name"], p["value"], p["source"])
        entry = weak_params.setdefault(key, {**p, "used_by": []})
        if where not in entry["used_by"]:
            entry["used_by"].append(where)
    for entry in list(weak_rules.values()) + list(weak_params.values()):
        entry["used_by_text"] = ", ".join(entry["used_by"])


def _totals(d: dict, members: list[dict], lang: str) -> dict:
    units = sum(c["units"] or 0 for c in members)
    cost = sum(c["cost"] or 0 for c in members)
    return {**d, "units": units, "units_text": fmt_int(units, lang), "cost": cost, "cost_text": fmt_eur(cost, lang)}
