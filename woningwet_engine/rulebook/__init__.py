"""The rulebook: dated rule files and parameters, loaded, validated and selected for a date."""

from .model import Rule, RuleFile, LegalBasis, Outcome, ConditionDef
from .params import ParameterFile, ResolvedParam
from .loader import Rulebook, Selection, load_rulebook, DEFAULT_RULES_DIR

__all__ = [
    "Rule", "RuleFile", "LegalBasis", "Outcome", "ConditionDef", "ParameterFile", "ResolvedParam",
    "Rulebook", "Selection", "load_rulebook", "DEFAULT_RULES_DIR",
]
