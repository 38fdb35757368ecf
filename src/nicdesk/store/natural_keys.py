"""Natural keys: the records a person names by what they are, not by an id.

One value per measure, site, period (and student group); one enrolment figure per site,
school year (and group).  Two devices of a site entering the same month offline make the
*same* record (the same id, derived from the key), so their values merge field by field
instead of two rows that can never both exist; the database holds the keys unique
(uq_observations_point, uq_site_enrolments_point).  Apart from `operations` so the rule
reads whole in one place and what else needs the ids (a school's work brought along)
calls it without the transaction machinery.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

_OBSERVATION_IDS = uuid.UUID("6f1c7a52-2b1e-4c55-9c4e-4e4943444553")
#: kind -> the fields that name its one record (the last one: its student group, empty
#: for all students); the database holds them unique (uq_observations_point,
#: uq_site_enrolments_point)
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "observation": ("measure_id", "site_id", "period", "group_id"),
    "site_enrolment": ("site_id", "school_year", "group_id"),
}


def natural_id(kind: str, values: dict[str, Any]) -> str | None:
    """One value per measure, site, period (and student group); one enrolment figure per
    site, school year (and group): two devices of a site entering the same month offline
    make the *same* record, so their values merge field by field (the losing one kept as
    a conflict) instead of two rows that can never both exist.  A value for all students
    keeps the id it had before groups existed."""
    if kind not in NATURAL_KEYS:
        return None
    *fields, group = NATURAL_KEYS[kind]
    if not all(values.get(k) for k in fields):
        return None
    parts = [v.isoformat() if isinstance(v, dt.date) else str(v)
             for v in (values[k] for k in fields)]
    if kind != "observation":
        parts.insert(0, kind)
    text = "/".join(parts)
    if values.get(group):
        text += f"/{values[group]}"
    return str(uuid.uuid5(_OBSERVATION_IDS, text))
