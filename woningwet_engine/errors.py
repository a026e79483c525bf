"""Error types. Input problems are collected, never swallowed, and carry file, line and field path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what was expected."""

    file: str
    path: str  # dotted field path, '' for the whole document
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        field = f" [{self.path}]" if self.path else ""
        return f"{where}{field}: {self.message}"


class InputError(Exception):
    """A case, rule or parameter file is unusable. Holds one Problem per defect (CLI exit code 2)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class EngineError(Exception):
    """The inference engine failed or disagreed with the reference evaluator. Never swallowed."""
