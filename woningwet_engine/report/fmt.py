"""The orders the memo lists things in (shared by model.py and board.py). Its words are the catalogue's
`memo` section (woningwet_engine/i18n); numbers, money and dates are written by woningwet_engine/format.py."""

from __future__ import annotations

LANGS = ("nl", "en")
VERDICT_ORDER = ("daeb", "non_daeb", "needs_decision", "forbidden", "undetermined")
PARTY_ORDER = ("corporation", "corporation_non_daeb", "municipality", "care_or_welfare", "market")
GROUP_ORDER = ("as_is", "conditions", "forbidden", "undetermined")
DECISIVE_EFFECTS = ("verdict", "violation", "undetermined")
NOT_RESTING = ("overridden", "not_in_force")  # reasons the outcome does not rest on
