"""Legal citations: Juriconnect BWB 1.3 references and date-exact wetten.overheid.nl links.

A citation goes down to the level that decides: article, lid, onderdeel and sub-point (onder 1°).
The sub-point is carried in the reference as `sub=<n>`; wetten.overheid.nl resolves a link at the
deepest level it knows, so the link still lands on the onderdeel.
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
        parts.append(f"onderdeel={onderdeel}")
        if sub:
            parts.append(f"sub={sub.rstrip('°')}")
    day = on.isoformat()
    parts += [f"z={day}", f"g={day}"]
    return "&".join(parts)


def wetten_url(bwb: str, article: str, lid: str | None, onderdeel: str | None, on: dt.date,
               sub: str | None = None) -> str:
    return WETTEN + quote(juriconnect(bwb, article, lid, onderdeel, on, sub), safe=":&=")


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
