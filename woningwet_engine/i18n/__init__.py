"""The catalogue of user-facing sentences of the engine's stages: one file per language.

`woningwet_engine/i18n/nl.yaml` and `en.yaml` hold every word the engine shows people: the sentences
of verdicts, plan checks, splits, remediation and comparisons, the words for codes, and the labels of
the memo (section `memo`), the coalition memo (`coalition_memo`) and the web app (`web`). Keys are
dotted paths (`split.daeb`, `memo.board.title`) with `{fields}` filled in by the code. Both files have
the same keys and the same fields per key (tests/unit/test_i18n.py). To change a wording, change it
here; to add a language, add a file with the same keys. docs/i18n.md says more.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping

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

    return yaml_data(catalogue_path(lang))  # PyYAML's safe loader, imported only to parse


def section(lang: str, name: str) -> Mapping:
    """One section (e.g. "split", "party", "memo") as a mapping key -> text or sub-mapping."""
    try:
        return catalogue(lang)[name]
    except KeyError:
        raise KeyError(f"{catalogue_path(lang).name} has no section {name!r}") from None


def text(lang: str, key: str, /, **fields) -> str:
    """The sentence at the dotted path `key` ("split.daeb", "memo.board.title") in `lang`, with
    `fields` filled in."""
    name, _, path = key.partition(".")
    node = section(lang, name)
    try:
        for part in path.split("."):
            node = node[part]
    except (KeyError, TypeError):
        raise KeyError(f"{catalogue_path(lang).name} has no key {key!r}") from None
    return node.format(**fields) if fields else node


def flat(lang: str) -> dict[str, str]:
    """Every text of the catalogue by its dotted path ("memo.board.title") -> text (lists joined by ' | ')."""
    out: dict[str, str] = {}

    def walk(prefix: str, node) -> None:
        for key, value in node.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}{key}.", value)
            else:
                out[f"{prefix}{key}"] = " | ".join(value) if isinstance(value, list) else value
    walk("", catalogue(lang))
    return out
