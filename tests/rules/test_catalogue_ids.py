"""Every catalogue rule of the topics GEB, DAEB, MV, BOG, LFB, GEO and REL is either encoded or listed
in rules/out-of-scope.yaml with a reason; none is silently dropped and none is both."""

from __future__ import annotations

import pytest

from rulehelpers import rulebook

# rules-catalogue.md §2.1-2.5, 2.12, 2.13: the number of rules per topic
CATALOGUE = {"GEB": 10, "DAEB": 11, "MV": 11, "BOG": 6, "LFB": 7, "GEO": 7, "REL": 5}
IDS = [f"{topic}-{n:02d}" for topic, count in CATALOGUE.items() for n in range(1, count + 1)]


@pytest.mark.parametrize("rule_id", IDS)
def test_catalogue_rule_is_encoded_or_out_of_scope(rule_id):
    book = rulebook()
    encoded = {cr.rule.catalogue_id for cr in book.rules}
    out = {e.id: e for e in book.out_of_scope}
    assert (rule_id in encoded) != (rule_id in out), f"{rule_id}: encoded={rule_id in encoded}, out={rule_id in out}"
    if rule_id in out:
        entry = out[rule_id]
        assert entry.reason.nl.strip() and entry.reason.en.strip() and entry.legal_basis


def test_no_rule_id_outside_the_catalogue():
    for cr in rulebook().rules:
        topic, number = cr.rule.catalogue_id.split("-")
        if topic in CATALOGUE:
            assert 1 <= int(number) <= CATALOGUE[topic], cr.rule.id
