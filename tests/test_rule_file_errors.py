"""Problems with rule files in the reader's language: `woningwet check CASE --rules DIR` with a broken
rules directory says every problem in Dutch (by default) or English, with file, line and field, and
exits 2 with nothing written. Each broken directory is the project's rules/ with one mistake made."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine.cli import main
from woningwet_engine.errors import InputError
from woningwet_engine.rulebook.loader import build_rulebook, read_rules_dir

from test_error_words import offences

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
CASE = ROOT / "cases" / "laak-2016.yaml"

# A rule file and a parameter file of this test's own, added to the project's rules: each mistake is
# made in them, so that the rest of the rulebook can change without changing what is tested.
TRIAL = """topic: zz-trial
title: {nl: "Proef", en: "Trial"}
rules:
  - id: GEB-98
    title: {nl: "Proefregel", en: "Trial rule"}
    valid_from: 2015-07-01
    valid_to: 2021-12-31
    legal_basis:
      - {bwb: BWBR0036702, name: BTIV, article: "41"}
    confidence: verified
    when: is_bog_space == true and bog_existing == true
    test: project_bog_floor_share <= param.zz_trial_share
    then:
      conditions: [minister-admission-acquisition]
      explain: {nl: "Binnen de grens van {param.zz_trial_share}.", en: "Within the limit."}
    else:
      verdict: forbidden
      explain: {nl: "Boven de grens.", en: "Above the limit."}
  - id: GEB-99
    title: {nl: "Tweede proefregel", en: "Second trial rule"}
    valid_from: 2015-07-01
    legal_basis:
      - {bwb: BWBR0036702, name: BTIV, article: "41"}
    confidence: verified
    when: is_bog_space == true
    then:
      explain: {nl: "Proef.", en: "Trial."}
"""
TRIAL_PARAM = """id: zz_trial_share
title: {nl: "Proefgrens", en: "Trial limit"}
unit: ratio
legal_basis:
  - {bwb: BWBR0036702, name: BTIV, article: "41"}
values:
  - valid_from: 2015-07-01
    value: "0.25"
    confidence: verified
    source: "this test"
"""
RULE, PARAM = "zz-trial.yaml", "parameters/zz_trial_share.yaml"
WHEN = "when: is_bog_space == true and bog_existing == true\n"

# (name, file, text replaced, replacement, field path, Dutch, English)
MISTAKES = [
    ("bad YAML", RULE, "topic: zz-trial\n", "topic: [zz-trial\n", "",
     "ongeldige YAML", "invalid YAML"),
    ("unknown field", RULE, "    confidence: verified\n    when: is_bog_space == true and",
     "    confidance: verified\n    when: is_bog_space == true and", "rules.0.confidance",
     "onbekend veld (hoort niet bij het formaat); bedoelt u 'confidence'?",
     "unknown field (not part of the format); did you mean 'confidence'?"),
    ("no citation", RULE, '    legal_basis:\n      - {bwb: BWBR0036702, name: BTIV, article: "41"}\n    confidence: '
     'verified\n    when: is_bog_space == true\n', "    confidence: verified\n    when: is_bog_space == true\n",
     "rules.1.legal_basis", "verplicht veld ontbreekt", "required field is missing"),
    ("bad date", RULE, "    valid_to: 2021-12-31\n", "    valid_to: 31-12-2021\n", "rules.0.valid_to",
     "schrijf datums als JJJJ-MM-DD, bijvoorbeeld 2021-12-31", "write dates as YYYY-MM-DD, e.g. 2021-12-31"),
    ("dates reversed", RULE, "    valid_to: 2021-12-31\n", "    valid_to: 2014-12-31\n", "rules.0",
     "'valid_to' ligt vóór 'valid_from'", "'valid_to' is before 'valid_from'"),
    ("unknown fact", RULE, WHEN, "when: is_bog_space == true and bog_existng == true\n", "rules.0.when",
     "onbekend feit 'bog_existng'; in kolom 26 van de voorwaarde `is_bog_space == true and bog_existng == true`; "
     "bedoelt u 'bog_existing'?", "unknown fact 'bog_existng'; at column 26 in the condition `is_bog_space == true "
     "and bog_existng == true`; did you mean 'bog_existing'?"),
    ("unknown parameter", RULE, "<= param.zz_trial_share\n", "<= param.zz_trial_shar\n", "rules.0.test",
     "onbekende parameter 'zz_trial_shar'", "unknown parameter 'zz_trial_shar'"),
    ("syntax", RULE, WHEN, "when: is_bog_space == \n", "rules.0.when",
     "syntaxisfout; in de voorwaarde `is_bog_space ==`", "syntax error: invalid syntax; in the condition `"),
    ("a fact of the wrong kind", RULE, WHEN, "when: is_bog_space == 3\n", "rules.0.when",
     "feit 'is_bog_space' is waar/onwaar (true/false), gegeven: 3", "fact 'is_bog_space' is true/false, got 3"),
    ("duplicate rule id", RULE, "  - id: GEB-99\n", "  - id: GEB-98\n", "rules.1.id",
     "regel GEB-98 staat al in rules/zz-trial.yaml", "rule id GEB-98 already defined in rules/zz-trial.yaml"),
    ("unknown condition", RULE, "[minister-admission-acquisition]", "[minister-admision-acquisition]",
     "rules.0.then.conditions.0", "onbekende voorwaarde 'minister-admision-acquisition' (niet in conditions.yaml)",
     "unknown condition id 'minister-admision-acquisition' (not in conditions.yaml)"),
    ("explanation names an unknown parameter", RULE, "grens van {param.zz_trial_share}", "grens van {param.zz_tria}",
     "rules.0.then.explain.nl", "de uitleg noemt een onbekende parameter param.zz_tria",
     "explanation names unknown parameter param.zz_tria"),
    ("explanation names an unknown fact", RULE, "{nl: \"Proef.\"", "{nl: \"Proef {floor_aera}.\"",
     "rules.1.then.explain.nl", "de uitleg noemt een onbekend feit '{floor_aera}'",
     "explanation names unknown fact '{floor_aera}'"),
    ("parameter values out of order", PARAM, '    source: "this test"\n', '    source: "this test"\n'
     '  - {valid_from: 2015-01-01, value: "0.20", confidence: verified, source: x}\n', "",
     "de waarden moeten op 'valid_from' gesorteerd zijn", "values must be sorted by 'valid_from'"),
    ("parameter file named otherwise", PARAM, "id: zz_trial_share\n", "id: zz_trial_sharing\n", "id",
     "parameter-id 'zz_trial_sharing' moet gelijk zijn aan de bestandsnaam 'zz_trial_share'",
     "parameter id 'zz_trial_sharing' must equal the file name 'zz_trial_share'"),
]


def with_trial() -> dict[str, bytes]:
    files = dict(read_rules_dir(RULES))
    files[RULE], files[PARAM] = TRIAL.encode(), TRIAL_PARAM.encode()
    return files


def broken(file: str, old: str, new: str) -> dict[str, bytes]:
    files = with_trial()
    text = files[file].decode()
    assert text.count(old) == 1, (file, old)  # the mistake is made where meant, once
    files[file] = text.replace(old, new).encode()
    return files


def test_the_trial_files_are_sound():
    """So each problem below comes from its one mistake."""
    book = build_rulebook(with_trial(), label="rules")
    assert {"GEB-98", "GEB-99"} <= {cr.rule.id for cr in book.rules}


def problems_of(files: dict[str, bytes]) -> InputError:
    with pytest.raises(InputError) as err:
        build_rulebook(files, label="rules")
    return err.value


@pytest.mark.parametrize("name, file, old, new, field, nl, en", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_a_broken_rule_file_is_said_in_the_readers_language(name, file, old, new, field, nl, en):
    exc = problems_of(broken(file, old, new))
    found = [p for p in exc.problems if p.file == f"rules/{file}" and p.path.startswith(field)]
    assert found, exc
    problem = found[-1]
    assert problem.line is not None, problem
    for lang, expected in (("nl", nl), ("en", en)):
        said = "\n".join(exc.lines(lang))
        assert expected in problem.text(lang), (lang, problem.text(lang))
        assert f"rules/{file}:{problem.line}" in said
        assert not offences(said, lang, {f"rules/{file}"}), (lang, offences(said, lang, {f"rules/{file}"}), said)


def test_the_rules_directory_itself_in_both_languages(tmp_path):
    gone = tmp_path / "nope"
    with pytest.raises(InputError) as err:
        read_rules_dir(gone)
    assert err.value.problems[0].text("nl").endswith("map met regels niet gevonden")
    assert err.value.problems[0].text("en").endswith("rules directory not found")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_check_with_a_broken_rules_directory_exits_2_with_dutch_or_english_lines(lang, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    bog = rules / RULE
    bog.write_text(TRIAL.replace(WHEN, "when: is_bog_space == true and bog_existng == true\n")
                   .replace("  - id: GEB-99\n", "  - id: GEB-98\n"))
    (rules / PARAM).write_text(TRIAL_PARAM)
    out = tmp_path / "out.txt"
    res = CliRunner().invoke(main, ["check", str(CASE), "--rules", str(rules), "-o", str(out), "--lang", lang])
    assert res.exit_code == 2 and not out.exists() and res.stdout == "", res.output
    lines = res.stderr.rstrip("\n").split("\n")
    assert lines[0] == ("fout: 2 problemen in de invoer:" if lang == "nl" else "error: 2 problems in the input:")
    assert all(line.startswith(f"  {bog}:") for line in lines[1:]), lines  # file and line on every problem
    assert ("regel GEB-98 staat al in" if lang == "nl" else "rule id GEB-98 already defined in") in res.stderr
    assert ("bedoelt u 'bog_existing'?" if lang == "nl" else "did you mean 'bog_existing'?") in res.stderr
    assert not offences(res.stderr, lang, {str(bog), str(rules)}), res.stderr


def test_every_rule_file_problem_the_loader_can_say_has_both_languages():
    """The English stays what programs and logs read; the Dutch is a sentence of its own, not a copy."""
    from woningwet_engine import i18n

    nl, en = (i18n.section(lang, "input_error") for lang in ("nl", "en"))
    for section in ("rules", "condition"):
        assert nl[section].keys() == en[section].keys()
        copies = [k for k in nl[section] if nl[section][k] == en[section][k] and "{" not in nl[section][k]]
        assert not copies, copies
