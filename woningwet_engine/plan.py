"""Plan-level checks: rules of project and plan scope, each a pass/fail test with its numbers."""

from __future__ import annotations

from .evaluation import BranchState, FactEvaluation
from .explain import rule_citations
from .facts import SCHEMAS
from .i18n import text as tr
from .result import Plan, PlanCheck
from .rulebook.loader import Selection
from .verdict import assumptions_for, describe_unknown, inputs_for, reason_for, unknown_figures
from .terms import fact_label
from .wording import atom_words, condition_words, figure_threshold, find_atom, value_words


def plan_checks(evaluations: list[FactEvaluation], selection: Selection, lang: str) -> Plan:
    checks: list[PlanCheck] = []
    reasons = []
    for ev in evaluations:
        schema = SCHEMAS[ev.fact["kind"]]
        subject = ev.fact["id"]
        for bs in ev.fired:
            rule = bs.rule.rule
            reason = reason_for(bs, "info", ev.fact, selection, schema, lang)
            reasons.append(reason)
            checks.append(PlanCheck(
                id=rule.check, rule=rule.id, title=getattr(rule.title, lang), subject=subject,
                status="pass" if bs.branch == "then" else "fail",
                text=reason.text, citation=reason.citation, also_cites=list(reason.also_cites),
                confidence=rule.confidence, inputs=reason.inputs,
                conditions=list(bs.outcome.conditions),
                violation=bs.branch == "else" and bool(bs.outcome.violation)))
        seen = set()
        for bs in ev.unknown:
            rule = bs.rule.rule
            if rule.id in seen or bs.why is None:
                continue
            # a check whose applicability itself is unknown is reported once, as unknown
            seen.add(rule.id)
            cites = rule_citations(rule.legal_basis, selection.date, lang, ev.fact)
            checks.append(PlanCheck(
                id=rule.check, rule=rule.id, title=getattr(rule.title, lang), subject=subject, status="unknown",
                text=cannot_assess(bs, ev.fact, schema, selection, lang),
                citation=cites[0], also_cites=cites[1:], confidence=rule.confidence,
                inputs=inputs_for(bs, ev.fact, selection, schema)))
    order = {cr.rule.id: i for i, cr in enumerate(selection.rules)}
    checks.sort(key=lambda c: (order.get(c.rule, 0), c.subject))
    return Plan(checks=checks, assumptions=assumptions_for(reasons, lang, selection))


def cannot_assess(bs: BranchState, fact: dict, schema, selection: Selection, lang: str) -> str:
    """A plan check that cannot be assessed, in sentences: what is unknown, when the check applies
    (if that is what is open), what it takes to pass, and what would decide it. The branch texts
    are not used: filled in with unknown values they would state an outcome."""
    cr, why, params = bs.rule, bs.why, selection.params
    missing = describe_unknown(why.missing_facts, why.unknown_params, fact, selection, lang)
    parts = [tr(lang, "plan.cannot_assess",
                missing=", ".join(missing) or atom_words(bs.definition.root, why.atom, schema, params, lang))]
    open_when = find_atom(cr.when.root, why.atom) is not None
    if open_when:
        parts.append(tr(lang, "plan.applies_if", condition=condition_words(cr.when, schema, params, lang)))
    parts.append(tr(lang, "plan.passes_if", condition=condition_words(cr.test, schema, params, lang)))
    atom = None if open_when else find_atom(cr.test.root, why.atom)
    threshold = figure_threshold(atom, why.seen, schema, params, lang) if atom is cr.test.root else None
    if threshold is not None:
        parts.append(tr(lang, "plan.decide_figure", fact=fact_label(atom.fact, lang),
                        value=value_words(why.seen, schema.get(atom.fact), lang), relation=threshold))
    elif case_facts := set(why.missing_facts) - {name for name, _ in unknown_figures(why.missing_facts, fact, selection)}:
        figures = len(case_facts) < len(why.missing_facts) or why.unknown_params
        parts.append(tr(lang, "plan.decide_facts_figures" if figures else "plan.decide_facts"))
    else:
        parts.append(tr(lang, "plan.decide_figures"))
    return " ".join(parts)
