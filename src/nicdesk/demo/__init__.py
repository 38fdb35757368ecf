"""The sample network: two NICs modelled on Michigan's and Minnesota's, built through the
same operations a person would use, so the demo exercises the real code paths.

Everything is deterministic for a given seed: record ids come from the seeded generator,
and clocks from a fixed wall clock starting at the demo's "today" (2026-06-30).  The data
carry real signals: at the schools that adopted advisory check-ins the check-in rate and the
on-track rate shift upwards after the change started; at the others they do not.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

from ..core.clock import HybridClock, fixed_wall
from ..store.ownership import assign_owners
from ..store.workspace import Workspace
from .common import DEMO_EPOCH_MS, _Builder
from .discussion import add_discussion, remember_counts
from .gap_aims import add_gap_aims
from .michigan import _michigan
from .minnesota import _minnesota
from .progress import add_progress_and_timelines
from .spread import add_spread
from .student_groups import add_student_groups


def build_demo(path: str | Path, seed: int = 2015) -> Workspace:
    """Create the sample workspace at `path` and return it open."""
    rng = random.Random(seed)
    ws = Workspace.create(path)
    ws.id_factory = lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))
    ws.clock = HybridClock(f"demo{seed}", wall=fixed_wall(DEMO_EPOCH_MS))
    b = _Builder(ws, rng)
    mi = _michigan(ws, b)
    _minnesota(ws, b)
    add_discussion(ws)  # comments and coaching feedback (issue #22)
    add_progress_and_timelines(ws)
    add_spread(ws)
    add_student_groups(ws)  # groups, group-level values, enrolments (issue #21)
    add_gap_aims(ws)  # the schools' aims close the English-learner gap (#21)
    with ws.sessions.begin() as s:  # the sample follows the rule: every record one owner
        assign_owners(s.connection())
    ws.set_meta(local_site_id=mi, demo_seed=str(seed))
    remember_counts(ws)  # the Inbox counts the first look shows (issue #22)
    return ws


