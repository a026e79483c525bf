"""Combining the fired rule branches of one component into its verdict.

Precedence is explicit, never an accident of firing order: forbidden > needs_decision >
non_daeb > daeb. A component is `undetermined` when a branch that could give a higher-ranked
verdict cannot be evaluated because a fact or a figure is missing; the reasons then name the
missing facts and what each branch would decide.
"""

from __future__ import annotations

from .case import Component
from .evaluation import BranchState, FactEvaluation
from .explain import PARAM_TYPE, citation, human_value, json_value, param_use, render as render_text, rule_citations
from .facts import CASE_FIELD, COMPONENT_FIELDS, SCHEMAS, SELECTOR_FACTS
from .i18n import section, text as tr
from .inforce import not_in_force_reasons
from .result import ComponentResult, ConditionOut, Inputs, NotFired, Reason
from .rulebook.loader import PLACEHOLDER, Rulebook, Selection
from .rulebook.model import PRECEDENCE, bases_on
from .rulebook.params import reader_source
from .terms import fact_label, value_label
from .wording import condition_words, param_title

EFFECT_ORDER = {"verdict": 0, "violation": 1, "condition": 2, "undetermined": 3, "overridden": 4, "info": 5,
                "not_in_force": 6}
NOT_RESTING = ("overridden", "not_in_force")  # reasons the outcome does not rest on
# Memo per selection (Selection.memo, dropped with it): the parts of a result that depend only on
# the selection, the rule and the values a rule reads are built once and the (read-only) result
# objects are shared between components. Many components of a portfolio share them.
_MEMO_MAX = 50_000  # reasons / why-not entries kept per selection; beyond this the memo starts afresh


def _context(selection: Selection) -> dict:
    memo = selection.memo
    if "order" not in memo:
        memo.update(order=_undated(selection)["order"], reasons={})
    return memo


def _undated(selection: Selection) -> dict:
    """The memo of pieces without a date in them (rule order, figures read, why-not entries, a
    reason's text and inputs): one per regime period, shared by its days (Selection.period_memo)."""
    memo = selection.period_memo
    if "order" not in memo:
        memo.update(order={cr.rule.id: i for i, cr in enumerate(selection.rules)}, not_fired={}, reason_parts={})
    return memo


def _rule_cites(cr, selection: Selection, lang: str, memo: dict, fact: dict | None = None) -> list:
    if cr.cite_facts and fact is not None:  # the deciding onderdeel depends on the fact: not memoised per rule
        return rule_citations(cr.rule.legal_basis, selection.date, lang, fact)
    key = ("cites", cr.rule.id, lang)
    if key not in memo:
        memo[key] = rule_citations(cr.rule.legal_basis, selection.date, lang)
    return memo[key]


def params_read(cr, fact: dict) -> tuple[str, ...]:
    """The figures a rule rests on for this fact: those in its conditions and texts, then those the
    derivations of the facts it uses read (facts.Fact.reads), each once."""
    reads = getattr(fact, "reads", None)
    if not reads:
        return cr.params
    names = list(cr.params)
    for f in cr.used_facts:
        for p in reads.get(f, ()):
            if p not in names:
                names.append(p)
    return tuple(names)


def unknown_figures(missing_facts, fact: dict, selection: Selection) -> list[tuple[str, str]]:
    """(fact, parameter) for each missing derived fact whose derivation read a figure unknown on the date."""
    reads = getattr(fact, "reads", None) or {}
    out = []
    for name in missing_facts:
        for pid in reads.get(name, ()):
            if selection.values.get(pid) is None and (name, pid) not in out:
                out.append((name, pid))
    return out


def describe_unknown(missing_facts, unknown_params, fact: dict, selection: Selection, lang: str) -> list[str]:
    """What is unknown, in the result's language: a figure a derivation needed is named instead of the
    derived fact it left unknown (with the fact it is needed for); then other facts and figures."""
    derived = unknown_figures(missing_facts, fact, selection)
    out, covered = [], set()
    for name, pid in derived:
        out.append(tr(lang, "undetermined.needed_for", title=param_title(pid, selection.params, lang),
                      fact=fact_label(name, lang)))
        covered.add(name)
    out += [missing_fact(f, lang) for f in missing_facts if f not in covered]
    named = {pid for _, pid in derived}
    out += [_unknown_figure(p, selection, lang) for p in unknown_params if p not in named]
    return out


def missing_fact(name: str, lang: str) -> str:
    """A missing fact for people: its label, and the case-file field to fill in where there is one
    ("voor bewoners van DAEB-woningen (in het casusbestand: leefbaarheid.for_daeb_dwellings)")."""
    field = CASE_FIELD.get(name)
    label = fact_label(name, lang)
    return tr(lang, "undetermined.fact_field", label=label, field=field) if field else label


def _unknown_figure(pid: str, selection: Selection, lang: str) -> str:
    """The figure's title; for a bounded figure also its known bounds and their sources (they did not decide)."""
    from .conditions.interval import Interval

    p = selection.params.get(pid)
    title = param_title(pid, selection.params, lang)
    if p is None or not isinstance(p.value, Interval):
        return title
    return tr(lang, "undetermined.only_bounded", title=title, bound=human_value(p.value, PARAM_TYPE[p.unit], lang),
              sources="; ".join(reader_source(src, words, lang) for _, _, _, src, words in p.bounds))


def _rule_params(names: tuple[str, ...], selection: Selection, memo: dict) -> list:
    key = ("params", names)
    if key not in memo:
        memo[key] = [param_use(selection.params[p]) for p in names]
    return memo[key]


def inputs_for(bs: BranchState, fact: dict, selection: Selection, schema) -> Inputs:
    facts = {name: json_value(fact.get(name), schema[name].type) for name in bs.rule.shown_facts[bs.branch]}
    params = _rule_params(params_read(bs.rule, fact), selection, _undated(selection))
    return Inputs(facts=facts, params=params)


def _reason_names(cr, branch: str, lang: str, template: str, memo: dict) -> tuple[str, ...]:
    """The facts a reason of this rule branch shows: the rule's inputs and the text's placeholders."""
    key = ("names", cr.rule.id, branch, lang)
    if key not in memo:
        names = list(cr.facts)
        names += [n for n in PLACEHOLDER.findall(template) if not n.startswith("param.") and n not in names]
        memo[key] = tuple(names)
    return memo[key]


def reason_for(bs: BranchState, effect: str, fact: dict, selection: Selection, schema, lang: str,
               extra: dict | None = None) -> Reason:
    cr = bs.rule
    outcome = bs.outcome
    template = getattr(outcome.explain, lang)
    memo = _context(selection)
    key = None
    if extra is None:
        try:
            key = (cr.rule.id, bs.branch, effect, lang, id(schema), params_read(cr, fact),
                   tuple([fact.get(n) for n in _reason_names(cr, bs.branch, lang, template, memo)]))
            hit = memo["reasons"].get(key)
        except TypeError:  # a value that cannot be a key (a list): no memo
            key = hit = None
        if hit is not None:
            return hit
    rule = cr.rule
    undated = None if key is None else _undated(selection)["reason_parts"].get(key)
    if undated is None:  # the text and the inputs read facts and the period's figures, never the date
        undated = (render_text(template, fact, schema, selection.params, lang, extra),
                   inputs_for(bs, fact, selection, schema))
        if key is not None:
            parts = _undated(selection)["reason_parts"]
            if len(parts) >= _MEMO_MAX:
                parts.clear()
            parts[key] = undated
    text, inputs = undated
    cites = _rule_cites(cr, selection, lang, memo, fact)
    reason = Reason(rule=rule.id, branch=bs.branch, effect=effect, verdict=outcome.verdict, text=text,
                    citation=cites[0], also_cites=cites[1:], confidence=rule.confidence, inputs=inputs)
    if key is not None:
        reasons = memo["reasons"]
        if len(reasons) >= _MEMO_MAX:
            reasons.clear()
        reasons[key] = reason
    return reason


USED_BY_NAMED = 3  # the rules that read a weak figure, named by title; more are counted


def assumptions_for(reasons: list[Reason], lang: str, selection: Selection) -> list[str]:
    """Every non-verified rule or figure the outcome rests on, said plainly, once each: a rule by its
    title, a figure by its title and its value in words (the selection's rules and parameters)."""
    figures = selection.params

    def title(rule_id: str) -> str:
        try:
            return getattr(selection.rule(rule_id).rule.title, lang)
        except KeyError:  # not in force on the selection's date: named by its id
            return rule_id

    rules: list[str] = []
    params: dict[tuple, list[str]] = {}
    for r in reasons:
        if r.effect in NOT_RESTING:
            continue
        if r.confidence != "verified":
            rules.append(tr(lang, f"assumptions.rule_{r.confidence}", title=title(r.rule)))
        for p in r.inputs.params:
            if p.confidence != "verified":  # a code list is a list: keyed as a tuple
                value = tuple(p.value) if isinstance(p.value, list) else p.value
                users = params.setdefault((p.id, value, p.confidence, p.source), [])
                if r.rule not in users:
                    users.append(r.rule)
    out = list(dict.fromkeys(rules))
    for (pid, value, conf, source), users in params.items():
        label = section(lang, "confidence")[conf]
        p = figures.get(pid)
        if value is None:
            shown = tr(lang, "assumptions.figure_unknown")
        elif p is not None and p.value is not None:
            shown = human_value(p.value, PARAM_TYPE[p.unit], lang)
        else:
            shown = value
        named = "; ".join(f"‘{title(u)}’" for u in users[:USED_BY_NAMED])
        more = len(users) - USED_BY_NAMED
        used = tr(lang, "assumptions.used_by", rules=named) if more <= 0 else \
            tr(lang, "assumptions.used_by_one_more" if more == 1 else "assumptions.used_by_more", rules=named, n=more)
        if p is not None and p.source == source:
            source = reader_source(source, p.source_text, lang)
        out.append(tr(lang, "assumptions.figure", title=param_title(pid, figures, lang), value=shown, label=label,
                      source=source, used=used))
    return out


def _open_violation(bs: BranchState, fact: dict, selection: Selection, kept: dict | None = None) -> bool:
    """A violation branch left open: its test is open only because a figure it reads is an interval, or
    the rule applies (its `when` holds) and its test is open because a fact or a figure is missing. Either
    way the law may see a violation here, so the component's compliance cannot be decided. `kept`: a
    memo per state for states the compiled evaluator shares (one per atom codes, which decide `when`)."""
    if kept is not None:
        return _kept(kept, id(bs), bs, lambda: _open_violation(bs, fact, selection))
    from .conditions.evaluator import Tri, evaluate
    from .conditions.interval import Interval

    why = bs.why
    if not bs.outcome.violation or bs.outcome.verdict or why is None:
        return False
    if not why.missing_facts and why.unknown_params \
            and all(isinstance(selection.values.get(p), Interval) for p in why.unknown_params):
        return True
    return bs.rule.test is not None and evaluate(bs.rule.when, fact, selection.values) is Tri.TRUE


def _undetermined_reason(bs: BranchState, fact: dict, selection: Selection, lang: str, shared: bool = False) -> Reason:
    """The reason that names what is missing for an open branch. `shared`: `bs` is a state the
    compiled evaluator shares between facts (FactEvaluation.parts); the reason is then kept per
    state, language and what it reads of the fact: the values of the facts it shows (its citations
    are picked by some of them), the figures its facts' derivations read, and those its missing
    facts' derivations needed."""
    if not shared:
        return _new_undetermined_reason(bs, fact, selection, lang)
    reads = getattr(fact, "reads", None) or {}
    cr = bs.rule
    try:
        key = (id(bs), lang, fact.get("kind"), tuple([fact.get(n) for n in cr.shown_facts[bs.branch]]),
               params_read(cr, fact), tuple([reads.get(m) for m in bs.why.missing_facts]) if bs.why else ())
        hash(key)
    except TypeError:  # a value that cannot be a key (a list): not kept
        return _new_undetermined_reason(bs, fact, selection, lang)
    return _kept(_context(selection).setdefault("undetermined_reasons", {}), key, bs,
                 lambda: _new_undetermined_reason(bs, fact, selection, lang))


def _kept(kept: dict, key, holder, make):
    """kept[key], made once by make(). The entry holds `holder`, the shared state or piece whose id
    is in the key, so that id cannot become another object's while the entry lives; beyond
    _MEMO_MAX entries the memo starts afresh."""
    found = kept.get(key)
    if found is None:
        if len(kept) >= _MEMO_MAX:
            kept.clear()
        found = kept[key] = (holder, make())
    return found[1]


def _new_undetermined_reason(bs: BranchState, fact: dict, selection: Selection, lang: str) -> Reason:
    rule = bs.rule.rule
    outcome = bs.outcome
    missing = list(bs.why.missing_facts) if bs.why else []
    unknown_params = list(bs.why.unknown_params) if bs.why else []
    unknown_params += [p for _, p in unknown_figures(missing, fact, selection) if p not in unknown_params]
    kind = fact.get("kind", "component")
    # the text reads the rule branch, the fact's kind, what is missing and the period's figures
    texts = _undated(selection).setdefault("undetermined", {})
    key = (rule.id, bs.branch, lang, kind, tuple(missing), tuple(unknown_params))
    text = texts.get(key)
    if text is None:
        if len(texts) >= _MEMO_MAX:
            texts.clear()
        text = texts[key] = _undetermined_text(bs, kind, missing, unknown_params, selection, lang)
    cites = rule_citations(rule.legal_basis, selection.date, lang, fact)
    return Reason(rule=rule.id, branch=bs.branch, effect="undetermined", verdict=outcome.verdict, text=text,
                  citation=cites[0], also_cites=cites[1:], confidence=rule.confidence,
                  inputs=inputs_for(bs, fact, selection, COMPONENT_FIELDS))


def _undetermined_text(bs: BranchState, kind: str, missing: list, unknown_params: list, selection: Selection,
                       lang: str) -> str:
    """What an open branch would decide and what it lacks (once per period: _undetermined_reason)."""
    rule = bs.rule.rule
    outcome = bs.outcome
    root = bs.definition.decisive
    verdict = section(lang, "verdict").get(outcome.verdict, "-") if outcome.verdict else "-"
    shown = condition_words(root, SCHEMAS[kind], selection.params, lang)
    parts = []
    if missing:
        parts.append(tr(lang, "undetermined.missing", facts=", ".join(missing_fact(m, lang) for m in missing)))
    if unknown_params:
        parts.append(tr(lang, "undetermined.unknown_figures",
                        params=", ".join(param_title(p, selection.params, lang) for p in unknown_params)))
    words = {"parts": "; ".join(parts), "shown": shown, "title": getattr(rule.title, lang)}
    if outcome.violation and not outcome.verdict:
        return tr(lang, "undetermined.decides_violation", **words)
    return tr(lang, "undetermined.decides", verdict=verdict, **words)


def component_result(comp: Component, ev: FactEvaluation, selection: Selection, rulebook: Rulebook,
                     lang: str, illustrative: bool) -> ComponentResult:
    fact = ev.fact
    schema = COMPONENT_FIELDS
    verdict_branches = [bs for bs in ev.fired if bs.outcome.verdict]
    top = max((PRECEDENCE[bs.outcome.verdict] for bs in verdict_branches), default=0)
    open_branches = [bs for bs in ev.unknown if bs.outcome.verdict and PRECEDENCE[bs.outcome.verdict] > top]
    if open_branches or top == 0:
        verdict = "undetermined"
    else:
        verdict = next(v for v, rank in PRECEDENCE.items() if rank == top)

    reasons: list[Reason] = []
    condition_sources: dict[str, list[str]] = {}
    violation = False
    for bs in ev.fired:
        outcome = bs.outcome
        if outcome.verdict:
            effect = "verdict" if outcome.verdict == verdict else "overridden"
        elif outcome.violation:
            effect = "violation"
        elif outcome.conditions:
            effect = "condition"
        else:
            effect = "info"
        if outcome.violation and effect != "overridden":
            violation = True
            effect = "violation" if not outcome.verdict else effect
        reasons.append(reason_for(bs, effect, fact, selection, schema, lang))
        if effect != "overridden" and verdict != "forbidden":
            for cid in outcome.conditions:
                condition_sources.setdefault(cid, [])
                if bs.rule.rule.id not in condition_sources[cid]:
                    condition_sources[cid].append(bs.rule.rule.id)
    pending: list = []
    # A violation test left open (a bounded figure, or a missing fact or figure of a rule that applies) is
    # shown, naming what is missing or the bound, and the component's compliance is undetermined.
    decided_rules = {bs.rule.rule.id for bs in ev.fired}
    shared = ev.parts is not None
    opened = _context(selection).setdefault("open_violation", {}) if shared else None
    open_violations = [bs for bs in ev.unknown if bs.rule.rule.id not in decided_rules
                       and _open_violation(bs, fact, selection, opened)]
    for bs in open_violations:
        reasons.append(_undetermined_reason(bs, fact, selection, lang, shared))
    if verdict == "undetermined":
        pending = open_branches or [bs for bs in ev.unknown if bs.outcome.verdict]
        for bs in pending:
            reasons.append(_undetermined_reason(bs, fact, selection, lang, shared))
    # no rule in force decides the verdict: the verdict rules of other dates that would, are named too
    undecided = verdict == "undetermined" and not pending
    elsewhere = not_in_force_reasons(fact, selection, rulebook, lang, undecided)
    if undecided:
        reasons.append(_no_rule_reason(comp, selection, rulebook, lang, elsewhere))
    reasons += elsewhere
    memo = _context(selection)
    order = memo["order"]
    reasons.sort(key=lambda r: (EFFECT_ORDER[r.effect], order.get(r.rule, 0), r.branch or ""))

    conditions = []
    for cid, sources in condition_sources.items():
        cdef = rulebook.conditions[cid]
        key = ("condition", cid, lang, tuple(sources))
        if key in memo:
            conditions.append(memo[key])
            continue
        period = cdef.period_weeks
        if cdef.period_param:
            p = selection.params.get(cdef.period_param)
            period = p.value if p is not None else None
        cond = ConditionOut(
            id=cid, title=getattr(cdef.title, lang), kind=cdef.kind, actor=cdef.actor, period_weeks=period,
            legal_basis=[citation(lb, selection.date, lang) for lb in bases_on(cdef.legal_basis, selection.date)],
            triggered_by=sources)
        memo[key] = cond
        conditions.append(cond)

    assumptions = _assumptions(reasons, lang, illustrative, memo, selection)

    party = "corporation"
    for r, bs in ((r, bs) for bs in ev.fired for r in [bs.outcome]):
        if r.party and (r.verdict == verdict or not r.verdict):
            party = r.party
            break

    not_fired = _not_fired(ev, _undated(selection), order)

    # True, False, or None when it cannot be decided (niet te beoordelen): the verdict is undetermined,
    # or no violation is decided but a violation test is open
    if verdict == "forbidden" or violation:
        compliant = False
    elif verdict == "undetermined" or open_violations:
        compliant = None
    else:
        compliant = True
    return ComponentResult(
        id=comp.id, title=comp.title, activity=comp.activity, object=comp.object, project=comp.project,
        units=comp.units, cost=json_value(comp.cost, "eur"), verdict=verdict, compliant=compliant, conditions=conditions, reasons=reasons,
        assumptions=assumptions, party=party, not_fired=not_fired)


def _assumptions(reasons: list[Reason], lang: str, illustrative: bool, memo: dict, selection: Selection) -> list[str]:
    """assumptions_for(reasons), once per selection and what it reads of the reasons: each one's
    rule, confidence and the figures it rests on that are not verified (id, value, confidence,
    source), for those the outcome rests on. Components whose reasons differ only in their texts
    and the values they show share one list (the memo is the selection's)."""
    kept = memo.setdefault("assumptions", {})
    try:
        key = (lang, illustrative, tuple([
            (r.rule, r.confidence, tuple([(p.id, tuple(p.value) if isinstance(p.value, list) else p.value,
                                           p.confidence, p.source)
                                          for p in r.inputs.params if p.confidence != "verified"]))
            for r in reasons if r.effect not in NOT_RESTING]))
        found = kept.get(key)
    except TypeError:  # a value that cannot be a key: not kept
        key = found = None
    if found is None:
        found = assumptions_for(reasons, lang, selection)
        if illustrative:
            found.append(tr(lang, "assumptions.illustrative"))
        if key is not None:
            if len(kept) >= _MEMO_MAX:
                kept.clear()
            kept[key] = found
    return list(found)


def _not_fired(ev: FactEvaluation, memo: dict, order: dict) -> list[NotFired]:
    """The why-not entries of a component: for every branch state not fired or unknown (shared,
    read-only objects of the evaluator) its entry and sort key are made once per state object (and
    the entry once per rule, branch and why-not), then sorted."""
    if ev.parts is not None:
        by_rule = _not_fired_by_rule(ev.parts, memo, order)
        if by_rule is not None:
            return by_rule
    schema = COMPONENT_FIELDS
    by_state = memo.setdefault("not_fired_by_state", {})
    nf_memo = memo["not_fired"]
    keyed = []
    for bs in ev.not_fired + ev.unknown:
        found = by_state.get(id(bs))
        if found is None or found[0] is not bs:
            found = (bs, _not_fired_entry(bs, schema, nf_memo, order))
            if len(by_state) >= _MEMO_MAX:
                by_state.clear()
            by_state[id(bs)] = found  # holds bs, so its id stays its own while the entry lives
        if found[1] is not None:
            keyed.append(found[1])
    keyed.sort(key=lambda item: item[0])
    return [nf for _, nf in keyed]


def _not_fired_by_rule(parts: tuple, memo: dict, order: dict) -> list[NotFired] | None:
    """What _not_fired gives, put together from one sorted piece per shared rule evaluation (the
    compiled evaluator's `parts`, one per rule in rule order, shared by every fact with the same
    atom codes and value shown): the pieces follow each other in sort order, so a component costs
    one lookup per rule and no sort. None if the pieces are not in rule order (then: sorted)."""
    by_parts = memo.setdefault("not_fired_by_parts", {})
    nf_memo = memo["not_fired"]
    out: list[NotFired] = []
    last = -1
    for p in parts:
        found = by_parts.get(id(p))
        rank, entries = found[1] if found is not None else _kept(by_parts, id(p), p, lambda: _piece(p, nf_memo, order))
        if rank is not None:
            if rank <= last:
                return None
            last = rank
            out += entries
    return out


def _piece(p: tuple, nf_memo: dict, order: dict) -> tuple[int | None, list[NotFired]]:
    """(rank of the rule, its why-not entries sorted) of one shared rule evaluation."""
    keyed = [e for bs in p[2] + p[1] if (e := _not_fired_entry(bs, COMPONENT_FIELDS, nf_memo, order)) is not None]
    keyed.sort(key=lambda item: item[0])
    return (keyed[0][0][0] if keyed else None), [nf for _, nf in keyed]


def _not_fired_entry(bs: BranchState, schema, nf_memo: dict, order: dict):
    """(sort key, NotFired) of one branch state, or None when the result does not show it."""
    why = bs.why
    if why is None or why.fact in SELECTOR_FACTS or bs.rule.rule.scope != "component":
        return None
    try:
        key = (bs.rule.rule.id, bs.branch, why)
        hit = nf_memo.get(key)
    except TypeError:  # a value that cannot be a key (a list): no memo
        key = hit = None
    if hit is None:
        hit = NotFired(
            rule=f"{bs.rule.rule.id}#{bs.branch}", status=why.status.value, failed=why.atom,
            seen=json_value(why.seen, schema[why.fact].type) if why.fact in schema else None,
            missing=list(why.missing_facts) + [f"param.{p}" for p in why.unknown_params])
        if key is not None:
            if len(nf_memo) >= _MEMO_MAX:
                nf_memo.clear()
            nf_memo[key] = hit
    return (order.get(hit.rule.split("#")[0], 0), hit.rule), hit


def _no_rule_reason(comp: Component, selection: Selection, rulebook: Rulebook, lang: str,
                    elsewhere: list[Reason]) -> Reason:
    """Why nothing decides: the date is before the rulebook's regime (rulebook.yaml `regime`), only
    rules of other dates decide (`elsewhere`, from inforce.py), or no rule at all (art. 45 lid 2 is
    limitative)."""

    regime, start = rulebook.meta.regime, rulebook.first_day
    if regime is not None and start is not None and selection.date < start:
        cites = rule_citations(regime.legal_basis, start, lang)
        text = tr(lang, "undetermined.before_regime", date=selection.date, title=getattr(regime.title, lang),
                  start=start)
        starting = list(dict.fromkeys(r.rule for r in elsewhere if rulebook.rule(r.rule).rule.valid_from == start))
        if starting:
            text += " " + tr(lang, "undetermined.decided_from", rules=", ".join(starting))
        return Reason(rule=starting[0] if starting else rulebook.meta.no_rule.rule, effect="undetermined", text=text,
                      citation=cites[0], also_cites=cites[1:], confidence="verified")
    if elsewhere:
        first = elsewhere[0]
        text = tr(lang, "undetermined.no_rule_in_force", activity=value_label(comp.activity, lang),
                  object=value_label(comp.object, lang), date=selection.date,
                  rules=", ".join(dict.fromkeys(r.rule for r in elsewhere)))
        return Reason(rule=first.rule, effect="undetermined", text=text, citation=first.citation,
                      also_cites=first.also_cites, confidence=first.confidence)

    basis = rulebook.meta.no_rule  # rules/rulebook.yaml: the limitative list of Ww 45 lid 2
    text = tr(lang, "undetermined.no_rule", activity=value_label(comp.activity, lang),
              object=value_label(comp.object, lang), date=selection.date)
    cites = rule_citations(basis.legal_basis, selection.date, lang)
    return Reason(rule=basis.rule, effect="undetermined", text=text, citation=cites[0], also_cites=cites[1:],
                  confidence="verified")
