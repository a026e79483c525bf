"""Input errors speak the reader's language: every bad input the tests already have (the fuzz corpus,
the hint samples, paths that are not regular files, unsafe output targets, bad coalition cases, bad
audit context, broken decision logs and bundles, bad web options, bad unit registers) rendered in Dutch
and in English. Dutch holds no English prose, neither language a catalogue key or an unfilled
placeholder, and every problem keeps its file (and its line and field where it has them)."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from woningwet_engine.errors import InputError
from woningwet_engine.rulebook import load_rulebook

from test_vocabulary import ENGLISH_PROSE

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "fuzz" / "corpus").glob("*.yaml"))
KANALENEILAND = ROOT / "cases" / "kanaleneiland-2016.yaml"
LAAK = ROOT / "cases" / "coalition" / "laak-coalitie.yaml"

# English words of error messages that are no Dutch words (is, in, of, door are): in a Dutch problem
# they mean a sentence was not translated
ENGLISH_ERROR_WORDS = ENGLISH_PROSE | {
    "not", "must", "cannot", "can", "expected", "got", "invalid", "missing", "unknown", "field", "number",
    "date", "write", "did", "you", "mean", "too", "only", "give", "should", "input", "valid", "error",
    "problem", "problems", "file", "directory", "such", "no", "a", "an", "or", "at", "than", "larger",
    "allowed", "needs", "used", "twice", "listed", "record", "log", "decision", "read", "refused", "there",
    "value", "values", "least", "most", "out", "range", "digits", "character", "characters", "line"}
# and the other way round: Dutch words that would mean an English problem was not translated
DUTCH_ERROR_WORDS = {"fout", "probleem", "problemen", "niet", "geen", "bestand", "verwacht", "gegeven", "ontbreekt",
                     "bedoelt", "schrijf", "waarde", "beslissing", "onderdeel", "regel", "tekst", "kan", "moet"}
LEAKS = re.compile(r"[{}]|\binput_error\b|\b(?:value|hint|yaml|case|coalition|log|bundle|stock|os|output|cli|web|"
                   r"context|number|file_kind|where|key|receipt)\.[a-z_]+\b")


def _said(exc: InputError, lang: str) -> str:
    return "\n".join(exc.lines(lang))


def _prose(text: str, files: set[str]) -> str:
    """What a person reads as sentences: without the file names, the field paths in brackets, quoted
    values and codes (what the writer typed), option names and the formats' own notation."""
    for f in sorted(files, key=len, reverse=True):
        text = text.replace(f, " ")
    text = re.sub(r"\[[^\]\n]*\]", " ", text)
    text = re.sub(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`", " ", text)
    text = re.sub(r"(?<!\w)--?[a-z][\w-]*|\$[A-Z_]+|\bU\+[0-9A-F]{4}\b", " ", text)
    return text


def offences(text: str, lang: str, files: set[str]) -> list[str]:
    prose = _prose(text, files)
    found = [m.group(0) for m in LEAKS.finditer(prose)]
    words = set(re.findall(r"[a-z]+", prose.lower()))
    found += sorted(words & (ENGLISH_ERROR_WORDS if lang == "nl" else DUTCH_ERROR_WORDS))
    return found


def test_the_detector_is_not_blind():
    assert offences("fout: 1 probleem in de invoer:\n  f.yaml:3 [x]: required field is missing", "nl", {"f.yaml"})
    assert offences("error: 1 problem in the input:\n  f.yaml: geen datum", "en", {"f.yaml"})
    assert offences("f.yaml: {n} onbekend", "nl", {"f.yaml"}) == ["{", "}"]
    assert offences("f.yaml: value.missing", "en", {"f.yaml"})
    assert not offences("fout: 1 probleem in de invoer:\n  f.yaml:3 [a.b_c]: geen getal (gegeven: 'the x'); "
                        "bedoelt u 'floor_area_m2'?", "nl", {"f.yaml"})


# ------------------------------------------------------------------ the bad inputs

def _load(path: Path):
    """Load and judge, as `woningwet check` does (a date outside the rulebook is refused by the judge)."""
    from woningwet_engine.coalition.judge import judge_coalition
    from woningwet_engine.coalition.load import is_coalition, load_any_case
    from woningwet_engine.engine import judge

    book = load_rulebook()
    case = load_any_case(path, book)
    (judge_coalition if is_coalition(case) else judge)(case, book, source=str(path))


def _corpus() -> dict:
    return {f"corpus/{p.stem}": (lambda p=p: _load(p)) for p in CORPUS
            if p.read_text(encoding="utf-8", errors="replace").startswith("# expect: error")}


def _edited(tmp_path: Path, source: Path, old: str, new: str, name: str):
    text = source.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return lambda: _load(path)


def _samples(tmp_path: Path) -> dict:
    from woningwet_engine.audit.context import check_text, context_from_options
    from woningwet_engine.audit.log import DecisionLog, check_bundle
    from woningwet_engine.audit.verify import verify_log
    from woningwet_engine.output import destination
    from woningwet_engine.web.service import Options

    out: dict = {}
    # the three hints and a duplicate id (tests/test_input_hints.py)
    out["hint/field-date-amount"] = _edited(tmp_path, KANALENEILAND, "floor_area_m2: 42000", "floor_aera_m2: 42000",
                                            "a.yaml")
    out["hint/dutch-date"] = _edited(tmp_path, KANALENEILAND, "date: 2016-06-01", "date: 01-06-2016", "b.yaml")
    out["hint/euro-string"] = _edited(tmp_path, KANALENEILAND, "cost: 36000000", 'cost: "€ 36.000.000"', "c.yaml")
    out["hint/code"] = _edited(tmp_path, KANALENEILAND, "activity: renovate", "activity: renovat", "d.yaml")
    out["hint/duplicate-id"] = _edited(tmp_path, KANALENEILAND, "- id: K2\n", "- id: K1\n", "e.yaml")
    # bad coalition cases (tests/test_coalition.py)
    for n, (old, new) in enumerate([
            ("    carried_by: vestia\n", "    carried_by: haag-wonen\n"),
            ("duwo: 0.1}}", "duwo: 0.05}}"),
            ("duwo: 5000}}", "duwo: 4000}}"),
            ("    start: 2022-06-01\n", "    start: 2031-06-01\n")]):
        out[f"coalition/{n}"] = _edited(tmp_path, LAAK, old, new, f"coalition-{n}.yaml")
    # paths that are not regular files (tests/test_hostile.py)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    (tmp_path / "dir.yaml").mkdir()
    sock_path = tmp_path / "s.yaml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    sock.close()
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    for name in ("fifo.yaml", "dir.yaml", "s.yaml", "gone.yaml", "missing.yaml"):
        out[f"path/{name}"] = lambda name=name: _load(tmp_path / name)
    # unsafe output targets (tests/test_output.py)
    linked = tmp_path / "linked.json"
    linked.write_text("old")
    os.link(linked, tmp_path / "other.json")
    (tmp_path / "plain").write_text("x")
    for name, target in (("fifo", fifo), ("dir", tmp_path / "dir.yaml"), ("hard-link", linked),
                         ("parent-is-a-file", tmp_path / "plain" / "out.json"), ("empty", ".")):
        out[f"output/{name}"] = lambda target=target: destination(target)
    # audit context and the decision log (tests/test_audit_context.py, test_audit.py)
    for n, value in enumerate(["", "Jan\nde Vries", "Jan \udcff Vries", "x" * 201, "RvC \u202e7"]):
        out[f"context/{n}"] = lambda value=value: check_text("--by", value, 200)
    out["context/without-record"] = lambda: context_from_options(False, "Jan", None, None)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not sqlite at all " * 100)
    out["log/missing"] = lambda: DecisionLog.open(tmp_path / "nope.sqlite")
    out["log/junk"] = lambda: DecisionLog.open(junk)
    out["log/verify-dir"] = lambda: verify_log(tmp_path / "dir.yaml")
    bundle = tmp_path / "bundle.jsonl"
    bundle.write_text('{"type": "record", "id": 1}\nnot json\n{"type": "other"}\n', encoding="utf-8")
    out["log/bundle"] = lambda: check_bundle(bundle)
    # the web app's options
    out["web/options"] = lambda: Options.parse({"lang": "de", "keep_by": "size", "at": "1-6-2016"}.get)
    return out


def _stock(tmp_path: Path) -> dict:
    """Unit registers the stock command refuses as a whole (not row by row)."""
    from click.testing import CliRunner

    from woningwet_engine.cli import main

    csv = tmp_path / "units.csv"
    csv.write_text("unit_id,municipality\nA,GM0344\n", encoding="utf-8")
    sample = (ROOT / "cases" / "stock-sample.csv").read_text(encoding="utf-8").splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join(sample[:3] + sample[1:2]) + "\n", encoding="utf-8")
    txt = tmp_path / "units.txt"
    txt.write_text("x", encoding="utf-8")

    def run(*args):
        def go(lang):
            res = CliRunner().invoke(main, ["stock", *map(str, args), "--at", "2016-06-01", "--lang", lang])
            assert res.exit_code == 2, res.output
            return res.stderr
        return go

    return {"stock/missing-column": run(csv), "stock/format": run(txt), "stock/not-found": run(tmp_path / "absent.csv"),
            "stock/duplicate-id": run(dup)}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_bad_input_is_said_in_the_readers_language(lang, tmp_path):
    samples = _corpus() | _samples(tmp_path)
    assert len(samples) > 60
    bad, files = [], {str(tmp_path), str(ROOT)}
    for name, make in samples.items():
        with pytest.raises(InputError) as info:
            make()
        exc = info.value
        said = _said(exc, lang)
        for p in exc.problems:
            assert p.file and p.file in said, (name, p)  # the file stays in every message
            if p.line is not None:
                assert f"{p.file}:{p.line}" in said, (name, said)
            assert p.what("en") and str(p).endswith(p.message), (name, p)  # English for programs, always
        found = offences(said, lang, files | {p.file for p in exc.problems})
        if found:
            bad.append((name, found, said[:400]))
    assert not bad, bad[:6]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_stock_refusals_are_said_in_the_readers_language(lang, tmp_path):
    bad = []
    for name, go in _stock(tmp_path).items():
        said = go(lang)
        assert said.startswith("fout:" if lang == "nl" else "error:"), (name, said)
        found = offences(said, lang, {str(tmp_path), str(ROOT)})
        if found:
            bad.append((name, found, said[:400]))
    assert not bad, bad


def test_the_api_adds_the_readers_words_and_keeps_its_fields(tmp_path):
    """The web API's error JSON keeps every field programs read (English) and adds the reader's."""
    from woningwet_engine.web.api import problems_json

    with pytest.raises(InputError) as info:
        _edited(tmp_path, KANALENEILAND, "date: 2016-06-01", "date: 01-06-2016", "case.yaml")()
    for lang in ("nl", "en"):
        data = problems_json(info.value, lang)
        assert data["error"] == "1 problem(s) in the input" and data["lang"] == lang
        (p,) = data["problems"]
        assert set(p) == {"file", "line", "field", "message", "text", "reader_message", "reader_text"}
        assert p["field"] == "date" and "Input should be a valid date" in p["message"]
        assert p["reader_message"] == ("geen datum (gegeven: '01-06-2016'); schrijf datums als JJJJ-MM-DD, "
                                       "bijvoorbeeld 2016-06-01" if lang == "nl" else
                                       "not a date (got '01-06-2016'); write dates as YYYY-MM-DD, e.g. 2016-06-01")
