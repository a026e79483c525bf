"""Coalition and multi-year plans: several corporations and partners in one case, each phase under
its own law. A layer above engine.judge: the single-corporation path is untouched.

model.py is the case format, subcases.py cuts it into ordinary cases (one per corporation and
judging date), judge.py judges them and derives the coalition views, result.py is the JSON
contract, load.py reads either kind of case file, report.py renders the coalition memo.
"""

from __future__ import annotations

from .load import is_coalition_data, load_any_case

__all__ = ["is_coalition_data", "load_any_case"]
