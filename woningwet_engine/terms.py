"""Words for codes: enum values of the case format, fact names and actors, in Dutch and English.

The engine works with codes (`investor_legal_person`, `floor_area_m2`); people read words. Every
place that shows a code to a person (explanations, memos, the terminal) asks this module, which
reads data/terms.yaml once. A code without an entry is shown as it is, and the vocabulary test
(tests/test_vocabulary.py) fails on it, so a missing word is found before a reader sees it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

LANG_INDEX = {"nl": 0, "en": 1}


@lru_cache(maxsize=1)
def _table() -> dict:
    import yaml

    # next to this module, as i18n/ reads its catalogues (importlib.resources cost ~5 ms of imports)
    text = (Path(__file__).resolve().parent / "data" / "terms.yaml").read_text("utf-8")
    # the package's own file: libyaml's loader where PyYAML has it (~20x faster than the pure-Python one;
    # user files go through yamlio's guarded loader instead)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _pick(section: str, key, lang: str) -> str | None:
    entry = _table()[section].get(key)
    return None if entry is None else entry[LANG_INDEX[lang]]


def value_label(value, lang: str) -> str:
    """An enum value of the case format as a word ("investor_legal_person" -> "belegger (rechtspersoon)")."""
    if isinstance(value, list):
        return ", ".join(value_label(v, lang) for v in value)
    return _pick("values", value, lang) or str(value)


def fact_label(name: str, lang: str) -> str:
    """A fact name as a phrase ("floor_area_m2" -> "vloeroppervlak (m² BVO)")."""
    return _pick("facts", name, lang) or name


_ACTOR_SPLIT = re.compile(r"(\s*[;,]\s*)")


def actor_label(actor: str, lang: str) -> str:
    """An actor of rules/conditions.yaml ("raad van toezicht; financiers") in the reader's language."""
    parts = _ACTOR_SPLIT.split(actor or "")
    return "".join(p if i % 2 else (_pick("actors", p, lang) or p) for i, p in enumerate(parts))


def codes() -> set[str]:
    """Every code this table knows (for the vocabulary test)."""
    t = _table()
    return set(t["values"]) | set(t["facts"])


def law_name(bwb: str, lang: str, fallback: str = "") -> str:
    """The full name of a law or decree by its BWB id."""
    return _pick("laws", bwb, lang) or fallback or bwb


def field_label(path: str, lang: str) -> str:
    """A case-file field path ("leefbaarheid.category", "performance_agreements.0.covers") as a phrase."""
    key = ".".join(p for p in path.split(".") if not p.isdigit() and p != "+")
    return _pick("fields", key, lang) or path
