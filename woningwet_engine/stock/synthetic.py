"""A synthetic but realistic unit register, for the benchmark, the tests and the sample in cases/.

The mix follows a large corporation: mostly self-contained rental dwellings (some rooms), garages
and parking places, shops and offices, social real estate with VERA MOG codes from every BTIV list
and from none; rents spread over the whole range with many exactly at, just below and just above
every rent threshold of the rulebook on each of several dates; WWS points, floor areas and labels
sometimes missing; some planned activities. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

from .columns import COLUMNS

MUNICIPALITIES = ("GM0344", "GM0518", "GM0599", "GM0363", "GM0307", "GM0356", "GM0632", "GM0310",
                  "GM0484", "GM0637", "GM0503", "GM0546")
WOO_DETAILS = ("POR", "GAL", "EIN", "TUS", "HOE", "BOV", "BEN", "MAI", "POW", "TWE", "VRI", "COR")
MOG_DETAILS = ("BUU", "GEM", "HOS", "ZST", "DAG", "BIB", "WER", "BRE", "SCH", "MUL", "BAS", "CJG", "BIJ", "REZ", "KTI")
BED_DETAILS = ("WIR", "KAN", "HOR", "PRA", "ATE", "BED")
PAR_DETAILS = ("GAR", "PAR", "PAO", "SCO")
TENANTS = ("social_foundation", "social_association", "government", "care_provider", "commercial", "other")


def rent_thresholds(book, days) -> list[int]:
    """Every rent amount (cents) some component rule compares a rent with, on any of `days`."""
    from ..facts import COMPONENT_FIELDS
    from ..portfolio import Partition

    out: set[int] = set()
    for day in days:
        sel = book.at(day)
        part = Partition([cr for cr in sel.rules if cr.rule.scope == "component"], sel.values, COMPONENT_FIELDS)
        out.update(part.numbers.get("rent", ([],))[0])
    return sorted(out)


def _euro(cents: int, comma: bool) -> str:
    text = f"{Decimal(cents) / 100:.2f}"
    return text.replace(".", ",") if comma else text


def unit_rows(n: int, thresholds: list[int], seed: int = 1):
    """n register rows as dicts of text cells (the way a CSV export holds them)."""
    rng = random.Random(seed)
    for i in range(n):
        r = rng.random()
        kind = "WOO" if r < 0.86 else "PAR" if r < 0.94 else "BED" if r < 0.97 else "MOG"
        row = {c.name: "" for c in COLUMNS}
        row["unit_id"] = str(100000 + i)
        row["complex_id"] = f"C-{(i // 40):05d}"
        row["municipality"] = MUNICIPALITIES[min(int(rng.expovariate(0.5)), len(MUNICIPALITIES) - 1)]
        row["unit_kind"] = kind
        row["year_built"] = str(rng.randint(1900, 2024)) if rng.random() < 0.95 else ""
        row["floor_area_m2"] = str(rng.randint(12, 180)) if rng.random() < 0.93 else ""
        row["let_status"] = "vacant" if rng.random() < 0.05 else ("let" if rng.random() < 0.97 else "")
        x = rng.random()
        if x < 0.02 and thresholds:
            cents = rng.choice(thresholds) + rng.choice((-1, 0, 0, 1))
        elif x < 0.35 and thresholds:
            cents = rng.choice(thresholds) + rng.randint(-3000, 3000)
        else:
            cents = int(rng.lognormvariate(6.45, 0.3) * 100)
        cents = max(cents, 0)
        if kind == "WOO":
            kam = rng.random() < 0.05
            row["unit_detail"] = "KAM" if kam else (rng.choice(WOO_DETAILS) if rng.random() < 0.9 else "")
            if rng.random() < 0.15:
                row["self_contained"] = "nee" if kam else "ja"
            t = rng.random()
            row["tenure"] = "rent" if t < 0.96 else "sale" if t < 0.985 else "other_allocation"
            row["rent"] = _euro(cents, rng.random() < 0.2) if rng.random() < 0.97 else ""
            row["wws_points"] = str(rng.randint(40, 260)) if rng.random() < 0.7 else ""
            p = rng.random()
            row["planned_activity"] = ("" if p < 0.88 else "renovate" if p < 0.93 else "maintain" if p < 0.96
                                       else "demolish" if p < 0.98 else "liberalise")
        elif kind == "PAR":
            row["unit_detail"] = rng.choice(PAR_DETAILS)
            row["parking_use"] = "dwellings" if rng.random() < 0.85 else "public"
            row["parking_for_daeb"] = rng.choice(("true", "false", ""))
            row["rent"] = _euro(rng.randint(2500, 15000), False)
        elif kind == "BED":
            row["unit_detail"] = rng.choice(BED_DETAILS)
            row["rent"] = _euro(rng.randint(40000, 400000), False)
            row["area_has_corporation_homes"] = rng.choice(("true", "true", "false", ""))
            row["planned_activity"] = "" if rng.random() < 0.9 else rng.choice(("renovate", "maintain", "demolish"))
        else:
            row["unit_detail"] = rng.choice(MOG_DETAILS) if rng.random() < 0.95 else ""
            row["rent"] = _euro(rng.randint(30000, 500000), False)
            row["owned_since"] = (dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 12000))).isoformat() \
                if rng.random() < 0.85 else ""
            row["mv_tenant_type"] = rng.choice(TENANTS) if rng.random() < 0.7 else ""
            row["area_has_corporation_homes"] = rng.choice(("true", "false", ""))
            row["wijk_function"] = rng.choice(("true", "false", ""))
        if rng.random() < 0.85:
            row["daeb_label"] = "DAE" if rng.random() < 0.75 else "NDA"
        yield row


def write_csv(path: Path, n: int, thresholds: list[int], seed: int = 1) -> Path:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c.name for c in COLUMNS])
        writer.writeheader()
        for row in unit_rows(n, thresholds, seed):
            writer.writerow(row)
    return Path(path)
