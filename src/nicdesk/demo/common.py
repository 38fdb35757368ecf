"""Calendars, random series and the record-making helper the sample networks share."""

from __future__ import annotations

import datetime as dt
import math
import random

from ..store.operations import Transaction
from ..store.workspace import Workspace

DEMO_EPOCH_MS = int(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC).timestamp() * 1000)
SCHOOL_YEARS = ((2024, 9), (2025, 9))  # two school years of data: Sep 2024 – Jun 2026


def school_months() -> list[dt.date]:
    """First day of each month Sep–Jun, for both school years."""
    months = []
    for year, start in SCHOOL_YEARS:
        for i in range(10):
            m = (start - 1 + i) % 12 + 1
            y = year + (start - 1 + i) // 12
            months.append(dt.date(y, m, 1))
    return months


def school_weeks() -> list[dt.date]:
    """Mondays of the school weeks (Sep–mid-June, skipping winter and spring breaks)."""
    weeks = []
    for year, _ in SCHOOL_YEARS:
        day = dt.date(year, 9, 2)
        day -= dt.timedelta(days=day.weekday())
        end = dt.date(year + 1, 6, 12)
        while day <= end:
            winter = day.month == 12 and day.day >= 22 or day.month == 1 and day.day <= 3
            spring = day.month == 3 and 24 <= day.day <= 30
            if not (winter or spring):
                weeks.append(day)
            day += dt.timedelta(days=7)
    return weeks


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """Normal approximation, clipped: enough realism for sample data, and fast."""
    p = min(max(p, 0.0), 1.0)
    sd = math.sqrt(n * p * (1 - p))
    return int(min(n, max(0, round(rng.gauss(n * p, sd)))))


class _Builder:
    def __init__(self, ws: Workspace, rng: random.Random) -> None:
        self.ws = ws
        self.rng = rng

    def site(self, t: Transaction, net: str, name: str, kind: str, parent: str | None = None,
             **tags: str) -> str:
        return t.create("site", network_id=net, name=name, kind=kind, parent_id=parent,
                        context_tags=tags)

    def members(self, t: Transaction, site: str, people: list[tuple[str, str, str]]) -> None:
        for name, role, duty in people:
            email = name.lower().replace(" ", ".").replace("'", "") + "@example.org"
            t.create("member", site_id=site, name=name, role=role, responsibilities=duty,
                     email=email, norms_accepted=True)

    def proportion_series(self, measure: str, site: str, periods: list[dt.date], n: int,
                          base: float, lift: float, change: dt.date | None, noise: float = 0.0,
                          ramp_periods: int = 2) -> None:
        """Numerator/denominator data; after `change` the rate rises by `lift` (ramped)."""
        with self.ws.ops.batch("Enter sample data") as t:
            after = 0
            for period in periods:
                p = base + self.rng.gauss(0, noise)
                if change is not None and period >= change:
                    after += 1
                    p += lift * min(1.0, after / ramp_periods)
                denom = max(1, n + self.rng.randint(-n // 20, n // 20))
                num = _binomial(self.rng, denom, p)
                t.create("observation", measure_id=measure, site_id=site, period=period,
                         numerator=num, denominator=denom, value=round(num / denom, 4))

    def count_series(self, measure: str, site: str, periods: list[dt.date], mean: float,
                     change: dt.date | None = None, factor: float = 1.0) -> None:
        with self.ws.ops.batch("Enter sample data") as t:
            for period in periods:
                lam = mean * (factor if change is not None and period >= change else 1.0)
                value = max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
                t.create("observation", measure_id=measure, site_id=site, period=period,
                         value=float(value))


