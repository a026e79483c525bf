"""Relations with municipality and tenants (Woningwet art. 43-44a, 55b)."""

from __future__ import annotations

from rulehelpers import condition_ids, fired, fired_branch, judge_component

D16 = "2016-06-01"


def test_rel_02_investment_in_the_annual_overview_and_agreements():
    agreed = judge_component(D16, agreed=True)
    assert fired_branch(agreed, "REL-02") == "then"
    assert "annual-overview" in condition_ids(agreed) and "prestatieafspraken" not in condition_ids(agreed)
    open_ = judge_component(D16)
    assert fired_branch(open_, "REL-02") == "else"
    assert {"annual-overview", "prestatieafspraken"} <= condition_ids(open_)
    assert not fired(judge_component(D16, activity="renovate"), "REL-02")


def test_rel_04_sloopreglement_for_demolition_and_renovation():
    for activity in ("demolish", "renovate"):
        r = judge_component(D16, activity=activity)
        assert fired(r, "REL-04") and "sloopreglement" in condition_ids(r)
    assert not fired(judge_component(D16), "REL-04")
