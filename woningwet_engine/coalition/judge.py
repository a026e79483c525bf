"""Judging a coalition case: every corporation on its own facts, through the ordinary engine.

The path: coalition case -> one sub-case per corporation and judging date (subcases.py) ->
engine.judge on each, unchanged -> the coalition views read from those results: hand-overs to the
named partner that fits the engine's party kind, prestatieafspraken per municipality and
corporation (Ww 44 lid 2), and per phase the law that changed since the first phase with the rules
that changed an outcome (compare.py, judging the same sub-case under the first phase's law).
"""

from __future__ import annotations

import datetime as dt

from .. import __version__
from ..compare import compare_results, is_change, law_changes
from ..engine import judge
from ..errors import InputError, Problem
from ..explain import citation
from ..i18n import section
from ..result import Result, sha256_of
from ..rulebook.loader import Rulebook
from ..rulebook.model import LegalBasis
from ..yamlio import LoadedYaml
from .model import CoalitionCase, check_refs
from .result import (
    AgreementCheck, AgreementGap, Cause, CoalitionProvenance, CoalitionResult, CoalitionSummary, HandOver,
    PartnerWork, PartResult, PartyItem, PartyView, PhaseOut, ShareOut,
)
from .subcases import SubCase, agreement_gaps, agreement_runs, build_subcases, municipality_partners, tenants_of

KEEP = {"corporation", "corporation_non_daeb"}
WW44_2 = LegalBasis(bwb="BWBR0005181", name="Woningwet", article="44", lid="2")
WW45_2F1 = LegalBasis(bwb="BWBR0005181", name="Woningwet", article="45", lid="2", onderdeel="f", sub="1°")
NEEDS_AGREEMENT_RULES = {"LFB-01"}  # Ww 45 lid 2 f 1°: leefbaarheid only as part of the agreements (2015-2021)

# which partner kinds fit the engine's party kinds, in order of preference
FITS = {"municipality": ("municipality",), "market": ("market",), "care_or_welfare": ("welfare", "care")}
CARE_FIRST = ("care", "welfare")


def judge_coalition(case: CoalitionCase, book: Rulebook, lang: str = "nl", source: str = "<case>",
                    at: dt.date | None = None, loaded: LoadedYaml | None = None) -> CoalitionResult:
    """Judge every corporation of `case` on its own facts, each component under the law of its date
    (or all of them under the law of `at`)."""
    coverage = (book.meta.coverage_from, book.meta.coverage_to)
    problems = check_refs(case, loaded, coverage)
    if at is not None and not book.covers(at):
        problems.append(Problem.of("--at", "", "coalition.outside_coverage", date=at, lo=coverage[0], hi=coverage[1]))
    if problems:
        raise InputError(problems)
    subs, by_partner = build_subcases(case, at)
    results = [judge(s.case, book, lang=lang, source=source) for s in subs]
    handovers = _handovers(case, subs, results, lang)
    partner_work = [_partner_work(case, c, at, lang) for c in by_partner]
    agreements = _agreements(case, subs, results, lang)
    phases = _phases(case, subs, results, by_partner, book, lang, at)
    parts = [PartResult(corporation=s.corporation, phase=s.phase, date=s.date.isoformat(),
                        shares=[ShareOut(component=sh.source, part=sh.component["id"], fraction=sh.fraction)
                                for sh in s.shares], result=r)
             for s, r in zip(subs, results)]
    parties = _party_views(case, subs, results, handovers, partner_work, agreements)
    summary = CoalitionSummary(
        corporations=len(case.corporations), partners=len(case.partners), phases=len(phases), parts=len(parts),
        handovers=len(handovers), agreements_missing=sum(a.status == "missing" for a in agreements),
        compliant=all(r.summary.compliant for r in results))
    return CoalitionResult(
        case=case.case_id, title=case.title, date=case.date.isoformat(), lang=lang, summary=summary,
        parties=parties, handovers=handovers, partner_work=partner_work, agreements=agreements, phases=phases,
        parts=parts, provenance=CoalitionProvenance(engine_version=__version__, rulebook_sha256=book.sha256,
                                                    case_sha256=sha256_of(case.canonical()),
                                                    at=at.isoformat() if at else None))


def _source_of(sub: SubCase) -> dict[str, str]:
    return {sh.component["id"]: sh.source for sh in sub.shares}


def _partner_candidates(case: CoalitionCase, kind: str, comp) -> list:
    prefs = FITS.get(kind, ())
    if kind == "care_or_welfare" and (
            (comp.service is not None and comp.service.kind in ("care", "medical"))
            or (comp.mv is not None and comp.mv.tenant_type == "care_provider")):
        prefs = CARE_FIRST
    out = []
    for k in prefs:
        for p in case.partners:
            if p.kind != k:
                continue
            if k == "municipality" and p.municipality != comp.location.municipality:
                continue
            out.append(p)
    return out


def _handovers(case: CoalitionCase, subs: list[SubCase], results: list[Result], lang: str) -> list[HandOver]:
    t, kinds = section(lang, "coalition"), section(lang, "coalition_kind")
    comps = {c.id: c for c in case.components}
    out = []
    for sub, res in zip(subs, results):
        corp = case.corporation(sub.corporation)
        source = _source_of(sub)
        for part in res.splits.parts:
            if part.party in KEEP:
                continue
            comp = comps[source[part.component]]
            cands = _partner_candidates(case, part.party, comp)
            kind_label = kinds.get(part.party, part.party)
            if cands:
                text = t["handover"].format(corp=corp.name, name=cands[0].name, kind=kinds[cands[0].kind],
                                            reason=part.reason)
            else:
                text = t["handover_none"].format(corp=corp.name, kind=kind_label, reason=part.reason)
            if part.rule in NEEDS_AGREEMENT_RULES:
                text += " " + t["or_agreement"]
            out.append(HandOver(
                component=comp.id, part=part.component, corporation=sub.corporation, phase=sub.phase,
                date=sub.date.isoformat(), kind=part.party, to=cands[0].id if cands else None,
                to_name=cands[0].name if cands else None, alternatives=[p.id for p in cands[1:]],
                share=part.share, cost=part.cost, text=text, reason=part.reason, rule=part.rule,
                citation=part.citation, also_cites=list(part.also_cites)))
    return out


def _partner_work(case: CoalitionCase, comp, at: dt.date | None, lang: str) -> PartnerWork:
    p = case.party(comp.carried_by)
    t, kinds = section(lang, "coalition"), section(lang, "coalition_kind")
    day = at or case.judging_date(comp)
    return PartnerWork(component=comp.id, title=comp.title, carried_by=p.id, name=p.name, kind=p.kind,
                       phase=None if at else comp.phase, date=day.isoformat(),
                       text=t["partner_work"].format(name=p.name, kind=kinds[p.kind]))


def _needs_agreement(comp_result) -> bool:
    return (any(r.rule in NEEDS_AGREEMENT_RULES for r in comp_result.reasons)
            or any(c.id == "prestatieafspraken" for c in comp_result.conditions))


def _agreements(case: CoalitionCase, subs: list[SubCase], results: list[Result], lang: str) -> list[AgreementCheck]:
    t, kinds = section(lang, "coalition"), section(lang, "coalition_kind")
    comps = {c.id: c for c in case.components}
    keys: set[tuple[str, str]] = set()
    for sub in subs:
        for sh in sub.shares:
            keys.add((sh.component["location"]["municipality"], sub.corporation))
    for a in case.performance_agreements:
        for pid in a.parties:
            if case.corporation(pid) is not None:
                keys.add((a.municipality, pid))
    corp_order = {c.id: i for i, c in enumerate(case.corporations)}
    out = []
    for muni, corp_id in sorted(keys, key=lambda k: (k[0], corp_order[k[1]])):
        corp = case.corporation(corp_id)
        mine = [(s, r) for s, r in zip(subs, results) if s.corporation == corp_id]
        needs, covered, days = [], set(), []
        binding: list[str] = []
        for s, r in mine:
            for pa in s.case.performance_agreements:
                if pa.municipality == muni:
                    covered.update(pa.covers)
                    if pa.id not in binding:
                        binding.append(pa.id)
            for cr in r.components:
                comp = next(c for c in s.case.components if c.id == cr.id)
                if comp.location.municipality == muni and _needs_agreement(cr):
                    needs.append(cr.id)
                    days.append(s.date)
        tenants = tenants_of(case, corp_id)
        gaps = []
        muni_name = ", ".join(case.party(p).name for p in municipality_partners(case, muni)) or muni
        for a in case.performance_agreements:
            if a.municipality != muni:
                continue
            touches = corp_id in a.parties or any(
                comps[c].carried_by == corp_id or (comps[c].split is not None) for c in a.covers)
            if not touches:
                continue
            missing = agreement_gaps(case, a, corp_id)
            if not missing and mine and not any(agreement_runs(a, s.date) for s, _ in mine):
                missing = ["year"]
            if missing:
                years = ", ".join(sorted({str(s.date.year) for s, _ in mine}))
                words = [t["missing_" + m].format(muni=muni_name, year=years,
                                                tenants=", ".join(case.party(x).name for x in tenants))
                         for m in missing]
                gaps.append(AgreementGap(agreement=a.id, missing=missing,
                                         text=t["gap"].format(id=a.id, corp=corp.name, missing="; ".join(words))))
        uncovered = [n for n in needs if n not in covered]
        partners = [case.party(p).name for p in municipality_partners(case, muni)] + \
            [case.party(x).name for x in tenants]
        if uncovered:
            status, text = "missing", t["missing_text"].format(corp=corp.name, uncovered=", ".join(uncovered),
                                                               muni=muni_name)
        elif binding:
            status = "ok"
            key = "ok" if needs else "ok_none"
            text = t[key].format(corp=corp.name, muni=muni_name, ids=", ".join(binding),
                                 partners=", ".join(partners) or t["nobody"], needs=", ".join(needs))
        else:
            status, text = "not_needed", t["not_needed"].format(corp=corp.name, muni=muni_name)
        if not tenants:
            text += t["no_tenants"].format(corp=corp.name)
        for g in gaps:
            text += " " + g.text
        day = min(days) if days else min((s.date for s, _ in mine), default=case.date)
        out.append(AgreementCheck(
            municipality=muni, municipality_partners=municipality_partners(case, muni), corporation=corp_id,
            tenants=tenants, status=status, agreements=binding, gaps=gaps, needs=needs, uncovered=uncovered,
            text=text, citation=citation(WW44_2, day, lang),
            also_cites=[citation(WW45_2F1, day, lang)] if needs else []))
    return out


def _phase_list(case: CoalitionCase, subs: list[SubCase], by_partner, at: dt.date | None) -> list[dict]:
    if at is not None:
        return [{"id": at.isoformat(), "title": at.isoformat(), "start": at, "end": None, "match": lambda s: True}]
    if case.phases:
        return [{"id": p.id, "title": p.title, "start": p.start, "end": p.end, "phase": p.id}
                for p in sorted(case.phases, key=lambda p: (p.start, p.id))]
    days = sorted({s.date for s in subs} | {case.judging_date(c) for c in by_partner})
    return [{"id": d.isoformat(), "title": d.isoformat(), "start": d, "end": None, "day": d} for d in days]


def _in_phase(ph: dict, phase: str | None, day: dt.date) -> bool:
    if "phase" in ph:
        return phase == ph["phase"]
    if "day" in ph:
        return day == ph["day"]
    return True


def _phases(case: CoalitionCase, subs: list[SubCase], results: list[Result], by_partner, book: Rulebook,
            lang: str, at: dt.date | None) -> list[PhaseOut]:
    plist = _phase_list(case, subs, by_partner, at)
    first = plist[0]["start"]
    out = []
    for i, ph in enumerate(plist):
        members = [(s, r) for s, r in zip(subs, results) if _in_phase(ph, s.phase, s.date)]
        partner_ids = [c.id for c in by_partner
                       if _in_phase(ph, None if at else c.phase, at or case.judging_date(c))]
        inside = {sh.source for s, _ in members for sh in s.shares} | set(partner_ids)
        comp_ids = [c.id for c in case.components if c.id in inside]
        corps = list(dict.fromkeys(s.corporation for s, _ in members))
        law, effects, causes = None, [], {}
        if i > 0:
            law = law_changes(book, first, book, ph["start"], lang)
            for s, r in members:
                if s.date == first:
                    continue
                before = judge(s.case, book, at=first, lang=lang)
                cmp = compare_results(before, r, book)
                if not cmp["summary"]["changed"]:
                    continue
                effects.append({"corporation": s.corporation, "part_case": s.case.case_id, "date": s.date.isoformat(),
                                "compared_with": first.isoformat(), "components": cmp["components"],
                                "plan": cmp["plan"], "compliant": {"first": cmp["from"]["compliant"],
                                                                   "here": cmp["to"]["compliant"]}})
                for comp in cmp["components"]:
                    for ch in comp["changes"]:
                        _add_causes(causes, ch["because"], comp["id"])
                for ch in cmp["plan"]:
                    _add_causes(causes, ch["because"], f"{s.corporation}:{ch['check']}")
        out.append(PhaseOut(
            id=ph["id"], title=ph["title"], start=ph["start"].isoformat(),
            end=ph["end"].isoformat() if ph.get("end") else None, corporations=corps, components=comp_ids,
            law_since_first=law, effects=effects,
            causes=[_cause_out(book, rid, c, lang) for rid, c in sorted(causes.items())]))
    return out


def _add_causes(acc: dict, because: list[dict], where: str) -> None:
    for c in because:
        if not is_change(c):
            continue
        entry = acc.setdefault(c["rule"], {"cause": c, "parts": []})
        if where not in entry["parts"]:
            entry["parts"].append(where)
        entry["cause"] = {**entry["cause"], "params_changed": sorted(
            set(entry["cause"]["params_changed"]) | set(c["params_changed"]))}


def _cause_out(book: Rulebook, rid: str, entry: dict, lang: str) -> Cause:
    c = entry["cause"]
    try:
        title = getattr(book.rule(rid).rule.title, lang)
    except KeyError:
        title = rid
    return Cause(rule=rid, title=title, valid=c["valid"], in_force_first=c["in_force_from"],
                 in_force_here=c["in_force_to"], params_changed=c["params_changed"], parts=entry["parts"])


def _party_views(case: CoalitionCase, subs, results, handovers, partner_work, agreements) -> list[PartyView]:
    corp_names = {c.id: c.name for c in case.corporations}
    views = []
    for corp in case.corporations:
        v = PartyView(id=corp.id, name=corp.name, kind="corporation")
        mine = [(s, r) for s, r in zip(subs, results) if s.corporation == corp.id]
        for s, r in mine:
            for cr in r.components:
                item = PartyItem(part=cr.id, phase=s.phase, verdict=cr.verdict, text=cr.title)
                if cr.verdict == "undetermined":
                    v.undetermined.append(item)
                elif cr.party in KEEP and cr.verdict != "forbidden":
                    v.may_carry.append(item)
            for ch in r.plan.checks:
                v.plan_checks.append(PartyItem(part=ch.id, phase=s.phase, verdict=ch.status, text=ch.text))
        for h in handovers:
            if h.corporation == corp.id:
                v.hands_over.append(PartyItem(part=h.part, phase=h.phase, verdict=h.kind, party=h.to,
                                              text=h.to_name or ""))
        v.agreements = sorted({a for chk in agreements if chk.corporation == corp.id for a in chk.agreements})
        v.compliant = all(r.summary.compliant for _, r in mine) if mine else None
        views.append(v)
    for p in case.partners:
        v = PartyView(id=p.id, name=p.name, kind=p.kind)
        for w in partner_work:
            if w.carried_by == p.id:
                v.carries.append(PartyItem(part=w.component, phase=w.phase, text=w.title))
        for h in handovers:
            if h.to == p.id:
                v.takes_over.append(PartyItem(part=h.part, phase=h.phase, verdict=h.kind, party=h.corporation,
                                              text=corp_names.get(h.corporation, h.corporation)))
        v.agreements = sorted(a.id for a in case.performance_agreements if p.id in a.parties)
        views.append(v)
    return views
