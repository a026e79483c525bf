"""The coalition memo: a view model built from a CoalitionResult, rendered by the report package's
jinja2 environment (templates coalition.md.j2 / coalition.html.j2, labels in the catalogue's `coalition_memo` section).

Per party: what it may carry, what it must hand over and to whom, what it takes over or carries
itself, the agreements it is party to and its plan checks; the hand-overs with their legal reason;
the prestatieafspraken per municipality; a timeline of phases with the law changes that hit them;
then per corporation and phase the verdict table of its ordinary result.
"""

from __future__ import annotations

from ..i18n import section
from ..report.model import cite, fmt_date, fmt_int, label
from ..report.render import _tidy, environment
from .board import coalition_board
from .model import CoalitionCase
from .result import CoalitionResult

DECISIVE = ("verdict", "violation", "undetermined")


def _phase_title(res: CoalitionResult, pid: str | None) -> str:
    for ph in res.phases:
        if ph.id == pid:
            return ph.title
    return pid or ""


def build_coalition_memo(res: CoalitionResult, case: CoalitionCase, source: str, book=None) -> dict:
    """The coalition memo's view model; with `book`, plan checks are named by their rule's title
    (else by the rule id), never by their internal check id."""
    lang = res.lang
    t, base = section(lang, "coalition_memo"), section(lang, "memo")
    names = {c.id: c.name for c in case.corporations} | {p.id: p.name for p in case.partners}
    titles = {cr.rule.id: getattr(cr.rule.title, lang) for cr in book.rules} if book is not None else {}
    check_rule = {ch.id: ch.rule for p in res.parts for ch in p.result.plan.checks}

    def check_name(check_id: str) -> str:
        rule = check_rule.get(check_id, check_id)
        return titles.get(rule) or rule

    def part_name(part: str) -> str:
        """A part a rule change affects: a component part as it is; a plan check ("corp:check") by the
        corporation's name (the line names the rule and its title already)."""
        corp, sep, check = part.partition(":")
        return names.get(corp, corp) if sep else part
    corps = [{"name": c.name, "aw": c.aw_l_number or "", "daeb": fmt_int(c.daeb_rental_homes, lang),
              "area": fmt_int(c.homes_in_area, lang), "regime": c.separation_regime or ""}
             for c in case.corporations]
    partners = [{"name": p.name, "kind": label(t["party_kind"], p.kind),
                 "extra": p.municipality or (names.get(p.represents, "") if p.represents else "")}
                for p in case.partners]

    def items(xs, with_verdict=True, kind_table=None):
        out = []
        for x in xs:
            v = ""
            if with_verdict and x.verdict:
                v = label(kind_table or base["verdict"], x.verdict)
            out.append({"part": x.part, "phase": _phase_title(res, x.phase), "label": v, "text": x.text})
        return out

    parties = []
    for v in res.parties:
        hands = [{"part": x.part, "phase": _phase_title(res, x.phase),
                  "to": x.text or label(base["party"], x.verdict)} for x in v.hands_over]
        takes = [{"part": x.part, "phase": _phase_title(res, x.phase), "from": x.text}
                 for x in v.takes_over]
        checks = [{"id": x.part, "name": check_name(x.part), "phase": _phase_title(res, x.phase), "status": x.verdict,
                   "status_label": label(t["plan_status"], x.verdict), "text": x.text} for x in v.plan_checks]
        parties.append({
            "name": v.name, "kind": label(t["party_kind"], v.kind), "is_corporation": v.kind == "corporation",
            "may_carry": items(v.may_carry), "undetermined": items(v.undetermined), "hands_over": hands,
            "takes_over": takes, "carries": items(v.carries, False), "agreements": ", ".join(v.agreements),
            "plan_checks": checks,
            "compliant": "" if v.compliant is None else
            (t["status"]["compliant"] if v.compliant else t["status"]["not_compliant"])})

    handovers = [{"part": h.part, "from": names[h.corporation], "phase": _phase_title(res, h.phase),
                  "to": h.to_name or label(base["party"], h.kind), "named": h.to is not None, "text": h.text,
                  "citations": [cite(h.citation.model_dump())] + [cite(c.model_dump()) for c in h.also_cites]}
                 for h in res.handovers]
    agreements = [{"municipality": ", ".join(names[m] for m in a.municipality_partners) or a.municipality,
                   "code": a.municipality, "corporation": names[a.corporation],
                   "status": a.status, "status_label": label(t["agreement_status"], a.status),
                   "agreements": ", ".join(a.agreements), "needs": ", ".join(a.needs),
                   "uncovered": ", ".join(a.uncovered), "text": a.text,
                   "citations": [cite(a.citation.model_dump())] + [cite(c.model_dump()) for c in a.also_cites]}
                  for a in res.agreements]
    timeline = []
    for i, ph in enumerate(res.phases):
        law = ph.law_since_first or {}
        figure = {p["id"]: p.get("title") or p["id"] for p in law.get("params_changed", [])}
        causes = []
        for c in ph.causes:
            state = t["timeline"]["not_in_force"] if c.in_force_first and not c.in_force_here else (
                t["timeline"]["new"] if c.in_force_here and not c.in_force_first else t["timeline"]["in_force"])
            causes.append({"rule": c.rule, "title": c.title, "valid": c.valid or "", "state": state,
                           "params": "; ".join(figure.get(x, x) for x in c.params_changed), "parts": ", ".join(part_name(x) for x in c.parts)})
        timeline.append({
            "id": ph.id, "title": ph.title, "start": fmt_date(ph.start, lang), "end": fmt_date(ph.end, lang),
            "first": i == 0, "components": ", ".join(ph.components),
            "corporations": ", ".join(names[c] for c in ph.corporations),
            "change_points": ", ".join(fmt_date(d, lang) for d in law.get("change_points", [])),
            # how many rules the law dropped and added since the first phase (their ids are in the
            # JSON; the ones that touch this phase are named by title under "causes")
            "rules_gone": fmt_int(len(law["rules_only_from"]), lang) if law.get("rules_only_from") else "",
            "rules_new": fmt_int(len(law["rules_only_to"]), lang) if law.get("rules_only_to") else "",
            "params": [{"id": p.get("title") or p["id"], "from": _figure(p["from"], p["unit"], lang),
                        "to": _figure(p["to"], p["unit"], lang)} for p in law.get("params_changed", [])],
            "causes": causes})
    parts = []
    for p in res.parts:
        r = p.result
        rows = []
        for c in r.components:
            decisive = [x for x in c.reasons if x.effect in DECISIVE] or c.reasons[:1]
            rows.append({"id": c.id, "title": c.title, "verdict": c.verdict,
                         "verdict_label": label(base["verdict"], c.verdict),
                         "compliant": {True: t["word_yes"], False: t["word_no"]}.get(
                             c.compliant, base["compliance"]["undetermined"]),
                         "party": label(base["party"], c.party),
                         "rules": [{"rule": x.rule, "citation": cite(x.citation.model_dump())}
                                   for x in decisive[:2]]})
        checks = [{"id": ch.id, "name": titles.get(ch.rule) or ch.rule, "rule": ch.rule, "status": ch.status,
                   "status_label": label(t["plan_status"], ch.status), "text": ch.text,
                   "citation": cite(ch.citation.model_dump()), "unverified": ch.confidence != "verified"}
                  for ch in r.plan.checks]
        shares = [{"component": s.component, "part": s.part, "fraction": _fraction(s.fraction, lang)}
                  for s in p.shares if s.fraction != "1"]
        parts.append({"corporation": names[p.corporation], "phase": _phase_title(res, p.phase),
                      "date": fmt_date(p.date, lang), "case": r.case,
                      "status": t["status"]["compliant"] if r.summary.compliant else t["status"]["not_compliant"],
                      "rows": rows, "checks": checks, "shares": shares, "selection": r.regime.selection})
    prov = res.provenance
    return {
        "board": coalition_board(res, names, _phase_title, check_name),
        "lang": lang, "title": res.title, "case": res.case, "source": source, "illustrative": case.illustrative,
        "date": fmt_date(res.date, lang), "at": fmt_date(prov.at, lang) if prov.at else "",
        "compliant": res.summary.compliant,
        "status": t["status"]["compliant"] if res.summary.compliant else t["status"]["not_compliant"],
        "corporations": corps, "partners": partners, "parties": parties, "handovers": handovers,
        "agreements": agreements, "timeline": timeline, "parts": parts,
        "provenance": {"engine": prov.engine_version, "rulebook": prov.rulebook_sha256, "case": prov.case_sha256,
                       "command": f"woningwet check {source} --lang {lang} --format json"
                       + (f" --at {prov.at}" if prov.at else "")},
    }


def _fraction(value: str, lang: str) -> str:
    pct = f"{float(value) * 100:.2f}".rstrip("0").rstrip(".")
    return (pct.replace(".", ",") if lang == "nl" else pct) + "%"


def _figure(v, unit: str, lang: str) -> str:
    """A parameter value of the comparison (JSON form) as people read it: € 628,76, 15%, ten minste € 125,00."""
    from ..format import PARAM_TYPE
    from ..format import fmt_value

    return "—" if v is None else fmt_value(v, PARAM_TYPE.get(unit, "code"), lang)


def render_coalition(memo: dict, fmt: str) -> str:
    t = section(memo["lang"], "coalition_memo")
    if fmt == "md":
        return _tidy(environment(False).get_template("coalition.md.j2").render(m=memo, t=t))
    if fmt == "html":
        text = environment(True).get_template("coalition.html.j2").render(m=memo, t=t)
        return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def coalition_report(case: CoalitionCase, book, lang: str, fmt: str, source: str, at=None) -> str | bytes:
    """Judge a coalition case and render its memo (md, html, pdf through the HTML, or json)."""
    from ..result import canonical_json
    from .judge import judge_coalition

    res = judge_coalition(case, book, lang=lang, source=source, at=at)
    memo = build_coalition_memo(res, case, source, book)
    if fmt == "json":
        return canonical_json({"memo": memo, "result": res.model_dump(mode="json")})
    if fmt == "pdf":
        from ..report.render import html_to_pdf

        return html_to_pdf(render_coalition(memo, "html"))
    return render_coalition(memo, fmt)
