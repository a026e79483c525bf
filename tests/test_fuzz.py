"""Hostile input: every corpus file, malformed rule file and mutated case gets a clean error
(exit 2, file and field named, no traceback, nothing half-written) or a correct result, within a
time and memory bound."""

from __future__ import annotations

import copy
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from woningwet_engine.case import Case, parse_case
from woningwet_engine.cli import main
from woningwet_engine.engine import judge
from woningwet_engine.errors import InputError
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR, build_rulebook, read_rules_dir
from woningwet_engine.yamlio import LoadedYaml

from clirun import HOSTILE_RSS, ROOT, hostile_cpu_budget, run_cli as _run
from rulehelpers import rule_file

CORPUS = sorted((Path(__file__).parent / "fuzz" / "corpus").glob("*.yaml"))
TIMEOUT = 120  # seconds per CLI run; the slowest corpus file (1,500 components) takes a few


def run_cli(args: list[str], cwd: Path):
    return _run(args, cwd=cwd, timeout=TIMEOUT)


def expectation(path: Path) -> tuple[str, str | None]:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# expect: "), path
    parts = first[len("# expect: "):].split(maxsplit=1)
    return parts[0], (parts[1] if len(parts) > 1 else None)


@pytest.fixture(scope="module")
def corpus_runs(tmp_path_factory):
    """All corpus files through `woningwet check --format json -o`, two at a time."""
    out_dir = tmp_path_factory.mktemp("fuzz-out")

    def one(path: Path):
        out = out_dir / f"{path.stem}.json"
        proc = run_cli(["check", str(path), "--format", "json", "-o", str(out)], ROOT)
        return path.name, (proc, out, sorted(p.name for p in out_dir.glob(f"*{path.stem}*")))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, CORPUS))


def test_corpus_is_present():
    assert len(CORPUS) >= 30
    kinds = {expectation(p)[0] for p in CORPUS}
    assert kinds == {"error", "result"}


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_corpus_file(path: Path, corpus_runs):
    proc, out, leftovers = corpus_runs[path.name]
    stderr = proc.stderr.decode("utf-8", "replace")
    want, field = expectation(path)
    assert "Traceback" not in stderr, stderr[-2000:]
    if want == "error":
        assert proc.returncode == 2, (proc.returncode, stderr[-1000:])
        assert str(path.relative_to(ROOT)) in stderr or str(path) in stderr, stderr[:500]
        if field:
            assert f"[{field}]" in stderr, stderr[:1000]
        assert not out.exists() and leftovers == [], "nothing may be written on an input error"
        assert proc.stdout == b""
        assert stderr.count("\n  ") == 1, "one clear message: " + stderr[:1000]
        assert proc.cpu_s < hostile_cpu_budget() and proc.max_rss < HOSTILE_RSS, (proc.cpu_s, proc.max_rss >> 20)
    else:
        assert proc.returncode in (0, 1), stderr[-1000:]
        result = json.loads(out.read_text(encoding="utf-8"))
        n = len(yaml.safe_load(path.read_text(encoding="utf-8"))["components"])
        assert result["summary"]["components"] == n == len(result["components"])
        assert leftovers == [out.name], "only the finished output file remains"


def test_negative_rent_is_refused_with_its_field(corpus_runs):
    """A negative amount is an input error, not a rent that happens to be below every limit."""
    proc, out, _ = corpus_runs["negative_rent.yaml"]
    assert proc.returncode == 2 and "een bedrag mag niet negatief zijn" in proc.stderr.decode()  # Dutch by default
    assert not out.exists()


def test_oversized_file_is_refused_without_reading_it_all(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("w") as fh:
        fh.write("case_id: big\ntitle: big\ndescription: '")
        fh.write("x" * (9 * 1024 * 1024))
        fh.write("'\n")
    proc = run_cli(["check", str(big), "-o", str(tmp_path / "out.json")], ROOT)
    assert proc.returncode == 2 and b"groter dan" in proc.stderr and b"Traceback" not in proc.stderr
    assert not (tmp_path / "out.json").exists()


# --- malformed rule files ---------------------------------------------------------------------------

RULE = rule_file("zz-fuzz", "DAEB-99", "fuzz", "fuzz")
MARKER = f"/tmp/woningwet-fuzz-marker-{os.getpid()}"  # must never be created: rule text is never executed
RULE_CASES = {
    "syntax": (RULE.replace("WHEN", "object == = 'dwelling'"), "rules.0.when"),
    "unknown_fact": (RULE.replace("WHEN", "colour == 'red'"), "rules.0.when"),
    "unknown_param": (RULE.replace("WHEN", "rent <= param.no_such_limit"), "rules.0.when"),
    "type_mismatch": (RULE.replace("WHEN", "rent == 'cheap'"), "rules.0.when"),
    "python_call": (RULE.replace("WHEN", f"__import__('os').mkdir('{MARKER}')"), "rules.0.when"),
    "deep_condition": (RULE.replace("WHEN", "'" + "(" * 3000 + "units > 1" + ")" * 3000 + "'"), "rules.0.when"),
    "huge_condition": (RULE.replace("WHEN", "'" + " or ".join(["units == 1"] * 2000) + "'"), "rules.0.when"),
    "missing_legal_basis": (RULE.replace('      - {bwb: BWBR0005181, name: Woningwet, article: "47", lid: "1"}\n', "")
                            .replace("    legal_basis:\n", ""), "rules.0.legal_basis"),
    "unknown_field": (RULE.replace("    confidence: verified\n", "    confidence: verified\n    surprise: 1\n"),
                      "rules.0.surprise"),
    "bad_bwb": (RULE.replace("bwb: BWBR0005181", "bwb: XYZ"), "rules.0.legal_basis.0.bwb"),
    "dates_reversed": (RULE.replace("valid_from: 2015-07-01", "valid_from: 2020-01-01\n    valid_to: 2019-01-01"),
                       "rules.0"),
    "duplicate_id": (RULE.replace("DAEB-99", "DAEB-01.b"), "rules.0.id"),
    "unknown_condition": (RULE.replace("      verdict: daeb\n", "      verdict: daeb\n      conditions: [no-such-thing]\n"),
                          "rules.0.then.conditions.0"),
    "python_tag": (RULE.replace("when: WHEN", f"when: !!python/object/apply:os.mkdir ['{MARKER}']"), None),
    "alias": (RULE.replace("title: {nl: fuzz, en: fuzz}\nrules", "title: &t {nl: fuzz, en: fuzz}\nrules")
              .replace("    title: {nl: fuzz, en: fuzz}", "    title: *t"), None),
}


@pytest.mark.parametrize("name", sorted(RULE_CASES))
def test_malformed_rule_file_is_named_with_its_field(name, tmp_path):
    text, field = RULE_CASES[name]
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    (rules / "zz-fuzz.yaml").write_text(text.replace("WHEN", "units > 1"), encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "validate", "--rules", str(rules)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "zz-fuzz.yaml" in res.output
    assert not os.path.exists(MARKER)
    if field:
        assert f"[{field}]" in res.output, res.output


def test_malformed_rules_via_subprocess_leave_no_output(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    (rules / "zz-fuzz.yaml").write_text(RULE_CASES["deep_condition"][0], encoding="utf-8")
    out = tmp_path / "out.json"
    proc = run_cli(["check", str(ROOT / "cases" / "kanaleneiland-2016.yaml"), "--rules", str(rules),
                    "--format", "json", "-o", str(out)], ROOT)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"zz-fuzz.yaml" in proc.stderr and b"[rules.0.when]" in proc.stderr
    assert not out.exists()


def test_malformed_parameter_file(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    p = rules / "parameters" / "liberalisatiegrens.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("value:", "value: .nan\n    old_value:", 1), encoding="utf-8")
    res = CliRunner().invoke(main, ["rules", "validate", "--rules", str(rules)])
    assert res.exit_code == 2 and "liberalisatiegrens.yaml" in res.output, res.output


# --- hypothesis: mutations of a valid case and of a valid rule file, in-process -------------------

CASE_TEXT = (ROOT / "cases" / "kanaleneiland-2016.yaml").read_text(encoding="utf-8")
CASE_DATA = yaml.safe_load(CASE_TEXT)
BOOK = None

hostile_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50), st.text(min_size=3000, max_size=3000, alphabet="ab"),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(["2016-02-30", "1800-01-01", "GM0344", "rent", "-1", "1e309", "0.001", ""]))


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


CASE_PATHS = [p for p in _paths(CASE_DATA) if p]


@st.composite
def mutated_cases(draw):
    data = copy.deepcopy(CASE_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(CASE_PATHS))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            op = draw(st.sampled_from(["set", "delete", "add"]))
            if op == "set":
                parent[path[-1]] = draw(hostile_values)
            elif op == "delete":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=10))] = draw(hostile_values)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed or replaced part of the path
    return data


def book():
    global BOOK
    if BOOK is None:
        BOOK = load_rulebook()
    return BOOK


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated_cases())
def test_mutated_case_gives_clean_error_or_result(data):
    loaded = LoadedYaml(data, {(): 1}, "mutated.yaml")
    try:
        case = parse_case(data, loaded)
    except InputError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file == "mutated.yaml" and p.message
        return
    assert isinstance(case, Case)
    try:
        result = judge(case, book(), source="mutated.yaml")
    except InputError as exc:  # e.g. a date outside the rulebook's coverage
        assert all(p.file == "mutated.yaml" and p.path for p in exc.problems)
        return
    assert result.summary.components == len(case.components)
    json.dumps(result.model_dump(mode="json"), allow_nan=False)


RULE_FILES = read_rules_dir(DEFAULT_RULES_DIR)
DAEB = yaml.safe_load(RULE_FILES["daeb.yaml"])
RULE_PATHS = [p for p in _paths(DAEB) if p and p[0] == "rules"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mutated_rule_file_gives_clean_error_or_a_rulebook(data):
    doc = copy.deepcopy(DAEB)
    path = data.draw(st.sampled_from(RULE_PATHS))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(hostile_values)
    else:
        del parent[path[-1]]
    try:
        text = yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return
    files = dict(RULE_FILES, **{"daeb.yaml": text.encode("utf-8")})
    try:
        built = build_rulebook(files, label="fuzz")
    except InputError as exc:
        assert exc.problems and all(p.file.startswith("fuzz/") and p.message for p in exc.problems)
        assert any(p.file == "fuzz/daeb.yaml" for p in exc.problems) or any(
            "parameter" in p.message for p in exc.problems)
        return
    assert built.rules
