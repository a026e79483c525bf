"""A replay's outcome in words (Dutch or English, the catalogue's `replay` section): the level, what
differs and where, for `audit replay` and the web app's replay page."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..i18n import text as tr
from .levels import ABSENT

DETAIL_MAX = 8  # decision differences shown per record; the rest are counted
SUBJECTS_MAX = 5  # subjects named per kind of wording difference


def _word(lang: str, key: str, fallback: str) -> str:
    try:
        return tr(lang, key)
    except KeyError:
        return fallback


def _value(field: str, v: Any, lang: str) -> str:
    if v is ABSENT:
        return tr(lang, "replay.absent")
    if v is None:
        return tr(lang, "values.unknown")
    if isinstance(v, bool):
        return tr(lang, "values.answer_yes" if v else "values.answer_no")
    if field == "verdict" and isinstance(v, str):
        return _word(lang, f"verdict.{v}", _word(lang, f"replay.verdict_{v}", v))
    shown = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return shown if len(shown) <= 60 else shown[:59] + "…"


def _subject(subject: tuple[str, str], lang: str) -> str:
    kind, name = subject
    if kind == "section":
        name = _word(lang, f"replay.section_{name}", name)
    return tr(lang, f"replay.subject_{kind}", name=name)


def _field(field: str, lang: str) -> str:
    """A field in words where the catalogue has one ("oordeel"), with its JSON name below that level."""
    head, _, rest = field.partition(".")
    label = _word(lang, f"replay.field_{head}", head)
    if label == head:
        return field
    return f"{label} ({field})" if rest else label


def _counts(diffs, lang: str) -> str:
    parts = []
    for kind in ("text", "link", "hash"):
        n = sum(1 for d in diffs if d.kind == kind)
        if n:
            parts.append(tr(lang, f"replay.count_{kind}", n=n))
    return ", ".join(parts)


def _where(diffs, lang: str) -> str:
    """Subjects with the fields that differ: "onderdeel K1 (reasons.text, not_fired.failed)"."""
    by: dict[tuple, list[str]] = {}
    for d in diffs:
        fields = by.setdefault(d.subject, [])
        if d.field not in fields:
            fields.append(d.field)
    named = [f"{_subject(s, lang)} ({', '.join(f)})" if f != [""] else _subject(s, lang)
             for s, f in list(by.items())[:SUBJECTS_MAX]]
    if len(by) > SUBJECTS_MAX:
        named.append(tr(lang, "replay.more_subjects", n=len(by) - SUBJECTS_MAX))
    return "; ".join(named)


def outcome_lines(outcome, lang: str) -> list[str]:
    """The record's line, then indented lines naming what differs."""
    made = outcome.engine_version
    prefix = tr(lang, "replay.other_engine", made=made, now=__version__) if made and made != __version__ else ""
    status = outcome.status
    if status == "error":
        key, fields = outcome.problem or ("engine", {"detail": ""})
        return [tr(lang, "replay.record", id=outcome.record_id,
                   what=prefix + tr(lang, "replay.error", why=tr(lang, f"replay.problem_{key}", **fields)))]
    if status in ("identical", "version_only"):
        return [tr(lang, "replay.record", id=outcome.record_id, what=prefix + tr(lang, f"replay.{status}"))]
    diffs = outcome.differences
    if status == "wording":
        what = tr(lang, "replay.formatting") if outcome.formatting else tr(lang, "replay.wording",
                                                                              counts=_counts(diffs, lang))
        lines = [tr(lang, "replay.record", id=outcome.record_id, what=prefix + what)]
        for kind in ("text", "link", "hash"):
            of_kind = [d for d in diffs if d.kind == kind]
            if of_kind:
                lines.append("  " + tr(lang, "replay.kind_line", kind=tr(lang, f"replay.kind_{kind}"),
                                       where=_where(of_kind, lang)))
        return lines
    decisions = [d for d in diffs if d.kind == "decision"]
    subjects: dict[tuple, list[str]] = {}
    for d in decisions:
        label = _field(d.field.partition(".")[0], lang) if d.field else ""
        fields = subjects.setdefault(d.subject, [])
        if label and label not in fields:
            fields.append(label)
    named = "; ".join(f"{_subject(s, lang)} ({', '.join(f)})" if f else _subject(s, lang)
                      for s, f in subjects.items())
    lines = [tr(lang, "replay.record", id=outcome.record_id, what=prefix + tr(lang, "replay.verdicts",
                                                                               subjects=named))]
    for d in decisions[:DETAIL_MAX]:
        lines.append("  " + tr(lang, "replay.change", subject=_subject(d.subject, lang),
                               field=_field(d.field, lang) if d.field else tr(lang, "replay.whole"),
                               old=_value(d.field, d.recorded, lang), new=_value(d.field, d.replayed, lang),
                               path=d.json_path))
    if len(decisions) > DETAIL_MAX:
        lines.append("  " + tr(lang, "replay.more", n=len(decisions) - DETAIL_MAX))
    wording = [d for d in diffs if d.kind != "decision"]
    if wording:
        lines.append("  " + tr(lang, "replay.also_wording", counts=_counts(wording, lang)))
    return lines


def summary_line(counts: dict[str, int], lang: str) -> str:
    return tr(lang, "replay.summary", total=sum(counts.values()), **counts)
