"""explain.citation keeps citations by the identity of the rulebook's legal basis (and of its narrowed
form per deciding value): what it gives equals a citation built afresh, on every date and for every
value the mapping reads."""

from __future__ import annotations

import datetime as dt

from rulehelpers import rulebook
from woningwet_engine.explain import citation
from woningwet_engine.result import Citation
from woningwet_engine.rulebook.citation import basis_text, juriconnect, wetten_url


def _afresh(lb, on: dt.date, lang: str) -> Citation:
    return Citation(bwb=lb.bwb, name=lb.name, article=lb.article, lid=lb.lid, onderdeel=lb.onderdeel, sub=lb.sub,
                    onderdelen=lb.onderdelen, aanhef=lb.aanhef, policy=lb.policy, text=basis_text(lb, lang),
                    juriconnect=juriconnect(lb.bwb, lb.article, lb.lid, lb.onderdeel, on, lb.sub),
                    url=wetten_url(lb.bwb, lb.article, lb.lid, lb.onderdeel, on, lb.sub))


def _same(kept: Citation, fresh: Citation) -> bool:
    """Equal as models, in the fields they were given and in their JSON."""
    return (kept == fresh and kept.model_fields_set == fresh.model_fields_set
            and kept.model_dump_json() == fresh.model_dump_json())


def test_kept_citations_equal_fresh_ones_on_every_date_and_value():
    bases = [lb for cr in rulebook().rules for lb in cr.rule.legal_basis]
    mapped = [lb for lb in bases if lb.by is not None]
    assert mapped and len(bases) > len(mapped)  # both kinds are checked
    days = [dt.date(2016, 1, 1), dt.date(2016, 1, 2), dt.date(2022, 7, 1), dt.date(1, 1, 1), dt.date.max]
    for lb in bases:
        for on in days:
            for lang in ("nl", "en"):
                if lb.by is None:
                    assert _same(citation(lb, on, lang), _afresh(lb, on, lang))
                    assert citation(lb, on, lang) is citation(lb, on, lang)  # kept, not rebuilt
                    continue
                assert _same(citation(lb, on, lang), _afresh(lb.spanning(), on, lang))
                values = [value for value, _ in lb.by.map] + ["not-mapped", None, True, 1]
                for value in values:
                    fact = {lb.by.fact: value}
                    assert _same(citation(lb, on, lang, fact), _afresh(lb.deciding(fact), on, lang)), (lb, value)
                listed = {lb.by.fact: ["a list"]}  # a value that cannot be a key: narrowed each time
                assert _same(citation(lb, on, lang, listed), _afresh(lb.deciding(listed), on, lang))
