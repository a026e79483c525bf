"""Rendering explanation templates and citations for people and for the JSON result (values: format.py)."""

from __future__ import annotations

import datetime as dt

from .conditions.nodes import FieldSpec
from .i18n import text as tr
from .rulebook.citation import basis_text, juriconnect, url_of
from .rulebook.loader import PLACEHOLDER
from .rulebook.model import LegalBasis, bases_on
from .rulebook.params import ResolvedParam
from .result import BoundOut, Citation, ParamUse
from .format import PARAM_TYPE, human_value, json_value  # noqa: F401  (re-exported for older callers)


def render(template: str, facts: dict, schema: dict[str, FieldSpec], params: dict[str, ResolvedParam],
           lang: str, extra: dict | None = None) -> str:
    extra = extra or {}

    def sub_name(name: str) -> str:
        if name.startswith("param."):
            p = params.get(name[6:])
            if p is None:
                return tr(lang, "values.unknown")
            return human_value(p.value, PARAM_TYPE[p.unit], lang)
        if name in extra:
            return str(extra[name])
        spec = schema.get(name)
        return human_value(facts.get(name), spec.type if spec else "code", lang)

    parts = _TEMPLATES.get(template)
    if parts is None:
        if len(_TEMPLATES) >= _MEMO_MAX:
            _TEMPLATES.clear()
        parts = _TEMPLATES[template] = PLACEHOLDER.split(template)  # text, name, text, name, ..., text
    if len(parts) == 1:
        return template
    out = list(parts)
    for i in range(1, len(parts), 2):
        out[i] = sub_name(parts[i])
    return "".join(out)


_TEMPLATES: dict[str, list[str]] = {}  # explanation templates split at their placeholders


# Citations are read-only and shared by every result citing them. They are kept by the identity of
# the rulebook's LegalBasis object (held in the entry, so its id stays its own while the entry
# lives), without hashing its fields: a narrowed basis (LegalBasis.by) is made once per basis and
# deciding value, so it has a stable identity too.
_MEMO_MAX = 20_000
_DATED: dict = {}  # (id(basis), date, language) -> (basis, its Citation on that date)
_UNDATED: dict = {}  # (id(basis), language) -> (basis, (its Citation without the dated links, their undated parts))
_NARROWED: dict = {}  # (id(basis), type and value of the deciding fact, or _SPANNING) -> (basis, narrowed basis)
_SPANNING = object()  # no fact: the basis citing the whole range its mapping can choose


def _kept(memo: dict, key: tuple, lb, build):
    """memo[key] built once, for the basis `lb` whose id the key holds (the entry holds lb too)."""
    hit = memo.get(key)
    if hit is not None and hit[0] is lb:
        return hit[1]
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    value = build()
    memo[key] = (lb, value)
    return value


def citation(lb: LegalBasis, on: dt.date, lang: str, fact: dict | None = None) -> Citation:
    """The citation of one legal basis on a date; with `fact`, narrowed to the onderdeel that
    decided for that fact (LegalBasis.by)."""
    if lb.by is not None:
        lb = _narrowed(lb, fact)
    return _kept(_DATED, (id(lb), on, lang), lb, lambda: _dated(lb, on, lang))


def _narrowed(lb: LegalBasis, fact: dict | None) -> LegalBasis:
    """With the fact: the onderdeel it decides (lb.deciding, which reads only the mapping's fact);
    without one (e.g. a split part): the mapped range (lb.spanning)."""
    if fact is None:
        return _kept(_NARROWED, (id(lb), _SPANNING), lb, lb.spanning)
    value = fact.get(lb.by.fact)
    try:
        return _kept(_NARROWED, (id(lb), type(value), value), lb, lambda: lb.deciding(fact))
    except TypeError:  # a value that cannot be a key (a list)
        return lb.deciding(fact)


def _dated(lb: LegalBasis, on: dt.date, lang: str) -> Citation:
    """The citation with the links of `on`: the undated citation's fields, and its Juriconnect
    reference and link, whose date part is the only part that changes (the rest is made once per
    basis and language)."""
    undated, reference, link = _undated(lb, lang)
    day = on.isoformat()
    dated = f"&z={day}&g={day}"  # digits and "-": url_of leaves them as they are
    return _with_links(undated, reference + dated, link + dated)


def _undated(lb: LegalBasis, lang: str) -> tuple[Citation, str, str]:
    """(the citation without its dated links, validated once per (basis, language); its Juriconnect
    reference and link without their date part): a replayed log meets many dates."""
    def build():
        reference = juriconnect(lb.bwb, lb.article, lb.lid, lb.onderdeel, _ANY_DAY, lb.sub)
        reference = reference[:reference.index(_ANY_DAY_PART)]
        return (Citation(bwb=lb.bwb, name=lb.name, article=lb.article, lid=lb.lid, onderdeel=lb.onderdeel,
                         sub=lb.sub, onderdelen=lb.onderdelen, aanhef=lb.aanhef, policy=lb.policy,
                         text=basis_text(lb, lang), juriconnect="", url=""),
                reference, url_of(reference))
    return _kept(_UNDATED, (id(lb), lang), lb, build)


_ANY_DAY = dt.date(2000, 1, 1)
_ANY_DAY_PART = f"&z={_ANY_DAY.isoformat()}&g="  # where juriconnect() puts the date: at the end


def _with_links(undated: Citation, reference: str, link: str) -> Citation:
    """A copy of a validated citation with other links (strings, as validated): what
    model_copy(update=...) gives, without its generic copying (a replayed log makes one per
    citation, date and record). tests/test_citation_memo.py holds it equal to a citation built and
    validated afresh, field by field and in its JSON."""
    fields = dict(undated.__dict__)
    fields["juriconnect"] = reference
    fields["url"] = link
    made = _new(Citation)
    _set(made, "__dict__", fields)
    _set(made, "__pydantic_fields_set__", set(undated.__pydantic_fields_set__))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


_new = object.__new__
_set = object.__setattr__


def rule_citations(legal_basis, on: dt.date, lang: str, fact: dict | None = None) -> list[Citation]:
    """All citations of a rule in the numbering in force on `on`, each narrowed by the fact where the
    rule maps facts to onderdelen; a basis whose mapping has no entry for the fact is not the one that
    decided it (BTIV 47 lid 1 or lid 2, by the kind of service) and is left out, unless none is left."""
    bases = bases_on(legal_basis, on)
    if fact is not None:
        chosen = [lb for lb in bases if lb.by is None or lb.by.target(fact.get(lb.by.fact)) is not None]
        bases = chosen or bases
    return [citation(lb, on, lang, fact) for lb in bases]


def param_use(p: ResolvedParam) -> ParamUse:
    return ParamUse(
        id=p.id, unit=p.unit, value=json_value(p.value, PARAM_TYPE[p.unit]), confidence=p.confidence,
        source=p.source, url=p.url,
        valid_from=p.valid_from.isoformat() if p.valid_from else None,
        valid_to=p.valid_to.isoformat() if p.valid_to else None,
        bounds=[BoundOut(bound=name, value=json_value(v, PARAM_TYPE[p.unit]), confidence=conf, source=src)
                for name, v, conf, src, _ in p.bounds],
    )
