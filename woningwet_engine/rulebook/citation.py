"""Legal citations: Juriconnect BWB 1.3 references and date-exact wetten.overheid.nl links."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

WETTEN = "https://wetten.overheid.nl/"


def juriconnect(bwb: str, article: str, lid: str | None, onderdeel: str | None, on: dt.date) -> str:
    """jci1.3 reference to the consolidated text valid (g=) and known (z=) on `on`."""
    if article.startswith("bijlage"):
        parts = [f"jci1.3:c:{bwb}", f"bijlage={article[7:].strip()}"]
    else:
        parts = [f"jci1.3:c:{bwb}", f"artikel={article}"]
    if lid:
        parts.append(f"lid={lid}")
    if onderdeel:
        parts.append(f"onderdeel={onderdeel}")
    day = on.isoformat()
    parts += [f"z={day}", f"g={day}"]
    return "&".join(parts)


def wetten_url(bwb: str, article: str, lid: str | None, onderdeel: str | None, on: dt.date) -> str:
    return WETTEN + quote(juriconnect(bwb, article, lid, onderdeel, on), safe=":&=")


def _article_label(article: str, lang: str) -> str:
    if article.startswith("bijlage"):
        return ("bijlage " if lang == "nl" else "annex ") + article[7:].strip()
    return f"art. {article}"


def cite_text(name: str, article: str, lid: str | None, onderdeel: str | None, sub: str | None, lang: str) -> str:
    """Human citation, e.g. 'Woningwet art. 47 lid 1 onderdeel b' / 'Woningwet art. 47(1)(b)'."""
    if lang == "en":
        text = f"{name} {_article_label(article, lang)}"
        if lid:
            text += f"({lid})"
        if onderdeel:
            text += f"({onderdeel})"
        if sub:
            text += f" {sub}"
        return text
    text = f"{name} {_article_label(article, lang)}"
    if lid:
        text += f" lid {lid}"
    if onderdeel:
        text += f" onderdeel {onderdeel}"
    if sub:
        text += f" {sub}"
    return text
