"""Who should carry each component: the corporation (DAEB), its non-DAEB branch, a market party,
the municipality or a care/welfare organisation, with the legal reason for each move.

The stage starts from the judged components (verdict and the `party` a rule outcome names) and
refines them with a small, cited policy table:

* forbidden work goes to the party the forbidding rule names (a care provider's building to a
  care/welfare party), except commercial real estate that fails only the per-investment BOG limits:
  for that the stage chooses which BOG components to hand over so that the rest fits (verlicht.py);
* new-build homes for sale go to a developer through a sale of the building land at market value
  (no minister's approval is needed for land, BTIV 24 e);
* other new non-DAEB homes go to a market party while the Ww 44c market test applies to them
  (2015-2021): the test exists to establish that no market party wants to do it;
* remaining non-DAEB work stays in the corporation's non-DAEB branch (Ww 49 lid 1, BTIV 66), unless
  the corporation wants to stay in the verlicht regime and the non-DAEB investment share would reach
  10% (Ww 49 lid 1 b): then the selection hands over as little as possible;
* sales to investors and developers are themselves the market split (Ww 27);
* a component's public-space share (case field `public_space_share`) goes to the municipality
  (Ww 45 lid 2: public space is not on the list).

Mixed investments are split by units and floor area; the project's shared costs (case `projects`)
are allocated to the parts pro rata to floor area, to the cent, by largest remainder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from .case import Case, Component
from .evaluation import FactEvaluation
from .conditions.evaluator import Tri, evaluate, evaluate_kept
from .explain import citation
from .i18n import section
from .terms import value_label
from .result import (
    ComponentResult, LimitOut, PartyTotal, ProjectSplit, SelectionOut, SharedCostOut, SplitPart, Splits,
)
from .rulebook.loader import Selection
from .rulebook.model import LegalBasis, bases_on
from .format import cents_of, format_bp, format_eur, json_money as _eur, json_ratio as _ratio, json_value
from .units import BP
from . import verlicht

INVESTMENT = {"build", "acquire", "renovate"}
KEEP = {"corporation", "corporation_non_daeb"}


@dataclass
class Decision:
    """The split of one component before amounts are attached."""

    party: str
    reason: str
    rule: str | None
    basis: list[LegalBasis]
    how: str | None = None
    public_share_bp: int = 0  # share (cost basis) going to the municipality as public space
    public_reason: str | None = None


@dataclass
class SplitOutcome:
    splits: Splits
    parties: dict[str, str] = field(default_factory=dict)  # component id -> main party
    kept: set[str] = field(default_factory=set)


def _rule_basis(selection: Selection, rule_id: str) -> list[LegalBasis]:
    """The legal bases on the selection's date of the first rule in force with this id: the rules
    by id once per regime period, a rule's bases once per day it is asked for (a replayed log meets
    a new day in most records, and asks for a few rules of the period's ~140)."""
    dated = selection.memo.setdefault("split_rule_basis", {})
    found = dated.get(rule_id)
    if found is None:
        first = selection.period_memo.get("split_first_rule")
        if first is None:
            first = {}
            for cr in selection.rules:
                first.setdefault(cr.rule.id, cr)
            selection.period_memo["split_first_rule"] = first
        cr = first.get(rule_id)
        found = dated[rule_id] = bases_on(cr.rule.legal_basis, selection.date) if cr is not None else []
    return list(found)


def _deciding(ev: FactEvaluation, verdict: str):
    """The fired branches whose outcome gives the component's verdict, in rulebook order."""
    out = []
    for bs in ev.fired:
        if bs.outcome.verdict == verdict:
            out.append((bs, bs.outcome))
    return out


def _basis(names, policy, deciding: list[LegalBasis], cited: list[LegalBasis], on: dt.date) -> list[LegalBasis]:
    out: list[LegalBasis] = []
    for name in names:
        out += deciding if name == "deciding" else cited if name == "cited" else policy.basis(name, on)
    return out


def decide_component(comp: Component, fact: dict, ev: FactEvaluation, result: ComponentResult,
                     selection: Selection, lang: str) -> Decision:
    """The first entry of the party policy (rules/policy/parties.yaml) that applies decides."""
    t = section(lang, "split")
    policy = selection.policy
    verdict = result.verdict
    deciding = _deciding(ev, verdict) if verdict != "undetermined" else []
    rule_id = deciding[0][0].rule.rule.id if deciding else None
    basis = _rule_basis(selection, rule_id) if rule_id else []
    rule_party = next((o.party for _, o in deciding if o.party), None)
    condition_ids = {c.id for c in result.conditions}
    buyer = value_label(fact["sale_buyer"], lang) if fact.get("sale_buyer") else ""
    kept = selection.period_memo.setdefault("party_when", {})  # a `when` by the values it reads
    for entry, when in policy.entries():
        if verdict not in entry.verdicts:
            continue
        if when is not None and evaluate_kept(kept, entry.id, when, fact, selection.values) is not Tri.TRUE:
            continue
        if entry.with_conditions and not condition_ids & set(entry.with_conditions):
            continue
        if entry.only_if_rule_party and (rule_party or "none") not in entry.only_if_rule_party:
            continue
        cited = rule_id
        if entry.cite_topic is not None:
            cited = next((bs.rule.rule.id for bs in ev.fired if bs.rule.topic == entry.cite_topic), rule_id)
        party = entry.party
        if party == "rule":
            party = rule_party or entry.default_party
        elif party == "result":
            party = result.party or entry.default_party
        alt = section(lang, "party")[rule_party or "market"]
        legal = _basis(entry.basis, policy, basis, _rule_basis(selection, cited or ""), selection.date) \
            or _basis(entry.fallback_basis, policy, basis, [], selection.date)
        d = Decision(party, t[entry.text].format(rule=cited, buyer=buyer, alt=alt), cited, legal,
                     how=t[entry.how].format(buyer=buyer) if entry.how else None)
        if entry.public_space_share and comp.public_space_share:
            share = min(comp.public_space_share, BP)
            d.public_share_bp = share
            d.public_reason = t[policy.parties.public_space.text].format(share=format_bp(share, lang))
        return d
    return Decision(result.party or "corporation", t["undetermined"], None, [])


# --- selections: BOG limits per investment and the verlicht regime ---------------------------------------

def _value(comp: Component, keep_by: str) -> int:
    if keep_by == "units":
        return comp.units if comp.units is not None else 1
    return comp.cost or 0


def _forbidding_rules(ev: FactEvaluation) -> set[str]:
    out = set()
    for bs in ev.fired:
        if bs.outcome.verdict == "forbidden":
            out.add(bs.rule.rule.id)
    return out


def bog_selections(case: Case, facts: list[dict], evs: list[FactEvaluation],
                   selection: Selection, lang: str, keep_by: str) -> tuple[list[SelectionOut], dict[str, Decision]]:
    """Per investment where BOG-01 fails: the BOG components to hand over so that the rest fits, and the
    decisions that replace those of decide_component for the components concerned."""
    decisions: dict[str, Decision] = {}
    policy = selection.policy
    if policy.parties is None:
        return [], decisions
    spec = policy.parties.selections.bog
    bog_rules = {cr.rule.id for cr in selection.rules
                 if cr.rule.catalogue_id in spec.catalogue_ids and cr.rule.scope == "component"}
    if not bog_rules:
        return [], decisions
    r = selection.values.get(spec.floor_share_param)
    max_cost = selection.values.get(spec.cost_param)
    rule_name = spec.catalogue_ids[0]
    bog_basis = policy.basis(spec.basis, selection.date)
    if r is None or max_cost is None:
        return [], decisions
    t = section(lang, "split")
    out = []
    by_project: dict[str, list[int]] = {}
    for k, c in enumerate(case.components):
        key = c.project or f"~{c.id}"
        by_project.setdefault(key, []).append(k)
    for key in sorted(by_project):
        idx = by_project[key]
        failing = [k for k in idx if _forbidding_rules(evs[k]) & bog_rules]
        if not failing:
            continue
        bog = [k for k in idx if facts[k].get("is_bog_space") and case.components[k].activity in INVESTMENT
               and not facts[k].get("bog_own_office")]
        if any(case.components[k].floor_area_m2 is None for k in bog) or "project_floor_area_m2" not in facts[failing[0]]:
            continue
        floor_all = facts[failing[0]]["project_floor_area_m2"]
        floor_bog = sum(case.components[k].floor_area_m2 for k in bog)
        other_floor = floor_all - floor_bog
        candidates = [k for k in bog if _forbidding_rules(evs[k]) <= bog_rules]
        items = [verlicht.Item(case.components[k].id, _value(case.components[k], keep_by),
                               ((BP - r) * case.components[k].floor_area_m2, case.components[k].cost or 0))
                 for k in candidates]
        limits = [verlicht.Limit("bog_floor_share", r * other_floor), verlicht.Limit("bog_cost", max_cost)]
        sel = verlicht.select(items, limits)
        kept_floor = sum(case.components[k].floor_area_m2 for k in candidates if case.components[k].id in sel.kept)
        kept_cost = sum(case.components[k].cost or 0 for k in candidates if case.components[k].id in sel.kept)
        handed = [case.components[k].id for k in bog if case.components[k].id not in sel.kept]
        for k in bog:
            cid = case.components[k].id
            if cid in sel.kept:
                decisions[cid] = Decision(
                    "corporation_non_daeb", t["bog_keep"].format(handed=", ".join(handed) or "-"), rule_name,
                    bog_basis + policy.basis("separation", selection.date))
            elif k in candidates:
                decisions[cid] = Decision("market", t["bog_hand"].format(cap=format_eur(max_cost, lang),
                                                                         share=format_bp(r, lang)), rule_name, bog_basis)
        cite = citation(bog_basis[0], selection.date, lang)
        share_after = None if other_floor + kept_floor == 0 else kept_floor * BP // (other_floor + kept_floor)
        limits_out = [
            LimitOut(id="bog_floor_share", text=t["bog_floor_share"], status="holds",
                     before=_ratio(facts[failing[0]].get("project_bog_floor_share")),
                     after=_ratio(share_after) if share_after is not None else "0", limit=_ratio(r), citation=cite),
            LimitOut(id="bog_cost", text=t["bog_cost"], status="holds",
                     before=_eur(facts[failing[0]].get("project_bog_cost")), after=_eur(kept_cost),
                     limit=_eur(max_cost), citation=cite),
        ]
        text = t["bog_selection"].format(handed=", ".join(handed) or t["nothing"], kept=", ".join(sel.kept) or t["nothing"])
        out.append(SelectionOut(scope=f"project:{key}" if not key.startswith("~") else f"component:{key[1:]}",
                                keep_by=keep_by, method=sel.method, feasible=sel.feasible, kept=list(sel.kept),
                                handed_over=handed, limits=limits_out, text=text))
    return out, decisions


LIMIT_STATUS = {Tri.TRUE: "holds", Tri.FALSE: "fails", Tri.UNKNOWN: "unknown"}


def verlicht_selection(case: Case, plan_fact: dict, results: list[ComponentResult], decisions: dict[str, Decision],
                       selection: Selection, lang: str, keep_by: str) -> tuple[SelectionOut | None, dict[str, Decision]]:
    """When the corporation wants the verlicht regime (Ww 49 lid 1): keep the non-DAEB investment share
    of the plan below the limit by handing as little as possible to market parties. The plan is taken as
    the year's investments; turnover conditions (lid 1 a) are fixed history and only reported. Returns
    the selection and the decisions for the components it hands over (`decisions` is read, not changed)."""
    handed_over: dict[str, Decision] = {}
    if not case.corporation.wants_verlicht_regime:
        return None, handed_over
    policy = selection.policy
    if policy.parties is None:
        return None, handed_over
    spec = policy.parties.selections.verlicht
    t = section(lang, "split")
    v = selection.values
    limits_out: list[LimitOut] = []
    turnover_ok: bool | None = True
    # figures of the corporation as given in the case: history the plan cannot change
    for limit in spec.limits:
        pid, fact_name, basis = limit.param, limit.fact, limit.basis
        lim, seen = v.get(pid), plan_fact.get(fact_name)
        if seen is None and limit.given_only:
            continue  # not given: only the plan's own share below is tested
        # the rulebook's test decides (Ww 49 lid 1 "minder dan"); a bounded limit decides only when
        # every value in its interval agrees, otherwise the status stays unknown
        status = LIMIT_STATUS[evaluate(policy.conditions[f"limit:{pid}"], plan_fact, v)]
        if status == "fails":
            turnover_ok = False
        elif status == "unknown" and turnover_ok:
            turnover_ok = None
        shown = json_value(seen, limit.unit)
        limits_out.append(LimitOut(id=f"{pid}.given" if limit.given_only else pid,
                                   text=section(lang, "limit")[fact_name], status=status, before=shown, after=shown,
                                   limit=json_value(lim, limit.unit), citation=citation(policy.basis(basis, selection.date)[0], selection.date, lang)))
    r = v.get(spec.investment_share_param)
    comps = {c.id: c for c in case.components}
    by_id = {res.id: res for res in results}
    daeb_cost = sum(comps[cid].cost or 0 for cid, d in decisions.items()
                    if d.party == "corporation" and by_id[cid].verdict == "daeb" and comps[cid].activity in INVESTMENT)
    cand = [cid for cid, d in decisions.items()
            if d.party == "corporation_non_daeb" and comps[cid].activity in INVESTMENT and comps[cid].cost]
    position = {c.id: i for i, c in enumerate(case.components)}
    cand.sort(key=position.__getitem__)
    if r is None:
        return SelectionOut(scope="verlicht", keep_by=keep_by, method="none", feasible=None, kept=cand,
                            limits=limits_out, text=section(lang, "limit")["unknown"]), handed_over
    mult, cap = verlicht.ratio_capacity(daeb_cost, r, strict=True)
    items = [verlicht.Item(cid, _value(comps[cid], keep_by), (mult * comps[cid].cost,)) for cid in cand]
    sel = verlicht.select(items, [verlicht.Limit("non_daeb_investment_share", cap)])
    nd_before = sum(comps[cid].cost for cid in cand)
    nd_after = sum(comps[cid].cost for cid in sel.kept)

    def share(nd):
        return None if daeb_cost + nd == 0 else nd * BP // (daeb_cost + nd)

    limits_out.append(LimitOut(id=spec.investment_share_param, text=section(lang, "limit")["plan"],
                               status="holds" if sel.feasible else "fails",
                               before=_ratio(share(nd_before)), after=_ratio(share(nd_after)), limit=_ratio(r),
                               citation=citation(policy.basis(spec.basis, selection.date)[0], selection.date, lang)))
    for cid in sel.handed_over:
        handed_over[cid] = Decision("market", t["verlicht_hand"].format(limit=format_bp(r, lang)), None,
                                    policy.basis(spec.basis, selection.date))
    text = t["verlicht_selection"].format(kept=", ".join(sel.kept) or t["nothing"],
                                          handed=", ".join(sel.handed_over) or t["nothing"])
    if turnover_ok is False:
        text += t["verlicht_out_of_reach"]
    return SelectionOut(scope="verlicht", keep_by=keep_by, method=sel.method,
                        feasible=sel.feasible and turnover_ok is not False, kept=list(sel.kept),
                        handed_over=list(sel.handed_over), limits=limits_out, text=text), handed_over


# --- amounts ---------------------------------------------------------------------------------------------

def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` cents over `weights` pro rata, exactly (largest remainder, ties by position)."""
    wsum = sum(weights)
    if wsum == 0 or total == 0:
        return [0] * len(weights)
    base = [total * w // wsum for w in weights]
    rest = total - sum(base)
    order = sorted(range(len(weights)), key=lambda k: (-((total * weights[k]) % wsum), k))
    for k in order[:rest]:
        base[k] += 1
    return base


def _scaled(value: int | None, share_bp: int) -> int | None:
    if value is None:
        return None
    return value * share_bp // BP


def build_splits(case: Case, judged: Mapping, plan_fact: dict, selection: Selection, lang: str,
                 keep_by: str = "value") -> SplitOutcome:
    """The splits stage: `judged` maps component id -> pipeline.Judged (component, fact, evaluation,
    verdict). The per-component policy decides first; the BOG and verlicht selections then replace the
    decisions of the components they move (each step makes a new mapping)."""
    members = [judged[c.id] for c in case.components]
    facts = [j.fact for j in members]
    evs = [j.evaluation for j in members]
    results = [j.verdict for j in members]
    decided = {c.id: decide_component(c, j.fact, j.evaluation, j.verdict, selection, lang)
               for c, j in zip(case.components, members)}
    selections, bog_moves = bog_selections(case, facts, evs, selection, lang, keep_by)
    decisions = {**decided, **bog_moves}
    vs, verlicht_moves = verlicht_selection(case, plan_fact, results, decisions, selection, lang, keep_by)
    if vs is not None:
        selections.append(vs)
    decisions = {**decisions, **verlicht_moves}

    # parts with amounts; shared project costs pro rata to floor area
    shared_by_project = {p.id: p for p in case.projects}
    members_of: dict[str, list[Component]] = {}  # one pass: each project's components, in case order
    for c in case.components:
        if c.project:
            members_of.setdefault(c.project, []).append(c)
    alloc: dict[str, int] = {}
    for pid, project in shared_by_project.items():
        members = members_of.get(pid, [])
        total = sum(sc.amount for sc in project.shared_costs)
        for c, amount in zip(members, allocate(total, [c.floor_area_m2 or 0 for c in members])):
            alloc[c.id] = amount

    parts: list[SplitPart] = []
    for c in case.components:
        d = decisions[c.id]
        cites = [citation(lb, selection.date, lang) for lb in d.basis] or \
            [citation(lb, selection.date, lang) for lb in selection.policy.basis("area", selection.date)[:1]]
        pieces = [(d.party, BP - d.public_share_bp, d.reason, d.rule, cites, d.how)]
        if d.public_share_bp:
            public = selection.policy.parties.public_space
            pub = [citation(lb, selection.date, lang) for lb in
                   (_rule_basis(selection, public.rule) or selection.policy.basis(public.basis, selection.date))]
            pieces.append(("municipality", d.public_share_bp, d.public_reason, public.rule, pub, None))
            if d.public_share_bp >= BP:
                pieces = pieces[1:]
        shared_total = alloc.get(c.id)
        shared_pieces = allocate(shared_total or 0, [p[1] for p in pieces])
        for (party, share, reason, rule, cs, how), sh in zip(pieces, shared_pieces):
            full = share >= BP
            parts.append(SplitPart(
                component=c.id, party=party, share=_ratio(share) if not full else "1",
                units=c.units if full else _scaled(c.units, share),
                floor_area_m2=c.floor_area_m2 if full else _scaled(c.floor_area_m2, share),
                cost=_eur(c.cost if full else _scaled(c.cost, share)),
                shared_cost=_eur(sh) if shared_total is not None else None,
                how=how, reason=reason, rule=rule, citation=cs[0], also_cites=cs[1:]))

    projects: list[ProjectSplit] = []
    parts_of: dict[str, list[SplitPart]] = {}
    for p in parts:
        parts_of.setdefault(p.component, []).append(p)
    for pid in sorted(members_of):  # linear in the components: each project sees only its own parts
        members = members_of[pid]
        if len(members) < 2 and pid not in shared_by_project:
            continue
        totals: dict[str, dict] = {}
        for p in (p for c in members for p in parts_of.get(c.id, ())):
            agg = totals.setdefault(p.party, {"components": [], "seen": set(), "units": 0, "floor": 0, "cost": 0,
                                              "shared": 0})
            if p.component not in agg["seen"]:
                agg["seen"].add(p.component)
                agg["components"].append(p.component)
            agg["units"] += p.units or 0
            agg["floor"] += p.floor_area_m2 or 0
            agg["cost"] += cents_of(p.cost) if p.cost else 0
            agg["shared"] += cents_of(p.shared_cost) if p.shared_cost else 0
        project = shared_by_project.get(pid)
        projects.append(ProjectSplit(
            project=pid, floor_area_m2=sum(c.floor_area_m2 or 0 for c in members),
            shared_costs=[SharedCostOut(kind=sc.kind, title=sc.title or sc.kind, amount=_eur(sc.amount))
                          for sc in (project.shared_costs if project else [])],
            parties=[PartyTotal(party=party, components=a["components"], units=a["units"], floor_area_m2=a["floor"],
                                cost=_eur(a["cost"]), shared_cost=_eur(a["shared"]))
                     for party, a in sorted(totals.items())]))

    main_party = {c.id: decisions[c.id].party if decisions[c.id].public_share_bp < BP else "municipality"
                  for c in case.components}
    kept = {cid for cid, p in main_party.items() if p in KEEP}
    return SplitOutcome(Splits(parts=parts, projects=projects, selections=selections), main_party, kept)
