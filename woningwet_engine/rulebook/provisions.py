"""Does a citation reach the provision that decides, in the numbering of the text in force on its dates?

`data/structure_<year>.json` lists, per article of a regulation as one consolidation has it, its leden,
onderdelen and sub-points (numbering only, no text): structure_2015.json for the Woningwet, BTIV and RTIV of
mid-2015 (made by scripts/provision-structure from ../shared/lawtext/2015), structure_2022.json for the BTIV
from 2022-01-01 (read from the wetten.overheid.nl consolidation). data/regulations.yaml says which file holds
the text in force when (`structures`). A citation is checked against every text in force on a day it is
used: it must exist there, and a citation that stops at a level that still has sub-levels (BTIV 47 without
its onderdeel, 26 lid 1 a without onder 1°/2°) does not say which item decided; it must name the item, map
facts to items (`by`), or say that the rule applies the whole list (`onderdelen: a-i`). On days no
structure file covers (a consolidation that was not read), only the level is checked, against the latest
earlier text; articles, leden and onderdelen added meanwhile are not errors there.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
FIRST_DAY = dt.date(2015, 7, 1)


@dataclass(frozen=True)
class Text:
    """The numbering of one regulation as one consolidation has it, and the days that text was in force."""

    label: str  # "2015", "2022": how a finding names the text
    start: dt.date
    end: dt.date | None
    articles: dict
    read: str | None  # the articles read, "1-80" or "45,47" (None: all of them)

    def holds(self, article: str) -> bool:
        """Was the part of the text that would hold this article read?"""
        if self.read is None:
            return True
        digits = "".join(ch for ch in article if ch.isdigit())
        for part in self.read.split(","):
            lo, _, hi = part.partition("-")
            if article == lo or (hi and digits and int(lo) <= int(digits) <= int(hi)):
                return True
        return False


@functools.lru_cache(maxsize=None)
def _file(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _regulations() -> dict:
    return yaml.safe_load((DATA / "regulations.yaml").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def texts(bwb: str) -> tuple[Text, ...]:
    """The texts of a regulation whose numbering is known, oldest first."""
    out = []
    for entry in (_regulations().get(bwb) or {}).get("structures", ()):
        data = _file(entry["file"])
        read = (data.get("_about", {}).get("read") or {}).get(bwb)
        out.append(Text(entry["file"].removeprefix("structure_").removesuffix(".json"), entry.get("from", dt.date.min),
                        entry.get("to"), data.get(bwb, {}), read))
    return tuple(sorted(out, key=lambda t: t.start))


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


def deciding_problems(lb, start: dt.date = FIRST_DAY, end: dt.date | None = FIRST_DAY) -> list[str]:
    """What keeps this legal basis from citing one deciding provision on the days start..end (end None: open
    end), in the numbering of each text in force then ([] = fine). A dated basis is checked on its own days."""
    start = max(start, getattr(lb, "valid_from", None) or start)
    to = getattr(lb, "valid_to", None)
    end = to if end is None else (min(end, to) if to else end)
    if lb.article.startswith("bijlage") or (end is not None and end < start):
        return []
    out: list[str] = []
    day, seen = start, []  # seen: the texts that began before `day`, oldest first
    for text in texts(lb.bwb):
        if text.end is not None and text.end < day:
            seen.append(text)
            continue
        if end is not None and text.start > end:
            break
        if text.start > day:  # a stretch no text read covers: the level only, in the text before
            out += _lenient(lb, seen)
        out += _problems(lb, text, strict=True) if text.holds(lb.article) else _lenient(lb, seen)
        if text.end is None:
            return list(dict.fromkeys(out))
        day = text.end + dt.timedelta(days=1)
        seen.append(text)
    if end is None or day <= end:
        out += _lenient(lb, seen)
    return list(dict.fromkeys(out))


def _lenient(lb, seen: list[Text]) -> list[str]:
    """The level check in the latest earlier text that holds the article (that part of the later text was
    not read, or no text read covers the days)."""
    for text in reversed(seen):
        if text.holds(lb.article):
            return _problems(lb, text, strict=False)
    return []


def numbering(bwb: str, article: str, day: dt.date) -> str | None:
    """Which text's numbering a citation of this article on `day` is read in (its label), if any."""
    label = None
    for text in texts(bwb):
        if text.start <= day and text.holds(article):
            label = text.label
    return label


def _problems(lb, text: Text, strict: bool) -> list[str]:
    """The problems of one citation in one text; `strict`: that text was in force on the days it is used,
    so a lid or onderdeel it does not have is an error (else only a level left undecided is)."""
    name = f"the {text.label} text"
    article = text.articles.get(lb.article)
    if article is None:
        return [f"art. {lb.article} does not exist in {name}"] if strict and text.holds(lb.article) else []
    where = f"art. {lb.article}"
    leden = _children(article)
    aanhef = getattr(lb, "aanhef", False)
    if lb.lid is None:
        if leden and not (aanhef and lb.onderdeel is None):
            return [f"{where} has leden {', '.join(leden)} in {name}: cite the lid that decides"]
        lid_node = article.get("", {})
    else:
        if lb.lid not in article:
            return [f"{where} has no lid {lb.lid} in {name}"] if strict else []
        lid_node = article[lb.lid]
        where += f" lid {lb.lid}"
    out = []
    for onderdeel, sub, span in _targets(lb):
        items = _children(lid_node)
        if onderdeel is None:
            if items and not aanhef and not (span and not span[0].isdigit()):
                out.append(f"{where} lists onderdelen {items[0]}-{items[-1]} in {name}: cite the one that decides "
                           "(onderdeel, or 'by' a fact), or 'onderdelen' when the rule applies the whole list")
            elif span and strict and items:
                out += _span_problems(f"{where} onderdelen", span, items, name)
            continue
        if onderdeel not in lid_node:
            if strict:
                out.append(f"{where} has no onderdeel {onderdeel} in {name}")
            continue
        subs = lid_node[onderdeel]
        if sub is None:
            if subs and not aanhef and not (span and span[0].isdigit()):
                out.append(f"{where} onderdeel {onderdeel} has sub-points {subs[0]}-{subs[-1]} in {name}: cite the "
                           "one that decides ('sub', or 'by' a fact), or 'onderdelen' for all of them")
        elif sub not in subs and strict:
            out.append(f"{where} onderdeel {onderdeel} has no sub-point {sub} in {name}")
        if sub is None and span and span[0].isdigit() and strict and subs:
            out += _span_problems(f"{where} onderdeel {onderdeel} sub-points", span, subs, name)
    return out


def _span_problems(what: str, span: str, items: list[str], name: str) -> list[str]:
    """A range of onderdelen or sub-points ('a-c', '1°-3°') must begin and end at items the text has."""
    return [f"{what} {span}: the text has no {end} in {name} (it has {items[0]}-{items[-1]})"
            for end in dict.fromkeys(span.split("-")) if end not in items]
