"""The compiled evaluator (the hot path) against the reference evaluator (the oracle)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

from rulehelpers import rulebook
from test_properties import PARAM_UNITS, SMALL_SCHEMA, cases, conditions, dates, small_facts
from woningwet_engine import remediation
from woningwet_engine.case import Case
from woningwet_engine.conditions.compiled import TRI, compile_kleene, compile_node, program
from woningwet_engine.conditions.evaluator import Tri, evaluate
from woningwet_engine.conditions.nodes import parse_condition
from woningwet_engine.engine import judge
from woningwet_engine.errors import EngineError
from woningwet_engine.evaluation import CompiledEvaluator, Engine, evaluate_fact, rules_by_scope
from woningwet_engine.facts import build_facts

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PARAMS = st.fixed_dictionaries({"lim": st.none() | st.integers(0, 2000),
                                "codes": st.none() | st.lists(st.sampled_from(["GM1", "GM2", "GM3"]),
                                                              max_size=3, unique=True),
                                "n": st.none() | st.integers(-2, 2)})


@settings(max_examples=200, **SETTINGS)
@given(texts=st.lists(conditions(), min_size=1, max_size=4), params=PARAMS,
       facts=st.lists(small_facts, min_size=1, max_size=6))
def test_generated_code_gives_the_reference_value_on_random_conditions(texts, params, facts):
    conds = [parse_condition(t, SMALL_SCHEMA, PARAM_UNITS) for t in texts]
    codes_of = program([[c.root] for c in conds], params)
    kleene = [compile_kleene(c.root) for c in conds]
    whole = [compile_node(c, params) for c in conds]
    for fact in facts:
        codes = codes_of(fact)
        for cond, k, w, c in zip(conds, kleene, whole, codes):
            want = evaluate(cond, fact, params)
            assert w(fact) is want
            assert TRI[k(c[:-1])] is want  # from the atom codes
            assert TRI[c[-1]] is want  # computed inside the scope program


def _as_data(ev):
    return [(bs.rule.rule.id, bs.branch, bs.status, bs.why) for part in (ev.fired, ev.unknown, ev.not_fired)
            for bs in part]


@settings(max_examples=60, **SETTINGS)
@given(case=cases(), at=st.none() | dates)
def test_compiled_evaluation_equals_the_reference_on_generated_cases(case: Case, at):
    """Same fired, unknown and not-fired branches in the same order, with the same why-not, for every fact;
    and the same whole result through judge()."""
    book = rulebook()
    day = at or case.date
    selection = book.at(day)
    comps, projects, plan = build_facts(case, selection)
    facts = comps + projects + [plan]
    by_scope = rules_by_scope(selection)
    evaluator = CompiledEvaluator()
    twice = evaluator.evaluate_facts(selection, by_scope, facts + facts)  # second half from the memo
    for i, fact in enumerate(facts):
        want = _as_data(evaluate_fact(by_scope.get(fact["kind"], []), fact, selection.values))
        assert _as_data(twice[i]) == want
        assert _as_data(twice[len(facts) + i]) == want
    fast = judge(case, book, at=day, engine=Engine())
    slow = judge(case, book, at=day, engine=Engine(reference=True))
    assert fast.model_dump(mode="json") == slow.model_dump(mode="json")
    # remediation's trial check (compiled) says what the reference says of the negative branches
    negative = [b for cr in selection.rules if cr.rule.scope == "component" for b in cr.branches
                if remediation._negative(b.outcome)]
    for k, fact in enumerate(comps):
        want = not any(evaluate(b.root, fact, selection.values) is Tri.TRUE for b in negative)
        assert remediation.component_passes(case, k, selection) is want


def test_shared_states_show_each_fact_its_own_value():
    """Two homes whose rents are in the same class share one rule evaluation, but each why-not
    shows its own rent."""
    from rulehelpers import component, make_case

    book = rulebook()
    case = make_case("2016-06-01", [component(id="A", dwelling={"rent": "900.00"}),
                                    component(id="B", dwelling={"rent": "950.00"})])
    day = dt.date(2016, 6, 1)
    selection = book.at(day)
    comps, _, _ = build_facts(case, selection)
    evaluator = CompiledEvaluator()
    evs = evaluator.evaluate_facts(selection, rules_by_scope(selection), comps)
    seen = {(ev.fact["id"], bs.why.seen) for ev in evs for bs in ev.not_fired
            if bs.why is not None and bs.why.fact == "rent"}
    assert ("component:A", 90000) in seen and ("component:B", 95000) in seen
    assert not {("component:A", 95000), ("component:B", 90000)} & seen
    # B reused A's evaluation of every rule that does not show the rent, and the reference
    # evaluator was not run (no verify)
    n_rules = len(rules_by_scope(selection)["component"])
    assert n_rules <= evaluator.stats["evaluations"] < 2 * n_rules
    assert evaluator.stats["reference_calls"] == 0


def test_a_disagreement_with_the_reference_is_an_engine_error(monkeypatch):
    """With verify, every new evaluation is held to the reference's; without it, a wrong fired set is
    still caught by the durable_rules cross-check of every judgement."""
    from rulehelpers import component, make_case
    from woningwet_engine.conditions import compiled

    book = rulebook()
    case = make_case("2016-06-01", [component(id="A")])
    day = dt.date(2016, 6, 1)
    selection = book.at(day)
    comps, _, _ = build_facts(case, selection)
    evaluator = CompiledEvaluator(verify=True)
    evaluator.evaluate_facts(selection, rules_by_scope(selection), comps)  # agrees: no error
    assert evaluator.stats["reference_calls"] > 0
    monkeypatch.setattr(compiled, "TRI", tuple(reversed(compiled.TRI)))  # a broken back-end: TRUE <-> FALSE
    try:
        CompiledEvaluator(verify=True).evaluate_facts(selection, rules_by_scope(selection), comps)
    except EngineError as exc:
        assert "compiled evaluator and the reference disagree" in str(exc)
    else:
        raise AssertionError("a wrong compiled value went unnoticed")
    try:
        judge(case, book, at=day, engine=Engine())
    except EngineError as exc:
        assert "durable_rules and the reference evaluator disagree" in str(exc)
    else:
        raise AssertionError("a wrong fired set went unnoticed by the cross-check")


@settings(max_examples=200, **SETTINGS)
@given(texts=st.lists(conditions(), min_size=1, max_size=4), params=PARAMS,
       facts=st.lists(small_facts, min_size=1, max_size=6))
def test_why_not_from_atom_codes_equals_explain(texts, params, facts):
    """why_from_codes gives explain()'s deciding atom, its fact, the missing facts and the unknown
    parameters from the atom codes alone, on random conditions, parameters and facts."""
    from woningwet_engine.conditions.compiled import why_from_codes
    from woningwet_engine.conditions.evaluator import explain

    conds = [parse_condition(t, SMALL_SCHEMA, PARAM_UNITS) for t in texts]
    codes_of = program([[c.root] for c in conds], params)
    for fact in facts:
        for cond, codes in zip(conds, codes_of(fact)):
            status = evaluate(cond, fact, params)
            want = explain(cond, fact, params, status)
            if status is Tri.TRUE:
                assert want is None
                continue
            text, shown, missing, unknown = why_from_codes(cond.root, codes, 0, status, params)
            assert (want.atom, want.fact, want.missing_facts, want.unknown_params) == (text, shown, missing, unknown)


def test_generated_code_is_cached_on_disk_and_only_trusted_when_private(tmp_path, monkeypatch):
    import os

    from woningwet_engine import evaluation

    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    monkeypatch.setattr(evaluation, "_CODE", {})
    source = "def f(x):\n    return x + 1\n"
    first = evaluation.compile_cached(source, "<compiled program>")
    [stored] = list((tmp_path / "cache").glob("code-*.marshal"))
    monkeypatch.setattr(evaluation, "_CODE", {})
    again = evaluation.compile_cached(source, "<compiled program>")  # from the file
    ns: dict = {}
    exec(again, ns)
    assert ns["f"](1) == 2 and again.co_filename == first.co_filename
    stored.write_bytes(b"\x00garbage")  # damaged: compiled again, not trusted
    monkeypatch.setattr(evaluation, "_CODE", {})
    ns = {}
    exec(evaluation.compile_cached(source, "<compiled program>"), ns)
    assert ns["f"](2) == 3
    os.chmod(stored, 0o666)  # writable by others: ignored
    monkeypatch.setattr(evaluation, "_CODE", {})
    loads = []
    import marshal
    monkeypatch.setattr(marshal, "loads", lambda data: loads.append(1))
    evaluation.compile_cached(source, "<compiled program>")
    assert loads == []


def test_generated_code_from_another_interpreter_is_never_loaded(tmp_path, monkeypatch):
    """marshal data of another Python version can load without an error and crash the process when
    run (seen: a cache written under 3.11 segfaulted every check under 3.12), so a stored program
    whose magic number is not this interpreter's is compiled again, never unmarshalled."""
    import marshal
    from importlib.util import MAGIC_NUMBER

    from woningwet_engine import evaluation

    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    monkeypatch.setattr(evaluation, "_CODE", {})
    source = "def f(x):\n    return x * 2\n"
    evaluation.compile_cached(source, "<compiled program>")
    [stored] = list((tmp_path / "cache").glob("code-*.marshal"))
    assert stored.read_bytes().startswith(MAGIC_NUMBER)
    foreign = bytes([MAGIC_NUMBER[0] ^ 0xFF]) + MAGIC_NUMBER[1:]
    stored.write_bytes(foreign + stored.read_bytes()[len(MAGIC_NUMBER):])
    monkeypatch.setattr(evaluation, "_CODE", {})
    loads = []
    real_loads = marshal.loads
    monkeypatch.setattr(marshal, "loads", lambda data: loads.append(1) or real_loads(data))
    ns: dict = {}
    exec(evaluation.compile_cached(source, "<compiled program>"), ns)
    assert ns["f"](3) == 6 and loads == []
