"""The memo's label tables per language and the orders it lists things in (shared by model.py and board.py);
numbers, money and dates are written by woningwet_engine/format.py."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("nl", "en")
VERDICT_ORDER = ("daeb", "non_daeb", "needs_decision", "forbidden", "undetermined")
PARTY_ORDER = ("corporation", "corporation_non_daeb", "municipality", "care_or_welfare", "market")
GROUP_ORDER = ("as_is", "conditions", "forbidden", "undetermined")
DECISIVE_EFFECTS = ("verdict", "violation", "undetermined")
NOT_RESTING = ("overridden", "not_in_force")  # reasons the outcome does not rest on


@lru_cache(maxsize=None)
def strings(lang: str) -> dict:
    """The label table of one language (templates/strings.<lang>.yaml)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    from ..diskcache import yaml_data

    return yaml_data(Path(__file__).resolve().parent / "templates" / f"strings.{lang}.yaml", yaml.SafeLoader)
