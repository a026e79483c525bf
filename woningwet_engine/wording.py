"""Conditions and figures in the reader's words.

A rule's condition is code (`rent <= param.liberalisatiegrens`); a board member reads "huur per
maand is ten hoogste de liberalisatiegrens (...) van € 710,68". This module walks the condition
tree (never the condition's text) and says each part with the fact's label (terms.py), the
parameter's title and its value on the date, and the operator in words from the catalogue
(i18n/<lang>.yaml, section `condition`). The JSON result keeps the code next to it where a
machine needs it (not_fired[].failed, inputs).
"""

from __future__ import annotations

from typing import Mapping

from .conditions.compiler import negation_normal_form
from .conditions.evaluator import render
from .conditions.nodes import And, Cmp, Condition, Const, FieldSpec, In, Or, Param, Present, atoms
from .format import PARAM_TYPE, human_value
from .i18n import text as tr
from .terms import fact_label, value_label

_OPS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_FLIPPED = {"==": "eq", "!=": "ne", "<": "gt", "<=": "ge", ">": "lt", ">=": "le"}  # a op b  <=>  b flipped a


def in_sentence(title: str) -> str:
    """A title inside a sentence: "Liberalisatiegrens (...)" -> "liberalisatiegrens (...)"; an
    abbreviation at the start ("DAEB-inkomensgrens", "WWS") keeps its capitals."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def param_title(pid: str, params: Mapping, lang: str) -> str:
    """The name of a parameter for people (its title in the rulebook, first letter lowered)."""
    p = params.get(pid)
    title = getattr(p, "title", None)
    return in_sentence(getattr(title, lang)) if title is not None else pid.replace("_", " ")


def _inner(title: str) -> str:
    """A title that goes inside parentheses: its own "(...)" becomes ": ..." (no nested brackets)."""
    head, sep, rest = title.partition(" (")
    return f"{head}: {rest[:-1]}" if sep and rest.endswith(")") and "(" not in rest else title


def param_phrase(pid: str, params: Mapping, lang: str) -> str:
    """A parameter with its value on the date: "€ 710,68 (liberalisatiegrens: ...)"; a figure the
    law only bounds: "een grens van ten minste € 125,00 (...)"; an unknown one says so."""
    from .conditions.interval import Interval

    p = params.get(pid)
    title = _inner(param_title(pid, params, lang))
    if p is None or p.value is None:
        return tr(lang, "condition.param_unknown", title=title)
    value = human_value(p.value, PARAM_TYPE[p.unit], lang)
    key = "condition.param_bounded" if isinstance(p.value, Interval) else "condition.param"
    return tr(lang, key, title=title, value=value)


def value_words(value, spec: FieldSpec | None, lang: str) -> str:
    """A fact value or literal in words (an enum code by its word, money and shares formatted)."""
    type_ = spec.type if spec is not None else "code"
    return human_value(value, type_, lang) if type_ != "code" else value_label(value, lang)


def _atom(node, schema: Mapping[str, FieldSpec], params: Mapping, lang: str) -> str:
    if isinstance(node, Const):
        return tr(lang, "condition.always" if node.value else "condition.never")
    fact = fact_label(node.fact, lang)
    spec = schema.get(node.fact)
    if isinstance(node, Present):
        return tr(lang, "condition.missing" if node.negated else "condition.present", fact=fact)
    if isinstance(node, In):
        key = "not_in" if node.negated else "in"
        if node.param:
            return tr(lang, f"condition.{key}_list", fact=fact, list=param_title(node.param, params, lang))
        values = [value_words(v.value, spec, lang) for v in node.values]
        if len(values) == 1:
            return tr(lang, "condition.ne" if node.negated else "condition.eq", fact=fact, rhs=values[0])
        return tr(lang, f"condition.{key}", fact=fact, values="; ".join(values))
    if isinstance(node, Cmp):
        if isinstance(node.rhs, Param):
            return tr(lang, f"condition.{_OPS[node.op]}", fact=fact, rhs=param_phrase(node.rhs.name, params, lang))
        if spec is not None and spec.type == "bool" and node.op in ("==", "!="):
            yes = (node.rhs.value is True) == (node.op == "==")
            return tr(lang, "condition.holds" if yes else "condition.fails", fact=fact)
        return tr(lang, f"condition.{_OPS[node.op]}", fact=fact, rhs=value_words(node.rhs.value, spec, lang))
    raise TypeError(node)


def _words(node, schema, params, lang: str, top: bool) -> str:
    if isinstance(node, (And, Or)):
        joiner = tr(lang, "condition.and" if isinstance(node, And) else "condition.or")
        text = f" {joiner} ".join(_words(i, schema, params, lang, False) for i in node.items)
        return text if top else tr(lang, "condition.group", text=text)
    return _atom(node, schema, params, lang)


def condition_words(node, schema: Mapping[str, FieldSpec], params: Mapping, lang: str) -> str:
    """A condition (or part of one) in words; `not` is pushed onto the atoms first, so a reader
    gets "huur per maand is hoger dan ..." rather than "niet (huur per maand is ten hoogste ...)"."""
    if isinstance(node, Condition):
        node = node.root
    return _words(negation_normal_form(node), schema, params, lang, True)


def find_atom(root, atom: str):
    """The atom of `root` that an explanation (conditions.evaluator.Why.atom) names, or None."""
    return next((node for node in atoms(root) if render(node) == atom), None)


def atom_words(root, atom: str, schema: Mapping[str, FieldSpec], params: Mapping, lang: str) -> str:
    """The atom of `root` that an explanation (conditions.evaluator.Why.atom) names, in words."""
    if isinstance(root, Condition):
        root = root.root
    return condition_words(find_atom(root, atom) or root, schema, params, lang)


def figure_threshold(node, seen, schema: Mapping[str, FieldSpec], params: Mapping, lang: str) -> str | None:
    """`fact op figure` turned round for a known fact value and an unknown or only bounded figure:
    "lfb_per_daeb_home <= cap" with EUR 140 seen reads "maximumbedrag ... is ten minste € 140,00",
    what the figure must be for the atom to hold; None for any other atom."""
    if not isinstance(node, Cmp) or not isinstance(node.rhs, Param) or seen is None:
        return None
    return tr(lang, f"condition.{_FLIPPED[node.op]}", fact=param_title(node.rhs.name, params, lang),
              rhs=value_words(seen, schema.get(node.fact), lang))
