"""Rules that would govern a question on a component but are not in force on the date.

A rule may name the question it governs (`question:` in its rule file, e.g. `markttoets`). On a case
date, the rules of each question that are not in force are evaluated on the component: when a rule's
`when` holds, the rule would decide the question had it been in force, so the result says so instead
of staying silent. Per question the nearest change on each side is reported: the rules that lapsed
last before the date and the rules that start first after it. Everything comes from the rule files
(validity dates, `when`, citations, titles); nothing here knows a rule by name.

When no rule in force decides a component's verdict at all, its verdict is the question: the verdict
rules of other dates are the candidates (a case of 2014, before the Woningwet 2015 regime, is told
which rules decide from 2015-07-01).

The reasons (effect `not_in_force`) decide nothing: they do not change the verdict and the outcome
does not rest on them (verdict.assumptions_for leaves them out).
"""

from __future__ import annotations

import datetime as dt

from .conditions.evaluator import Tri, evaluate_kept
from .explain import param_use, rule_citations
from .facts import COMPONENT_FIELDS
from .format import format_date, json_value
from .i18n import text as tr
from .result import Inputs, Reason, trusted
from .rulebook.loader import CompiledRule, Rulebook, Selection

EFFECT = "not_in_force"
VERDICT = ""  # the implicit question of the component's verdict (no rule file names it)


# (reason kind, the rule's date facing the case date, which of those dates is nearest) per side of the date
SIDES = (("lapsed", lambda rule: rule.valid_to, max), ("not_yet", lambda rule: rule.valid_from, min))


def _candidates(selection: Selection, rulebook: Rulebook) -> tuple[dict[str, tuple[list, list]], dict[str, int]]:
    """Per question the component rules not in force, (lapsed before the date, starting after it), and
    the rule-file order; once per regime period (no rule starts or stops inside one, so its days
    agree on which rules are not in force and on which side of the date each lies)."""
    memo = selection.period_memo
    if "inforce" not in memo:
        day = selection.date
        by_question: dict[str, tuple[list[CompiledRule], list[CompiledRule]]] = {}
        for cr in rulebook.rules:
            if cr.rule.valid_on(day) or cr.rule.scope != "component":
                continue
            questions = [cr.rule.question] if cr.rule.question else []
            if any(b.outcome.verdict for b in cr.branches):
                questions.append(VERDICT)
            for question in questions:
                lapsed, future = by_question.setdefault(question, ([], []))
                (future if cr.rule.valid_from > day else lapsed).append(cr)
        memo["inforce"] = (by_question, {cr.rule.id: i for i, cr in enumerate(rulebook.rules)})
    return memo["inforce"]


def _nearest_applying(rules: list[CompiledRule], fact: dict, selection: Selection, edge, nearest) -> list[CompiledRule]:
    """The rules whose `when` holds, among those that may apply and change nearest to the date (several
    when they change on the same day). A nearer rule that may apply (a fact it needs is unknown) hides a
    farther one that does. Each `when` is kept per regime period by the values it reads."""
    kept, values = selection.period_memo.setdefault("inforce_when", {}), selection.values
    status = {cr.rule.id: evaluate_kept(kept, (cr.rule.id, cr.rule.valid_from), cr.when, fact, values) for cr in rules}
    maybe = [cr for cr in rules if status[cr.rule.id] is not Tri.FALSE]
    if not maybe:
        return []
    day = nearest(edge(cr.rule) for cr in maybe)
    return [cr for cr in maybe if edge(cr.rule) == day and status[cr.rule.id] is Tri.TRUE]


def not_in_force_reasons(fact: dict, selection: Selection, rulebook: Rulebook, lang: str,
                         undecided: bool = False) -> list[Reason]:
    """The not-in-force reasons for one component fact, in rule-file order; `undecided`: no rule in
    force decides its verdict, so the verdict rules of other dates count too."""
    by_question, order = _candidates(selection, rulebook)
    found: dict[str, tuple[CompiledRule, str]] = {}
    for question, sides in by_question.items():
        if question == VERDICT and not undecided:
            continue
        for (kind, edge, nearest), rules in zip(SIDES, sides):
            for cr in _nearest_applying(rules, fact, selection, edge, nearest):
                found[cr.rule.id] = (cr, kind)
    return [_reason(cr, kind, fact, selection, lang)
            for cr, kind in sorted(found.values(), key=lambda item: order[item[0].rule.id])]


def _reason(cr: CompiledRule, kind: str, fact: dict, selection: Selection, lang: str) -> Reason:
    rule = cr.rule
    # the facts of its `when`, and those that pick the deciding onderdeel of a citation (LegalBasis.by)
    names = tuple(dict.fromkeys((*cr.when.facts, *cr.cite_facts)))
    memo = selection.memo.setdefault("inforce_reasons", {})
    try:
        key = (rule.id, kind, lang, tuple(fact.get(n) for n in names))
        hit = memo.get(key)
    except TypeError:  # a value that cannot be a key (a list): no memo
        key = hit = None
    if hit is not None:
        return hit
    until = tr(lang, "in_force.until", valid_to=format_date(rule.valid_to)) if rule.valid_to else ""
    text = tr(lang, f"in_force.{kind}", date=format_date(selection.date), title=getattr(rule.title, lang),
              valid_from=format_date(rule.valid_from), until=until)
    # the dated link shows the provision as it read while the rule applied
    on: dt.date = rule.valid_to if kind == "lapsed" else rule.valid_from
    cites = rule_citations(rule.legal_basis, on, lang, fact)
    inputs = trusted(Inputs, facts={n: json_value(fact.get(n), COMPONENT_FIELDS[n].type) for n in names},
                     params=[param_use(selection.params[p]) for p in cr.when.params if p in selection.params])
    reason = trusted(Reason, rule=rule.id, effect=EFFECT, text=text, citation=cites[0], also_cites=cites[1:],
                     confidence=rule.confidence, inputs=inputs)
    if key is not None:
        if len(memo) >= 50_000:
            memo.clear()
        memo[key] = reason
    return reason
