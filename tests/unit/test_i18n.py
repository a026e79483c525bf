"""The catalogue of user-facing sentences (woningwet_engine/i18n/<lang>.yaml): complete, consistent, used."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from woningwet_engine import i18n

PACKAGE = Path(__file__).resolve().parents[2] / "woningwet_engine"
STAGES = ("verdict.py", "plan.py", "split.py", "remediation.py", "explain.py", "compare.py", "textout.py",
          "pipeline.py", "engine.py", "facts.py", "derivations.py", "evaluation.py", "format.py", "units.py")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_the_same_keys_and_fields():
    flat = {lang: i18n.flat(lang) for lang in i18n.LANGS}
    nl, en = flat["nl"], flat["en"]
    assert nl.keys() == en.keys()
    assert len(nl) > 80
    for key in nl:
        assert _fields(nl[key]) == _fields(en[key]), key
        assert nl[key].strip() and en[key].strip(), key


def _keys_used() -> list[tuple[str, str]]:
    """(module, key) for every literal catalogue key the stage modules pass to text()/section()."""
    out = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "text", "section") \
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                    and isinstance(node.args[1].value, str):
                out.append((path.name, node.args[1].value))
    return out


def test_every_key_the_code_asks_for_exists():
    used = _keys_used()
    assert len(used) > 20
    catalogue = i18n.catalogue("nl")
    for module, key in used:
        sec, _, item = key.partition(".")
        assert sec in catalogue, f"{module}: no section {sec!r}"
        if item:
            assert item in catalogue[sec], f"{module}: no key {key!r}"


def test_missing_keys_and_languages_are_clear_errors():
    with pytest.raises(KeyError, match="no key 'split.nope'"):
        i18n.text("nl", "split.nope")
    with pytest.raises(KeyError, match="no catalogue for language 'de'"):
        i18n.catalogue("de")
    assert i18n.text("en", "remediation.lfb", total="EUR 1", per="EUR 2") == \
        "Cap the plan's leefbaarheid budget at EUR 1 a year (EUR 2 per DAEB rental home)"
    # the memo's, coalition memo's and web app's labels are sections of the same catalogue, by dotted path
    assert i18n.text("nl", "memo.board.title") == "Advies aan het bestuur"
    assert i18n.text("en", "memo.board.advice_proceed.one", n=1, total=2, cost="EUR 5") == \
        "1 of the 2 components (EUR 5) can go ahead."
    assert i18n.flat("nl")["coalition_memo.sections.parties"] == "Partijen"
    assert i18n.flat("en")["web.nav.log"] and "memo.board.risk.forbidden" in i18n.flat("en")
    with pytest.raises(KeyError, match="no key 'memo.board.nope'"):
        i18n.text("nl", "memo.board.nope")
    with pytest.raises(KeyError, match="no key 'memo.board.title.x'"):
        i18n.text("nl", "memo.board.title.x")


def test_stage_modules_do_not_choose_words_by_language():
    """No `if lang == "nl"` sentence left in the engine's stages: the words are in the catalogue."""
    pattern = re.compile(r"""lang\s*[!=]=\s*["'](nl|en)["']|\bnl\s*=\s*[a-z.]*lang\s*==""")
    found = [f"{name}:{i}" for name in STAGES if (PACKAGE / name).exists()
             for i, line in enumerate((PACKAGE / name).read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert not found, found
