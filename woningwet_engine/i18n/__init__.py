"""The catalogue of user-facing sentences of the engine's stages: one file per language.

`woningwet_engine/i18n/nl.yaml` and `en.yaml` hold every sentence that verdicts, plan checks, splits,
remediation, comparisons and the terminal table show people, under keys `<section>.<name>` with
`{fields}` filled in by the code (the memo's own words are in report/templates/strings.<lang>.yaml).
Both files have the same keys and the same fields per key (tests/unit/test_i18n.py). To change a
wording, change it here; to add a language, add a file with the same keys. docs/i18n.md says more.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

import yaml

HERE = Path(__file__).resolve().parent
LANGS = ("nl", "en")


def catalogue_path(lang: str) -> Path:
    return HERE / f"{lang}.yaml"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> Mapping:
    """The whole catalogue of `lang` as nested mappings (sections -> keys -> text)."""
    if lang not in LANGS:
        raise KeyError(f"no catalogue for language {lang!r} (have {', '.join(LANGS)})")
    from ..diskcache import yaml_data

    return yaml_data(catalogue_path(lang), getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def section(lang: str, name: str) -> Mapping:
    """One section (e.g. "split", "party") as a mapping key -> text."""
    try:
        return catalogue(lang)[name]
    except KeyError:
        raise KeyError(f"{catalogue_path(lang).name} has no section {name!r}") from None


def text(lang: str, key: str, **fields) -> str:
    """The sentence `<section>.<name>` in `lang`, with `fields` filled in."""
    name, _, item = key.partition(".")
    try:
        template = section(lang, name)[item]
    except KeyError:
        raise KeyError(f"{catalogue_path(lang).name} has no key {key!r}") from None
    return template.format(**fields) if fields else template


def flat(lang: str) -> dict[str, str]:
    """Every key of the catalogue as "<section>.<name>" -> text (lists joined by ' | ')."""
    out: dict[str, str] = {}
    for sec, items in catalogue(lang).items():
        for key, value in items.items():
            out[f"{sec}.{key}"] = " | ".join(value) if isinstance(value, list) else value
    return out
