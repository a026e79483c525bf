"""Small builders for the markttoets, separation, financing, allocation and sale scenario tests.

Built on rulehelpers (component / make_case / judge); these add lettings, turnover and the
usual "non-DAEB new build" component.
"""

from __future__ import annotations

from typing import Any

from rulehelpers import component, judge, judge_component, make_case


def letting(date: str, income: str | int, *, rent: str = "550.00", size: int = 1, aow: bool = False,
            category: str | None = None, eligible: bool | None = None) -> dict:
    out: dict[str, Any] = {"date": date, "rent": rent, "household_income": str(income), "household_size": size,
                           "aow_age": aow}
    if category is not None:
        out["category"] = category
    if eligible is not None:
        out["huurtoeslag_eligible"] = eligible
    return out


def lettings_split(date: str, n_in: int, n_out: int, income_in: str | int, income_out: str | int,
                   **kw: Any) -> list[dict]:
    """n_in lettings at income_in and n_out at income_out, all on `date`."""
    return [letting(date, income_in, **kw) for _ in range(n_in)] + [letting(date, income_out, **kw)
                                                                     for _ in range(n_out)]


def judge_plan(date: str, *, lettings: list[dict] | None = None, components: list[dict] | None = None,
               at: str | None = None, **corp: Any):
    case = make_case(date, components or [component()], lettings=lettings, **corp)
    return judge(case, at)


def turnover(amount: str | int, share: str, years: tuple[int, int] = (2014, 2015)) -> list[dict]:
    return [{"year": y, "net_turnover": str(amount), "non_daeb_share": share} for y in years]


def mid_rent(date: str, rent: str = "850.00", **overrides: Any):
    """A non-DAEB new-build rental dwelling (rent above the liberalisatiegrens until 2023)."""
    dwelling = {"rent": rent, **overrides.pop("dwelling", {})}
    return judge_component(date, dwelling=dwelling, **overrides)


__all__ = ["letting", "lettings_split", "judge_plan", "turnover", "mid_rent", "component", "judge_component"]
