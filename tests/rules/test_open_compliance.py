"""A violation test left open by a missing fact leaves the component's compliance undetermined.

When a rule applies (its `when` holds) but its test cannot be evaluated because the case lacks a fact, the
law may see a violation there: the component is not compliant-as-far-as-known but niet te beoordelen
(`compliant: null`), with a reason naming the missing case field, in the result, the summary, the CLI
table and the memo. A decided violation still makes it non-compliant; a rule that does not apply leaves
it alone.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from a2helpers import mid_rent
from rulehelpers import make_case, component, judge
from woningwet_engine.cli import main

D16 = "2016-06-01"
RATIOS = {"non_daeb_icr": "1.6", "non_daeb_debt_woz_share": "0.4"}


def open_reasons(cr, rule_id="MT-08"):
    return [r for r in cr.reasons if r.rule == rule_id and r.effect == "undetermined"]


def test_missing_ratios_leave_a_non_daeb_build_undetermined_naming_the_case_fields():
    cr = mid_rent(D16, rent="1100.00", units=10, cost="2400000")  # MT-07 met, MT-08 open
    assert cr.verdict == "non_daeb" and cr.compliant is None
    (why,) = open_reasons(cr)
    assert "corporation.non_daeb_icr" in why.text and "corporation.non_daeb_debt_woz_share" in why.text
    assert why.citation.article == "20" and why.citation.lid == "2"  # RTIV 20 lid 2


def test_stated_ratios_decide_it():
    cr = mid_rent(D16, rent="1100.00", units=10, cost="2400000", corp=RATIOS)
    assert cr.compliant is True and not open_reasons(cr)
    bad = mid_rent(D16, rent="1100.00", units=10, cost="2400000", corp={**RATIOS, "non_daeb_icr": "1.2"})
    assert bad.compliant is False and any(r.rule == "MT-08" and r.effect == "violation" for r in bad.reasons)


def test_a_rule_that_does_not_apply_leaves_compliance_alone():
    daeb = mid_rent(D16, rent="600.00")  # DAEB rent: MT-08 does not apply
    assert daeb.verdict == "daeb" and daeb.compliant is True and not open_reasons(daeb)


def test_a_decided_violation_outweighs_an_open_test():
    cr = mid_rent(D16, rent="1100.00", units=10, cost="2400000.01")  # MT-07 fails, MT-08 open
    assert cr.compliant is False and open_reasons(cr)
    assert any(r.rule == "MT-07.rent" and r.effect == "violation" for r in cr.reasons)


def _case():
    return make_case(D16, [component(id="M", dwelling={"rent": "1100.00"}, units=10, cost="2400000"),
                           component(id="S", dwelling={"rent": "600.00"})])


def test_summary_lists_it_as_undetermined_not_as_non_compliant():
    result = judge(_case())
    assert [c.compliant for c in result.components] == [None, True]
    assert result.summary.undetermined == ["M"] and result.summary.non_compliant == []
    assert result.summary.compliant is False  # the plan cannot be called compliant


def test_cli_and_memo_say_niet_te_beoordelen(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(_case().canonical()), encoding="utf-8")
    res = CliRunner().invoke(main, ["check", str(path), "--width", "120"])
    assert res.exit_code == 1
    row = next(line for line in res.output.splitlines() if line.startswith("M "))
    assert "NOG NIET TE BEOORDELEN" in row and "NIET CONFORM" not in row
    assert "gegevens aanvullen voor M" in res.output
    data = json.loads(CliRunner().invoke(main, ["check", str(path), "--format", "json"]).output)
    assert data["components"][0]["compliant"] is None and data["summary"]["undetermined"] == ["M"]
    memo = tmp_path / "memo.md"
    assert CliRunner().invoke(main, ["report", str(path), "--format", "md", "-o", str(memo)]).exit_code in (0, 1)
    text = memo.read_text(encoding="utf-8")
    assert "**M** test dwelling" in text and "nog niet te beoordelen" in text
    assert "corporation.non_daeb_icr" in text
