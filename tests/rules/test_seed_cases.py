"""The Laak (Den Haag, 2016) and Woonstad Rotterdam (2019) sample cases: the liveability verdicts the
law gives for each component, and how they change under the 2022 regime."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulehelpers import judge, plan_check

from woningwet_engine.case import load_case

CASES = Path(__file__).resolve().parents[2] / "cases"


def components(name: str, at: str | None = None) -> dict:
    result = judge(load_case(CASES / f"{name}.yaml"), at=at)
    return {c.id: c for c in result.components}


@pytest.fixture(scope="module")
def laak():
    return components("laak-2016")


@pytest.fixture(scope="module")
def laak_2022():
    return components("laak-2016", at="2022-06-01")


@pytest.fixture(scope="module")
def woonstad():
    return components("woonstad-2019")


def verdict_rules(c):
    return {r.rule for r in c.reasons if r.effect == "verdict"}


def conds(c):
    return {x.id for x in c.conditions}


def test_case_files_are_labelled_illustrative():
    for name in ("laak-2016", "woonstad-2019"):
        case = load_case(CASES / f"{name}.yaml")
        assert case.illustrative
    laak = load_case(CASES / "laak-2016.yaml")
    assert laak.corporation.home_municipality == "GM0518" and laak.corporation.aw_l_number == "L1768"
    assert {c.location.wijk for c in laak.components} == {"WK051838"}
    woonstad = load_case(CASES / "woonstad-2019.yaml")
    assert woonstad.corporation.home_municipality == "GM0599" and woonstad.corporation.aw_l_number == "L0079"


@pytest.mark.parametrize("cid", ["L1", "L2", "L3"])
def test_laak_agreed_liveability_within_btiv_51_is_daeb(laak, cid):
    assert laak[cid].verdict == "daeb" and "DAEB-04" in verdict_rules(laak[cid])
    assert {"prestatieafspraken", "annual-overview"} <= conds(laak[cid])
    assert any("illustrati" in a for a in laak[cid].assumptions)


def test_laak_wijkmakelaar_coalition_budget_is_not_leefbaarheid(laak, laak_2022):
    for result in (laak, laak_2022):
        assert result["L4"].verdict == "forbidden" and "LFB-03" in verdict_rules(result["L4"])
        assert result["L4"].party == "municipality"


def test_laak_neighbourhood_events_forbidden_in_2016_allowed_from_2022(laak, laak_2022):
    assert laak["L5"].verdict == "forbidden" and "LFB-03.ontmoeting" in verdict_rules(laak["L5"])
    assert laak_2022["L5"].verdict == "daeb" and "LFB-04" in verdict_rules(laak_2022["L5"])


def test_laak_resident_initiatives_and_renovation(laak):
    assert laak["L6"].verdict == "daeb" and "LFB-05" in verdict_rules(laak["L6"])
    assert laak["L7"].verdict == "daeb" and "sloopreglement" in conds(laak["L7"])


def test_laak_cap_decided_in_2016_on_the_lower_bound():
    # EUR 91.37 per DAEB home against a 2016 cap of at least EUR 125 (BTIV 51 lid 2, indexed upwards only)
    result = judge(load_case(CASES / "laak-2016.yaml"))
    assert plan_check(result, "PLAN-LFB-CAP").status == "pass"


def test_woonstad_liveability_to_keep_homes_lettable(woonstad):
    for cid in ("W1", "W2"):
        assert woonstad[cid].verdict == "daeb" and "DAEB-04" in verdict_rules(woonstad[cid])
        assert "prestatieafspraken" in conds(woonstad[cid])
    assert woonstad["W3"].verdict == "daeb" and "GEB-02.c" in verdict_rules(woonstad["W3"])
    assert woonstad["W4"].verdict == "daeb"
    assert woonstad["W5"].verdict == "daeb" and "DAEB-01.e2" in verdict_rules(woonstad["W5"])
    assert woonstad["W6"].verdict == "daeb" and "LFB-05" in verdict_rules(woonstad["W6"])
    assert woonstad["W7"].verdict == "forbidden"


def test_woonstad_festival_allowed_from_2022():
    assert components("woonstad-2019", at="2022-01-01")["W7"].verdict == "daeb"
