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
from .result import ComponentResult, ConditionOut, Inputs, NotFired, Reason, trusted
from .rulebook.loader import PLACEHOLDER, Rulebook, Selection
from .rulebook.model import PRECEDENCE, bases_on
from .rulebook.params import reader_source
from .terms import fact_label, value_label
from .wording import condition_words, param_title

EFFECT_ORDER = {"verdict": 0, "violation": 1, "condition": 2, "undetermined": 3, "overridden": 4, "info": 5,
                "not_in_force": 6}
NOT_RESTING = ("overridden", "not_in_force")  # reasons the outcome does not rest on
# Result pieces are built once and the (read-only) objects shared between components, in one of two
# memos of the selection, each a dict of dicts filled through _kept: the day's (Selection.memo:
# whatever holds a dated link, such as a Reason with its citations) and the regime period's
# (Selection.period_memo, shared by the days of the period: what holds no date, such as a reason's
# text and inputs, why-not entries, assumptions). A reason is kept in both under one key that names
# all it reads besides the date (_reason).
_MEMO_MAX = 50_000  # entries kept per memo; beyond this that memo starts afresh


def _context(selection: Selection) -> dict:
    """The day's memo (Selection.memo)."""
    memo = selection.memo
    if "order" not in memo:
        memo.update(order=_undated(selection)["order"], reasons={}, cites={}, conditions={})
    return memo


def _undated(selection: Selection) -> dict:
    """The regime period's memo (Selection.period_memo): the pieces without a date in them."""
    memo = selection.period_memo
    if "order" not in memo:
        memo.update(order={cr.rule.id: i for i, cr in enumerate(selection.rules)}, reason_parts={}, params={},
                    not_fired={}, not_fired_by_state={}, not_fired_by_run={}, not_fired_by_part={},
                    open_violation={}, assumptions={})
    return memo


def _kept(memo: dict, key, make, holder=None):
    """memo[key], made once by make(). `holder`: the object whose id is in the key; the entry holds
    it, so that the id cannot become another object's while the entry lives. Beyond _MEMO_MAX
    entries the memo starts afresh."""
    found = memo.get(key)
    if found is None or found[0] is not holder:
        return _put(memo, key, make(), holder)
    return found[1]


def _put(memo: dict, key, value, holder=None):
    """Keep `value` under `key` (see _kept); returns it."""
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = (holder, value)
    return value


def _rule_cites(cr, selection: Selection, lang: str, fact: dict | None = None) -> list:
    if cr.cite_facts and fact is not None:  # the deciding onderdeel depends on the fact: not memoised per rule
        return rule_citations(cr.rule.legal_basis, selection.date, lang, fact)
    return _kept(_context(selection)["cites"], (cr.rule.id, lang),
                 lambda: rule_citations(cr.rule.legal_basis, selection.date, lang))


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


def inputs_for(bs: BranchState, fact: dict, selection: Selection, schema) -> Inputs:
    facts = {name: json_value(fact.get(name), schema[name].type) for name in bs.rule.shown_facts[bs.branch]}
    names = params_read(bs.rule, fact)
    params = _kept(_undated(selection)["params"], names, lambda: [param_use(selection.params[p]) for p in names])
    return trusted(Inputs, facts=facts, params=list(params))


def reason_for(bs: BranchState, effect: str, fact: dict, selection: Selection, schema, lang: str,
               extra: dict | None = None) -> Reason:
    cr = bs.rule
    key = None if extra is not None else (cr.rule.id, bs.branch, effect, lang, id(schema), params_read(cr, fact),
                                          tuple([fact.get(n) for n in cr.shown_facts[bs.branch]]))
    return _reason(bs, effect, fact, selection, lang, key, _reason_parts, (bs, fact, selection, schema, lang, extra))


def _reason_parts(bs: BranchState, fact: dict, selection: Selection, schema, lang: str, extra) -> tuple:
    return (render_text(getattr(bs.outcome.explain, lang), fact, schema, selection.params, lang, extra),
            inputs_for(bs, fact, selection, schema))


def _reason(bs: BranchState, effect: str, fact: dict, selection: Selection, lang: str, key: tuple | None,
            parts, args: tuple) -> Reason:
    """The reason of a branch state under `key`, which names all the reason reads besides the date
    (None, or a value in it that cannot be a key: made afresh). It is kept per day, for its
    citations carry the day's links; its text and inputs, `parts(*args)`, per regime period under
    the same key: they read the facts and the period's figures, never the date."""
    reasons = _context(selection)["reasons"]
    try:
        hit = reasons.get(key)  # _kept, inlined: a reason is asked for many times a judgement
    except TypeError:
        key = hit = None
    if hit is not None:
        return hit[1]
    text, inputs = parts(*args) if key is None else _kept(_undated(selection)["reason_parts"], key,
                                                          lambda: parts(*args))
    rule = bs.rule.rule
    cites = _rule_cites(bs.rule, selection, lang, fact)
    reason = trusted(Reason, rule=rule.id, branch=bs.branch, effect=effect, verdict=bs.outcome.verdict, text=text,
                     citation=cites[0], also_cites=cites[1:], confidence=rule.confidence, inputs=inputs)
    return reason if key is None else _put(reasons, key, reason)


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


def _open_violation(bs: BranchState, fact: dict, selection: Selection, shared: bool = False) -> bool:
    """A violation branch left open: its test is open only because a figure it reads is an interval, or
    the rule applies (its `when` holds) and its test is open because a fact or a figure is missing. Either
    way the law may see a violation here, so the component's compliance cannot be decided. `shared`:
    `bs` is a state the compiled evaluator shares between facts (one per atom codes, which decide
    `when`); the answer is then kept per state."""
    if shared:
        return _kept(_undated(selection)["open_violation"], id(bs), lambda: _open_violation(bs, fact, selection), bs)
    from .conditions.evaluator import Tri, evaluate
    from .conditions.interval import Interval

    why = bs.why
    if not bs.outcome.violation or bs.outcome.verdict or why is None:
        return False
    if not why.missing_facts and why.unknown_params \
            and all(isinstance(selection.values.get(p), Interval) for p in why.unknown_params):
        return True
    return bs.rule.test is not None and evaluate(bs.rule.when, fact, selection.values) is Tri.TRUE


def _undetermined_reason(bs: BranchState, fact: dict, selection: Selection, lang: str) -> Reason:
    """The reason that names what is missing for an open branch, kept (_reason) by what it reads: the
    rule branch, the fact's kind, the facts missing and the figures unknown (the text), the values
    of the facts it shows (its inputs; some pick its citations) and the figures it rests on."""
    cr = bs.rule
    missing = list(bs.why.missing_facts) if bs.why else []
    unknown_params = list(bs.why.unknown_params) if bs.why else []
    unknown_params += [p for _, p in unknown_figures(missing, fact, selection) if p not in unknown_params]
    kind = fact.get("kind", "component")
    key = ("undetermined", cr.rule.id, bs.branch, lang, kind, tuple(missing), tuple(unknown_params),
           params_read(cr, fact), tuple([fact.get(n) for n in cr.shown_facts[bs.branch]]))
    return _reason(bs, "undetermined", fact, selection, lang, key, _undetermined_parts,
                   (bs, fact, kind, missing, unknown_params, selection, lang))


def _undetermined_parts(bs: BranchState, fact: dict, kind: str, missing: list, unknown_params: list,
                        selection: Selection, lang: str) -> tuple:
    return (_undetermined_text(bs, kind, missing, unknown_params, selection, lang),
            inputs_for(bs, fact, selection, COMPONENT_FIELDS))


def _undetermined_text(bs: BranchState, kind: str, missing: list, unknown_params: list, selection: Selection,
                       lang: str) -> str:
    """What an open branch would decide and what it lacks."""
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
    open_violations = [bs for bs in ev.unknown if bs.rule.rule.id not in decided_rules
                       and _open_violation(bs, fact, selection, shared)]
    for bs in open_violations:
        reasons.append(_undetermined_reason(bs, fact, selection, lang))
    if verdict == "undetermined":
        pending = open_branches or [bs for bs in ev.unknown if bs.outcome.verdict]
        for bs in pending:
            reasons.append(_undetermined_reason(bs, fact, selection, lang))
    # no rule in force decides the verdict: the verdict rules of other dates that would, are named too
    undecided = verdict == "undetermined" and not pending
    elsewhere = not_in_force_reasons(fact, selection, rulebook, lang, undecided)
    if undecided:
        reasons.append(_no_rule_reason(comp, selection, rulebook, lang, elsewhere))
    reasons += elsewhere
    undated = _undated(selection)
    order = undated["order"]
    reasons.sort(key=lambda r: (EFFECT_ORDER[r.effect], order.get(r.rule, 0), r.branch or ""))
    kept = _context(selection)["conditions"]
    conditions = [_kept(kept, (cid, lang, tuple(sources)), lambda: _condition(cid, sources, selection, rulebook, lang))
                  for cid, sources in condition_sources.items()]
    assumptions = _assumptions(reasons, lang, illustrative, undated["assumptions"], selection)

    party = "corporation"
    for r, bs in ((r, bs) for bs in ev.fired for r in [bs.outcome]):
        if r.party and (r.verdict == verdict or not r.verdict):
            party = r.party
            break

    not_fired = _not_fired(ev, undated, order)

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


def _condition(cid: str, sources: list[str], selection: Selection, rulebook: Rulebook, lang: str) -> ConditionOut:
    cdef = rulebook.conditions[cid]
    period = cdef.period_weeks
    if cdef.period_param:
        p = selection.params.get(cdef.period_param)
        period = p.value if p is not None else None
    return ConditionOut(
        id=cid, title=getattr(cdef.title, lang), kind=cdef.kind, actor=cdef.actor, period_weeks=period,
        legal_basis=[citation(lb, selection.date, lang) for lb in bases_on(cdef.legal_basis, selection.date)],
        triggered_by=sources)


def _assumptions(reasons: list[Reason], lang: str, illustrative: bool, kept: dict, selection: Selection) -> list[str]:
    """assumptions_for(reasons), kept (per regime period: they hold no date) by what they read of
    the reasons: each one's rule, confidence and the figures it rests on that are not verified (id,
    value, confidence, source), for those the outcome rests on. Components whose reasons differ only
    in their texts and the values they show share one list."""
    key = (lang, illustrative, tuple([
        (r.rule, r.confidence, tuple([(p.id, tuple(p.value) if isinstance(p.value, list) else p.value,
                                       p.confidence, p.source)
                                      for p in r.inputs.params if p.confidence != "verified"]))
        for r in reasons if r.effect not in NOT_RESTING]))
    try:
        found = kept.get(key)
    except TypeError:  # a value that cannot be a key: not kept
        key = found = None
    if found is not None:
        return list(found[1])
    made = assumptions_for(reasons, lang, selection)
    if illustrative:
        made.append(tr(lang, "assumptions.illustrative"))
    return list(made if key is None else _put(kept, key, made))


def _not_fired(ev: FactEvaluation, memo: dict, order: dict) -> list[NotFired]:
    """The why-not entries of a component: for every branch state not fired or unknown (shared,
    read-only objects of the evaluator) its entry and sort key are made once per state object (and
    the entry once per rule, branch and why-not), then sorted."""
    if ev.runs is not None:
        by_run = _not_fired_by_run(ev.runs, memo, order)
        if by_run is not None:
            return by_run
    by_state, nf_memo = memo["not_fired_by_state"], memo["not_fired"]
    keyed = [e for bs in ev.not_fired + ev.unknown
             if (e := _kept(by_state, id(bs), lambda: _not_fired_entry(bs, COMPONENT_FIELDS, nf_memo, order), bs))
             is not None]
    keyed.sort(key=lambda item: item[0])
    return [nf for _, nf in keyed]


def _not_fired_by_run(runs: tuple, memo: dict, order: dict) -> list[NotFired] | None:
    """What _not_fired gives, put together from one sorted piece per shared run of rule evaluations
    (the compiled evaluator's `runs`, in rule order, each shared by every fact with the same projection
    on its rules): the pieces follow each other in sort order, so a component costs one lookup per run
    and no sort. None if the pieces are not in rule order (then: sorted)."""
    by_run, nf_memo, by_part = memo["not_fired_by_run"], memo["not_fired"], memo["not_fired_by_part"]
    out: list[NotFired] = []
    last = -1
    for run in runs:
        found = by_run.get(id(run))  # _kept, inlined: one lookup per run and component
        piece = found[1] if found is not None else \
            _kept(by_run, id(run), lambda: _run_piece(run, nf_memo, order, by_part), run)
        if piece is None:  # out of rule order inside the run
            return None
        first, final, entries = piece
        if first is not None:
            if first <= last:
                return None
            last = final
            out += entries
    return out


def _run_piece(run, nf_memo: dict, order: dict, by_part: dict) -> tuple | None:
    """(rank of its first rule, of its last, its why-not entries in sort order) of one shared run
    (ranks None: it shows none); None when the run is out of rule order inside (the caller sorts).
    A rule's shared evaluation is held by many runs (facts that differ in other rules of the run),
    so its piece is kept per evaluation object (`by_part`) too."""
    first = last = None
    entries: list[NotFired] = []
    for p in run.parts:
        found = by_part.get(id(p))  # _kept, inlined
        rank, items = found[1] if found is not None and found[0] is p else \
            _put(by_part, id(p), _piece(p, nf_memo, order), p)
        if rank is None:
            continue
        if last is not None and rank <= last:
            return None
        first = rank if first is None else first
        last = rank
        entries += items
    return first, last, entries


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
    def make() -> NotFired:
        return trusted(  # valid values: the branch's id, its status, texts and the fact's JSON value
            NotFired, rule=f"{bs.rule.rule.id}#{bs.branch}", status=why.status.value, failed=why.atom,
            seen=json_value(why.seen, schema[why.fact].type) if why.fact in schema else None,
            missing=list(why.missing_facts) + [f"param.{p}" for p in why.unknown_params])
    try:
        hit = _kept(nf_memo, (bs.rule.rule.id, bs.branch, why), make)
    except TypeError:  # a value that cannot be a key (a list): not kept
        hit = make()
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
