"""Legal citations: Juriconnect BWB 1.3 references and date-exact wetten.overheid.nl links.

A citation goes down to the level that decides: article, lid, onderdeel and sub-point (onder 1°).
The sub-point is carried in the reference as `sub=<n>`; wetten.overheid.nl resolves a link at the
deepest level it knows, so the link still lands on the onderdeel.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

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
    if article.startswith("bijlage"):
        return ("bijlage " if lang == "nl" else "annex ") + article[7:].strip()
    return f"art. {article}"


def _range(span: str, lang: str) -> str:
    first, last = span.split("-")
    def key(x: str):
        return int(x.rstrip("°")) if x[0].isdigit() else ord(x[-1]) + 100 * (len(x) - 1)
    if key(last) - key(first) == 1:  # two items: "a en b"
        return f"{first} {'en' if lang == 'nl' else 'and'} {last}"
    if lang == "nl":
        return f"{first} tot en met {last}"
    return f"{first} to {last}"


def cite_text(name: str, article: str, lid: str | None, onderdeel: str | None, sub: str | None, lang: str,
              onderdelen: str | None = None, policy: bool = False, aanhef: bool = False) -> str:
    """Human citation, e.g. 'Woningwet art. 45 lid 2 onderdeel f onder 2°' / 'Woningwet art. 45(2)(f) 2°'.

    `onderdelen` names a whole list the rule applies ('lid 1 onderdelen a tot en met i'); `policy`
    marks a norm that is not statute."""
    subs_range = onderdelen if onderdelen and onderdelen[0].isdigit() else None
    list_range = onderdelen if onderdelen and not subs_range else None
    text = f"{name} {_article_label(article, lang)}"
    if lang == "en":
        if lid:
            text += f"({lid})"
        if onderdeel:
            text += f"({onderdeel})"
        if list_range:
            text += f" items {_range(list_range, lang)}"
        if sub:
            text += f" {sub}"
        if subs_range:
            text += f" {_range(subs_range, lang)}"
        if aanhef:
            text += " opening words"
        if policy:
            text += " (policy norm, not statute)"
        return text
    if lid:
        text += f" lid {lid}"
    if onderdeel:
        text += f" onderdeel {onderdeel}"
    if list_range:
        text += f" onderdelen {_range(list_range, lang)}"
    if sub:
        text += f" onder {sub}"
    if subs_range:
        text += f" onder {_range(subs_range, lang)}"
    if aanhef:
        text += " aanhef"
    if policy:
        text += " (beleidsnorm, geen wettelijk voorschrift)"
    return text
