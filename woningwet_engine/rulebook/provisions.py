"""Does a citation reach the provision that decides? Checked against the numbering of the 2015 texts.

`data/structure_2015.json` (made by scripts/provision-structure) lists, per article of the
Woningwet, BTIV and RTIV as in force in mid-2015, its leden, onderdelen and sub-points. A citation
that stops at a level that still has sub-levels (BTIV 47 without its onderdeel, 26 lid 1 a without
onder 1°/2°) does not say which item decided. It must name the item, map facts to items (`by`), or
say that the rule applies the whole list (`onderdelen: a-i`). Articles added after 2015 are not in
the file and are not checked.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

STRUCTURE = Path(__file__).resolve().parents[1] / "data" / "structure_2015.json"


@lru_cache(maxsize=1)
def structure() -> dict:
    return json.loads(STRUCTURE.read_text(encoding="utf-8"))


def _children(node: dict) -> list[str]:
    return [k for k in node if k]


def _targets(lb) -> list[tuple[str | None, str | None, str | None]]:
    """(onderdeel, sub) pairs this basis can cite: its own, or every target of its `by` map."""
    by = getattr(lb, "by", None)
    if by is not None:
        out = []
        for _, t in by.map:
            hit = by.target_of(t)
            out.append((hit.get("onderdeel"), hit.get("sub"), hit.get("onderdelen")))
        return out
    return [(lb.onderdeel, lb.sub, getattr(lb, "onderdelen", None))]


def deciding_problems(lb, since_2015_text: bool = True) -> list[str]:
    """What keeps this legal basis from citing one deciding provision ([] = fine).

    `since_2015_text`: the rule applies the 2015 numbering (it starts before 2017); later rules
    may cite leden added afterwards, so a lid or onderdeel unknown in 2015 is only an error here."""
    articles = structure().get(lb.bwb)
    if articles is None or lb.article.startswith("bijlage"):
        return []
    article = articles.get(lb.article)
    if article is None:
        return [f"art. {lb.article} does not exist in the 2015 text"] if since_2015_text else []
    where = f"art. {lb.article}"
    leden = _children(article)
    aanhef = getattr(lb, "aanhef", False)
    if lb.lid is None:
        if leden and not (aanhef and lb.onderdeel is None):
            return [f"{where} has leden {', '.join(leden)}: cite the lid that decides"]
        lid_node = article.get("", {})
    else:
        if lb.lid not in article:
            return [f"{where} has no lid {lb.lid} in the 2015 text"] if since_2015_text else []
        lid_node = article[lb.lid]
        where += f" lid {lb.lid}"
    out = []
    for onderdeel, sub, span in _targets(lb):
        items = _children(lid_node)
        if onderdeel is None:
            if items and not aanhef and not (span and not span[0].isdigit()):
                out.append(f"{where} lists onderdelen {items[0]}-{items[-1]}: cite the one that decides (onderdeel, "
                           "or 'by' a fact), or 'onderdelen' when the rule applies the whole list")
            continue
        if onderdeel not in lid_node:
            if since_2015_text:
                out.append(f"{where} has no onderdeel {onderdeel} in the 2015 text")
            continue
        subs = lid_node[onderdeel]
        if sub is None:
            if subs and not aanhef and not (span and span[0].isdigit()):
                out.append(f"{where} onderdeel {onderdeel} has sub-points {subs[0]}-{subs[-1]}: cite the one that "
                           "decides ('sub', or 'by' a fact), or 'onderdelen' for all of them")
        elif sub not in subs and since_2015_text:
            out.append(f"{where} onderdeel {onderdeel} has no sub-point {sub} in the 2015 text")
    return out
