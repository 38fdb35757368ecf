"""Schools like this one: a fair comparison set from enrolment (issue #21, item 4).

A bright spot is easy to explain away ("they have better students"); comparing a school
with schools of similar size and similar shares of each student group answers that.
The rule, as docs/equity.md writes it for people:

* A school's **profile** for a school year is its total enrolment and, for each student
  group, the share of its students in that group (`site_enrolment` rows).
* Features are put on one scale (**standardised**): the size as log(students), since
  a school of 300 differs from one of 600 as one of 1,000 does from one of 2,000; each
  group's share as it is.  Each feature is divided by its standard deviation over the
  schools that have it, so no feature weighs more because of its units; a feature
  every school shares (deviation 0) says nothing and is left out.
* The **distance** between two schools is the root mean square of their standardised
  differences over the features the chosen school has and the other school also has;
  a school missing the size, or more than half of the chosen school's group shares, is
  not comparable and is left out (never guessed).  When no feature varies at all,
  every school with an enrolment is equally alike (distance 0).
* The comparison set is the chosen school and its **k nearest** (default 5), ties
  broken by name and id so the set never depends on the order schools were read in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_NEIGHBOURS = 5
SIZE = "__size__"  # the size feature's key among the group ids


@dataclass(frozen=True)
class SiteProfile:
    site_id: str
    name: str
    students: int | None  # total enrolment (None: not recorded)
    groups: Mapping[str, int] = field(default_factory=dict)  # group id → students

    def features(self) -> dict[str, float]:
        """log size and each group's share (none without a positive total)."""
        if not self.students or self.students <= 0:
            return {}
        out = {SIZE: math.log(self.students)}
        for group, n in self.groups.items():
            out[group] = n / self.students
        return out


@dataclass(frozen=True)
class Neighbour:
    site_id: str
    name: str
    distance: float


def _spread(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def similar_sites(target_id: str, profiles: Sequence[SiteProfile],
                  k: int = DEFAULT_NEIGHBOURS) -> list[Neighbour]:
    """The `k` schools nearest to `target_id` by the rule of the module docstring,
    nearest first (the target itself not included).  Empty when the target has no
    enrolment recorded: there is nothing to be alike in."""
    feats = {p.site_id: p.features() for p in profiles}
    mine = feats.get(target_id) or {}
    if SIZE not in mine:
        return []
    scale = {}
    for key in mine:
        sd = _spread(sorted(f[key] for f in feats.values() if key in f))  # order-free
        if sd > 0:
            scale[key] = sd
    out = []
    for p in profiles:
        if p.site_id == target_id:
            continue
        theirs = feats[p.site_id]
        common = [key for key in scale if key in theirs]
        shares = [key for key in scale if key != SIZE]
        if SIZE in scale and SIZE not in theirs:
            continue
        if shares and sum(1 for key in common if key != SIZE) * 2 < len(shares):
            continue
        if SIZE not in theirs:
            continue
        # no feature that varies: every school with an enrolment is as alike as any
        d = math.sqrt(sum(((mine[key] - theirs[key]) / scale[key]) ** 2 for key in common)
                      / len(common)) if common else 0.0
        out.append(Neighbour(p.site_id, p.name, d))
    out.sort(key=lambda n: (n.distance, n.name.lower(), n.site_id))
    return out[:max(k, 0)]
