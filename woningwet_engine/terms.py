"""Words for codes: enum values of the case format, fact names, case fields, actors and laws.

The engine works with codes (`investor_legal_person`, `floor_area_m2`); people read words. The words
live in the one catalogue of reader-facing text, woningwet_engine/i18n/<lang>.yaml (sections `enum`,
`fact`, `field`, `actor`, `law`), next to the engine's sentences; this module is the lookup API that
explanations, memos and the terminal ask. A code without an entry is shown as it is, and the
vocabulary test (tests/test_vocabulary.py) fails on it, so a missing word is found before a reader sees it.
"""

from __future__ import annotations

import re

from .i18n import LANGS, section


def _pick(name: str, key, lang: str) -> str | None:
    return section(lang, name).get(key)


def value_label(value, lang: str) -> str:
    """An enum value of the case format as a word ("investor_legal_person" -> "belegger (rechtspersoon)")."""
    if isinstance(value, list):
        return ", ".join(value_label(v, lang) for v in value)
    return _pick("enum", value, lang) or str(value)


def fact_label(name: str, lang: str) -> str:
    """A fact name as a phrase ("floor_area_m2" -> "vloeroppervlak (m² BVO)")."""
    return _pick("fact", name, lang) or name


_ACTOR_SPLIT = re.compile(r"(\s*[;,]\s*)")


def actor_label(actor: str, lang: str) -> str:
    """An actor of rules/conditions.yaml ("raad van toezicht; financiers") in the reader's language."""
    parts = _ACTOR_SPLIT.split(actor or "")
    return "".join(p if i % 2 else (_pick("actor", p, lang) or p) for i, p in enumerate(parts))


def codes() -> set[str]:
    """Every enum value and fact name that has a word (for the vocabulary test)."""
    return set(section(LANGS[0], "enum")) | set(section(LANGS[0], "fact"))


def law_name(bwb: str, lang: str, fallback: str = "") -> str:
    """The full name of a law or decree by its BWB id."""
    return _pick("law", bwb, lang) or fallback or bwb


def field_label(path: str, lang: str) -> str:
    """A case-file field path ("leefbaarheid.category", "performance_agreements.0.covers") as a phrase."""
    key = ".".join(p for p in path.split(".") if not p.isdigit() and p != "+")
    return _pick("field", key, lang) or path
