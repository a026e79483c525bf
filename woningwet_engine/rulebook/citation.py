"""Legal citations: Juriconnect BWB 1.3 references and date-exact wetten.overheid.nl links.

A citation goes down to the level that decides: article, lid, onderdeel and sub-point (onder 1°).
Juriconnect BWB 1.3 names an opsommingsonderdeel (a list item, BWB element `li`) with the label `o`
and a nested list by repeating it, each with the item's number as printed, without the closing dot:
BTIV 26 lid 1 onder a 1° is `&artikel=26&lid=1&o=a&o=1°`. That is the form wetten.overheid.nl
produces and BWB tooling resolves (e.g. `...&artikel=30b&lid=1&o=k`); `onderdeel=`/`sub=` are not
Juriconnect labels.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from ..i18n import section

WETTEN = "https://wetten.overheid.nl/"


def juriconnect(bwb: str, article: str, lid: str | None, onderdeel: str | None, on: dt.date,
                sub: str | None = None) -> str:
    """jci1.3 reference to the consolidated text valid (g=) and known (z=) on `on`."""
    if article.startswith("bijlage"):
        parts = [f"jci1.3:c:{bwb}", f"bijlage={article[7:].strip()}"]
    else:
        parts = [f"jci1.3:c:{bwb}", f"artikel={article}"]
    if lid:
        parts.append(f"lid={lid}")
    if onderdeel:
        parts.append(f"o={onderdeel}")
    if sub:  # a sub-point: one list level deeper (or a 1°-list directly under the lid)
        parts.append(f"o={sub}")
    day = on.isoformat()
    parts += [f"z={day}", f"g={day}"]
    return "&".join(parts)


def wetten_url(bwb: str, article: str, lid: str | None, onderdeel: str | None, on: dt.date,
               sub: str | None = None) -> str:
    return url_of(juriconnect(bwb, article, lid, onderdeel, on, sub))


def url_of(reference: str) -> str:
    """The wetten.overheid.nl link of a Juriconnect reference."""
    return WETTEN + quote(reference, safe=":&=")


def _article_label(article: str, lang: str) -> str:
    w = section(lang, "citation")
    if article.startswith("bijlage"):
        return w["annex"].format(n=article[7:].strip())
    return w["article"].format(n=article)


def _range(span: str, lang: str) -> str:
    first, last = span.split("-")
    def key(x: str):
        return int(x.rstrip("°")) if x[0].isdigit() else ord(x[-1]) + 100 * (len(x) - 1)
    two = key(last) - key(first) == 1  # two items: "a en b"
    return section(lang, "citation")["range_two" if two else "range"].format(first=first, last=last)


def cite_text(name: str, article: str, lid: str | None, onderdeel: str | None, sub: str | None, lang: str,
              onderdelen: str | None = None, policy: bool = False, aanhef: bool = False) -> str:
    """Human citation, e.g. 'Woningwet art. 45 lid 2 onderdeel f onder 2°' / 'Woningwet art. 45(2)(f) 2°'
    (the words per language in the catalogue's `citation` section).

    `onderdelen` names a whole list the rule applies ('lid 1 onderdelen a tot en met i'); `policy`
    marks a norm that is not statute."""
    w = section(lang, "citation")
    subs_range = onderdelen if onderdelen and onderdelen[0].isdigit() else None
    list_range = onderdelen if onderdelen and not subs_range else None
    text = f"{name} {_article_label(article, lang)}"
    if lid:
        text += w["lid"].format(lid=lid)
    if onderdeel:
        text += w["onderdeel"].format(onderdeel=onderdeel)
    if list_range:
        text += w["items"].format(range=_range(list_range, lang))
    if sub:
        text += w["sub"].format(sub=sub)
    if subs_range:
        text += w["sub"].format(sub=_range(subs_range, lang))
    if aanhef:
        text += w["aanhef"]
    if policy:
        text += w["policy"]
    return text


def basis_text(lb, lang: str) -> str:
    """The human citation of one LegalBasis: the one renderer for results, memos and `compare`
    (a fact-to-onderdeel mapping without a fact names the whole mapped range)."""
    if getattr(lb, "by", None) is not None:
        lb = lb.spanning()
    return cite_text(lb.name, lb.article, lb.lid, lb.onderdeel, lb.sub, lang, lb.onderdelen, lb.policy, lb.aanhef)
