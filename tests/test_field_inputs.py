"""The case fields a derivation reads, found in its body, and the trial facts derived from them alone."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

from rulehelpers import rulebook
from woningwet_engine import derivations, fieldinputs, remediation
from woningwet_engine.case import Case
from woningwet_engine.facts import component_fact, component_fact_after, project_aggregates

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402  (the benchmarks' seeded portfolio generator)


def test_the_fields_read_are_found_in_the_bodies():
    rent = fieldinputs.component_inputs("wws_max_rent")
    assert ("dwelling", "rent") in rent and ("dwelling", "wws_points") in rent  # through `d = c.dwelling`
    assert not fieldinputs.feeds(rent, ("sale", "price"))
    # the project totals a member's share goes into, through ctx["projects"]
    assert fieldinputs.feeds(fieldinputs.component_inputs("bog_space"), ("floor_area_m2",))
    # a helper the body hands the component to (markttoets_exemption -> bog_space -> is_bog_space)
    assert fieldinputs.feeds(fieldinputs.component_inputs("markttoets_exemption"), ("parking", "use"))
    assert not fieldinputs.feeds(fieldinputs.component_inputs("working_area"), ("cost",))


def test_a_use_the_walk_cannot_follow_reads_everything(monkeypatch):
    def handed_on(case, c, env, ctx):
        return {"x": print(c)}

    def read_on_the_case(case, c, env, ctx):
        return {"x": len(case.components)}

    for body in (handed_on, read_on_the_case):
        monkeypatch.setitem(derivations.FUNCTIONS, body.__name__, body)
        assert fieldinputs.ALL in fieldinputs.component_inputs(body.__name__)
        assert fieldinputs.feeds(fieldinputs.component_inputs(body.__name__), ("anything",))
    fieldinputs.component_inputs.cache_clear()


CHANGES = [(("dwelling", "rent"), "1.00"), (("dwelling", "rent"), "950.00"), (("dwelling", "wws_points"), 150),
           (("floor_area_m2",), 1), (("floor_area_m2",), 4000), (("cost",), "10.00"), (("sale", "price"), "99999.00"),
           (("mv", "third_party_floor_m2"), 10), (("mv", "annual_rent"), "12000.00"), (("financing",), "market"),
           (("leefbaarheid", "annual_amount"), "5.00"), (("location", "wijk_function"), False)]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), picks=st.lists(st.integers(0, len(CHANGES) - 1), min_size=1, max_size=3))
def test_a_trial_fact_derives_what_the_changed_fields_feed_and_equals_the_whole_derivation(seed, picks):
    """component_fact_after from the fields changed equals component_fact of the changed component."""
    book = rulebook()
    sel = book.at(generate.DAY)
    case = Case.model_validate(generate.realistic(30, seed=seed % 1000)[0])
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    checked = 0
    for k, comp in enumerate(case.components):
        trials = remediation._Trials(case, k, remediation._project_totals(case))
        before = component_fact(case, comp, agreements, project_aggregates(case), sel)
        changes = [remediation.Change(component=comp.id, field=".".join(CHANGES[i][0]), old=None, new=CHANGES[i][1])
                   for i in [*picks, 5] if len(CHANGES[i][0]) == 1 or remediation._get(comp, CHANGES[i][0][:1]) is not None]
        if not changes:
            continue
        trial = remediation._apply_fields(case, changes, trials)
        assert trial is not None
        new = trial.components[k]
        assert new == Case.model_validate(remediation.apply_changes(case, changes).model_dump()).components[k]
        whole = component_fact(trial, new, agreements, project_aggregates(trial), sel)
        after = component_fact_after(trial, new, agreements, trials.projects(new), sel, before,
                                     trials.made[id(trial)][2])
        assert after == dict(whole)
        checked += 1
    assert checked


def test_a_trial_passes_as_the_whole_negative_program_says(monkeypatch):
    """component_passes re-evaluating only the branches that read a changed fact agrees with every
    negative branch evaluated, and the branches fired on the base are those the program finds."""
    book = rulebook()
    calls = {"passes": 0, "after": 0}
    passes, after, fired = remediation.component_passes, remediation._passes_after, remediation._fired_negative

    def whole(selection, fact):
        return [i for i, codes in enumerate(remediation._negative_program(selection)(fact)) if codes[-1] == 2]

    def checked_passes(case, k, selection):
        out = passes(case, k, selection)
        assert out == (not whole(selection, remediation._component_fact(case, k, selection)))
        calls["passes"] += 1
        return out

    def counted_after(*args):
        out = after(*args)
        calls["after"] += out is not None
        return out

    def checked_fired(ev, selection):
        out = fired(ev, selection)
        assert out == frozenset(whole(selection, ev.fact))
        return out

    monkeypatch.setattr(remediation, "component_passes", checked_passes)
    monkeypatch.setattr(remediation, "_passes_after", counted_after)
    monkeypatch.setattr(remediation, "_fired_negative", checked_fired)
    for data in generate.realistic(150, seed=9) + [generate.one_project(40, seed=2)]:
        remediation_case = Case.model_validate(data)
        from woningwet_engine.engine import judge

        judge(remediation_case, book, at=generate.DAY)
    assert calls["passes"] and calls["after"]
