"""Input errors carry a hint: did-you-mean for unknown fields and codes, the date and amount formats, and a
duplicate component id at its own line in the same pass as every other problem (exit 2, nothing written).
The CLI says them in Dutch by default and in English with --lang en."""

from __future__ import annotations

import subprocess

import pytest
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "cases" / "kanaleneiland-2016.yaml").read_text(encoding="utf-8")


def check(tmp_path: Path, text: str, *args: str) -> subprocess.CompletedProcess:
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "woningwet_engine.cli", "check", str(case), *args],
                          capture_output=True, text=True, timeout=120)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    lines = [i for i, l in enumerate(text.splitlines(), 1) if needle in l]
    return lines[nth - 1]


# what each hint reads like in each language
WORDS = {
    "nl": {"mean": "bedoelt u '{}'?", "date": "schrijf datums als JJJJ-MM-DD, bijvoorbeeld 2016-06-01",
           "amount": "schrijf bedragen als een gewoon getal in euro's", "example": "bijvoorbeeld 36000000",
           "twice": "onderdeel-id 'K1' komt twee keer voor (eerst op regel {})", "frame": "fout: 3 problemen in de invoer:"},
    "en": {"mean": "did you mean '{}'?", "date": "write dates as YYYY-MM-DD, e.g. 2016-06-01",
           "amount": "write amounts as a plain number of euros", "example": "e.g. 36000000",
           "twice": "component id 'K1' is used twice (first at line {})", "frame": "error: 3 problems in the input:"},
}
LANG_ARGS = {"nl": (), "en": ("--lang", "en")}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_misspelt_field_dutch_date_and_euro_string_each_get_their_hint(tmp_path, lang):
    text = (SAMPLE.replace("floor_area_m2: 42000", "floor_aera_m2: 42000", 1)
            .replace("date: 2016-06-01", "date: 01-06-2016", 1)
            .replace("cost: 36000000", 'cost: "€ 36.000.000"', 1))
    assert text.count("floor_aera_m2") == 1 and "01-06-2016" in text and "€ 36.000.000" in text
    proc = check(tmp_path, text, *LANG_ARGS[lang])
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    err, w = proc.stderr, WORDS[lang]
    assert err.startswith(w["frame"] + "\n")
    assert f":{line_of(text, 'floor_aera_m2')} " in err and w["mean"].format("floor_area_m2") in err
    assert w["date"] in err
    assert w["amount"] in err and w["example"] in err


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_misspelt_code_gets_the_closest_value(tmp_path, lang):
    proc = check(tmp_path, SAMPLE.replace("activity: renovate", "activity: renovat", 1), *LANG_ARGS[lang])
    assert proc.returncode == 2 and WORDS[lang]["mean"].format("renovate") in proc.stderr


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_duplicate_component_id_at_its_own_line_with_the_other_problems(tmp_path, lang):
    text = SAMPLE.replace("- id: K2\n", "- id: K1\n", 1).replace("units: 600", "units: lots", 1)
    assert text.count("- id: K1\n") == 2
    proc = check(tmp_path, text, *LANG_ARGS[lang])
    assert proc.returncode == 2
    err = proc.stderr
    dup = line_of(text, "- id: K1", 2)
    assert f":{dup} [components.1.id]: " + WORDS[lang]["twice"].format(line_of(text, '- id: K1')) in err
    assert "components.0.units" in err  # reported in the same pass


def test_hints_do_not_guess_wildly():
    from woningwet_engine.case import Case
    from woningwet_engine.hints import hint_for

    assert hint_for({"type": "extra_forbidden", "loc": ("components", 0, "zzzzzz"), "input": 1}, Case) is None
    assert hint_for({"type": "int_parsing", "loc": ("components", 0, "units"), "input": "lots"}, Case) is None
    assert hint_for({"type": "value_error", "loc": ("components", 0, "cost"), "input": "1.000,50 EUR"}, Case) \
        .endswith("e.g. 1000.50")


def test_the_english_message_for_programs_keeps_pydantic_s_words(tmp_path):
    """`str(problem)` / `.message` (what programs and logs see) are English whatever the reader's language."""
    from woningwet_engine.case import load_case
    from woningwet_engine.errors import InputError

    case = tmp_path / "case.yaml"
    case.write_text(SAMPLE.replace("units: 600", "units: lots", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_case(case)
    (problem,) = info.value.problems
    assert "Input should be a valid integer" in problem.message and "(got 'lots')" in problem.message
    assert str(problem).endswith(problem.message) and "[components.0.units]" in str(problem)
    assert problem.what("nl") == "geen getal (gegeven: 'lots')"
    assert problem.what("en") == "not a number (got 'lots')"
