"""Compliance memos (Markdown, HTML, PDF, JSON; Dutch and English) built from the engine's result.

model.py prepares a view model from the result, templates/ hold one template per markup format and
one label table per language, svg.py draws the pictures, render.py renders, cli.py is the command.
"""

from __future__ import annotations

import datetime as dt

from .model import build_memo
from .render import FORMATS, render


def case_meta(case, book, source: str, lang: str) -> dict:
    """What the memo needs besides the result: case labels, the titles of the rulebook's rules and
    figures, and the figures' sources as people read them (the result's inputs keep the sources as written)."""
    from ..i18n import text
    from ..rulebook.params import NO_VALUE, reader_source

    sources = {v.source: reader_source(v.source, v.source_text, lang)
               for p in book.params.values() for v in p.values if v.source_text is not None}
    return {"corporation": case.corporation.name, "aw_l_number": case.corporation.aw_l_number,
            "case_date": case.date.isoformat(), "source": source, "illustrative": case.illustrative,
            "param_titles": {pid: getattr(p.title, lang) for pid, p in book.params.items()},
            "rule_titles": {cr.rule.id: getattr(cr.rule.title, lang) for cr in book.rules},
            "param_sources": {NO_VALUE: text(lang, "assumptions.no_value"), **sources}}


def memo_for(case, book, lang: str, at: dt.date | None = None, source: str = "<case>") -> tuple[dict, dict]:
    """Judge `case` and build the memo view model. Returns (memo, result as JSON data)."""
    from ..engine import judge

    result = judge(case, book, at=at, lang=lang, source=source).model_dump(mode="json")
    return build_memo(result, case_meta(case, book, source, lang), lang), result


def report_text(case, book, lang: str, fmt: str, at: dt.date | None = None, source: str = "<case>") -> str | bytes:
    memo, result = memo_for(case, book, lang, at, source)
    return render(memo, result, fmt)


__all__ = ["FORMATS", "build_memo", "case_meta", "memo_for", "render", "report_text"]
