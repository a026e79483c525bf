"""Golden results: reports/<case>.json is exactly what `woningwet check --format json` gives today.

When a rule or parameter changes on purpose, regenerate with `bash scripts/run` and review the diff.
"""

from pathlib import Path

import pytest

from woningwet_engine.case import load_case
from woningwet_engine.engine import judge
from woningwet_engine.result import canonical_json
from woningwet_engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "cases").glob("*.yaml"))


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_result_matches_golden(case_path):
    golden = ROOT / "reports" / f"{case_path.stem}.json"
    assert golden.exists(), f"{golden} is missing: run `bash scripts/run`"
    current = canonical_json(judge(load_case(case_path), load_rulebook()))
    assert current == golden.read_text(encoding="utf-8"), f"{golden.name} is stale: run `bash scripts/run` and review"
