"""The `.nicbundle` format (ARCHITECTURE.md "Bundles") and how records become JSON lines.

A bundle is a zip: `manifest.json`, `manifest.json.minisig` and `records/<table>.jsonl`,
one JSON record per line, sorted by id, private fields absent.  The manifest names every
file with its SHA-256, size and record count, so the one signature covers everything.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..core.model import PRIVATE_FIELDS
from ..core.states import IMPORTABLE_BUNDLE_KINDS
from ..store.schema import KIND_ORDER, MODELS, table_of

FORMAT = "nicdesk-bundle"
#: the newest bundle format this NICdesk reads.  A full bundle is still written as
#: format 1 (every NICdesk reads it); a delta is format 2, so a NICdesk that would not
#: check its base refuses it ("made by a newer NICdesk") instead of taking a part for all
FORMAT_VERSION = 2
FULL_FORMAT_VERSION = 1
DELTA_FORMAT_VERSION = 2
#: a delta's manifest field: the sequence of the signer's bundle it builds on (see `delta`)
BASE_FIELD = "base_sequence"
KINDS = IMPORTABLE_BUNDLE_KINDS  # the manifest kinds `import_bundle` merges
MAX_MEMBERS = 10_000
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_RATIO = 100
SUFFIX = ".nicbundle"

TABLE_KIND = {cls.__tablename__: kind for kind, cls in MODELS.items()}
ORDER = KIND_ORDER  # parents before children, so a reader can follow references
assert sorted(ORDER) == sorted(MODELS), "every entity kind travels in bundles"


def shared_columns(kind: str) -> list[str]:
    """Columns that travel: everything but the private fields."""
    private = PRIVATE_FIELDS.get(kind, frozenset())
    return [c.key for c in table_of(MODELS[kind]).columns
            if c.key not in private]


def to_json(kind: str, obj: Any) -> dict[str, Any]:
    out = {}
    for name in shared_columns(kind):
        value = getattr(obj, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    clocks = dict(obj.field_clocks or {})
    for name in PRIVATE_FIELDS.get(kind, ()):
        clocks.pop(name, None)
        clocks.pop("~" + name, None)
    out["field_clocks"] = clocks
    return out


def dumps_line(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def table_file(kind: str) -> str:
    return f"records/{MODELS[kind].__tablename__}.jsonl"


#: Small-cell suppression in digests (and invitations): a record whose small count of
#: students a network view would hide travels without these fields (nor their clocks,
#: nor their "~" base clocks), and its id is listed in the signed manifest under
#: ``"suppressed": {<table name>: [ids]}``.  A receiving site's per-field merge then keeps
#: whatever it has: its own raw values if it owns the record, nothing otherwise.
SUPPRESSED_FIELDS: dict[str, tuple[str, ...]] = {
    "observation": ("value", "numerator", "denominator"),
    "aim": ("baseline_value",),
}


def without_fields(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """A copy of a JSON record without `names`, their clocks and their base clocks."""
    out = {k: v for k, v in record.items() if k not in names}
    out["field_clocks"] = {k: v for k, v in (record.get("field_clocks") or {}).items()
                           if k.removeprefix("~") not in names}
    return out
