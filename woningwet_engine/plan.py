"""Plan-level checks: rules of project and plan scope, each a pass/fail test with its numbers."""

from __future__ import annotations

from .evaluation import FactEvaluation
from .explain import render as render_text, rule_citations
from .facts import SCHEMAS
from .i18n import text as tr
from .result import Plan, PlanCheck
from .rulebook.loader import Selection
from .verdict import assumptions_for, describe_unknown, inputs_for, reason_for
from .wording import atom_words



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
                id=rule.check, rule=rule.id, subject=subject, status="pass" if bs.branch == "then" else "fail",
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
            missing = describe_unknown(bs.why.missing_facts, bs.why.unknown_params, ev.fact, selection, lang)
            detail = render_text(getattr(rule.then.explain, lang), ev.fact, schema, selection.params, lang)
            cites = rule_citations(rule.legal_basis, selection.date, lang, ev.fact)
            checks.append(PlanCheck(
                id=rule.check, rule=rule.id, subject=subject, status="unknown",
                text=tr(lang, "plan.cannot_assess", missing=", ".join(missing)
                        or atom_words(bs.definition.root, bs.why.atom, schema, selection.params, lang)) + detail,
                citation=cites[0], also_cites=cites[1:], confidence=rule.confidence,
                inputs=inputs_for(bs, ev.fact, selection, schema)))
    order = {cr.rule.id: i for i, cr in enumerate(selection.rules)}
    checks.sort(key=lambda c: (order.get(c.rule, 0), c.subject))
    return Plan(checks=checks, assumptions=assumptions_for(reasons, lang, selection.params))
