"""The engine's public entry: `judge(case, rulebook, at=...)` (the stages and their order are in
pipeline.py) and, for callers from before evaluation.py existed, the evaluation names."""

from __future__ import annotations

from .evaluation import (  # noqa: F401  (re-exported public names)
    BranchState, Engine, FactEvaluation, default_engine, evaluate_all, evaluate_fact,
)
from .pipeline import KEEP_BY, judge  # noqa: F401

__all__ = ["judge", "KEEP_BY", "Engine", "BranchState", "FactEvaluation", "default_engine", "evaluate_all",
           "evaluate_fact"]
