"""Policy as data (rules/policy/parties.yaml, remedies.yaml): the split and remedy stages follow the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from woningwet_engine.case import load_case
from woningwet_engine.engine import judge
from woningwet_engine.errors import InputError
from woningwet_engine.result import canonical_json
from woningwet_engine.rulebook.loader import build_rulebook, read_rules_dir

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"
PACKAGE = ROOT / "woningwet_engine"


def _book(tmp_path, rel: str, old: str, new: str):
    files = read_rules_dir(ROOT / "rules")
    text = files[rel].decode()
    assert old in text, old
    files[rel] = text.replace(old, new, 1).encode()
    return build_rulebook(files, label=str(tmp_path))


def _parts(book) -> dict:
    result = json.loads(canonical_json(judge(load_case(CASE), book)))
    return {p["component"]: p for p in result["splits"]["parts"]}, {c["id"]: c for c in result["components"]}


def test_the_party_policy_decides_the_split():
    parts, _ = _parts(build_rulebook(read_rules_dir(ROOT / "rules")))
    assert parts["K5"]["party"] == "market" and parts["K5"]["how"]
    assert parts["K4"]["rule"] == "MT-04" and parts["K12"]["rule"] == "VK-01"


def test_an_entry_moved_by_data_changes_the_party(tmp_path):
    edited = _book(tmp_path, "policy/parties.yaml",
                   "    when: 'object == \"dwelling\" and tenure == \"sale\" and activity in [\"build\", \"acquire\"]'",
                   "    when: 'object == \"dwelling\" and tenure == \"sale\" and activity == \"demolish\"'")
    before, _ = _parts(build_rulebook(read_rules_dir(ROOT / "rules")))
    parts, _ = _parts(edited)
    assert "bouwgrond" in before["K5"]["how"] and "bouwgrond" not in (parts["K5"]["how"] or "")
    assert parts["K5"]["reason"] != before["K5"]["reason"]


def test_the_cited_rule_is_found_by_its_topic_not_its_id(tmp_path):
    edited = _book(tmp_path, "policy/parties.yaml", "    cite_topic: markttoets\n", "    cite_topic: daeb\n")
    parts, _ = _parts(edited)
    assert parts["K4"]["party"] == "market" and not parts["K4"]["rule"].startswith("MT-")


def test_the_remedy_map_is_data(tmp_path):
    def fields(book):
        _, comps = _parts(book)
        return {ch["field"] for c in comps.values() for r in c["remediation"] for ch in r["changes"]}

    assert "leefbaarheid.category" in fields(build_rulebook(read_rules_dir(ROOT / "rules")))
    edited = _book(tmp_path, "policy/remedies.yaml", "  lfb_category: {path: leefbaarheid.category, unit: enum, kind: change}\n", "")
    assert "leefbaarheid.category" not in fields(edited)


@pytest.mark.parametrize("rel, old, new, message", [
    ("policy/parties.yaml", "    cite_topic: verkoop\n", "    cite_topic: verkopen\n", "unknown rule topic 'verkopen'"),
    ("policy/parties.yaml", "    basis: [sale, cited]\n", "    basis: [sales, cited]\n", "unknown legal basis 'sales'"),
    ("policy/parties.yaml", "    text: land_sale\n", "    text: land_sold\n", "no sentence 'land_sold'"),
    ("policy/parties.yaml", "tenure == \"sale\"", "tenure == \"sold\"", "'sold' is not a value of 'tenure'"),
    ("policy/parties.yaml", "floor_share_param: bog_max_floor_share", "floor_share_param: bog_max_floor", "unknown parameter"),
    ("policy/remedies.yaml", "  rent: {path", "  rents: {path", "unknown component fact 'rents'"),
    ("policy/remedies.yaml", "condition: prestatieafspraken", "condition: prestatie", "unknown condition id 'prestatie'"),
])
def test_the_loader_refuses_a_policy_that_names_what_does_not_exist(tmp_path, rel, old, new, message):
    with pytest.raises(InputError) as exc:
        _book(tmp_path, rel, old, new)
    hits = [p for p in exc.value.problems if message in p.message]
    assert hits, [p.message for p in exc.value.problems]
    assert hits[0].file.endswith(rel)


def test_no_rule_id_shapes_or_parameter_names_in_the_split_stage():
    source = (PACKAGE / "split.py").read_text(encoding="utf-8")
    for needle in ('startswith("VK-")', 'startswith("MT-")', '"BOG-01"', '"GEB-02', 'markttoets-', '"bog_max_',
                   '"verlicht_max_', "BASIS["):
        assert needle not in source, needle
    assert "FIELDS: dict" not in (PACKAGE / "remediation.py").read_text(encoding="utf-8")
