"""The record files of a verified bundle, parsed and checked: every line valid JSON with
the entity's fields, types, values and clocks (`nicdesk.core.entities`, `core.clock`), the
same for every path.  `parse_by_kind` reads each file in one pass with orjson and checks
it column by column (each distinct value once) when every record certainly passes;
at the least doubt the file goes through the line-by-line checks (`json`), which decide
and word the first refusal.  Kept apart from `reader` (the zip, the manifest, the
signature and hashes), which these checks build on."""



from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, repeat
from operator import itemgetter, methodcaller, setitem
from typing import Any

from ..core.clock import _STAMP as _STAMP_FORMAT
from ..core.clock import EARLIEST_MS, MAX_DRIFT_MS, check_stamp, now_ms
from ..core.entities import (
    BOOL,
    DATE,
    EARLIEST,
    ENTITIES,
    FLOAT,
    INT,
    LATEST,
    REF,
    TEXT,
    Field,
    check,
    decode_record,
    problems,
)
from ..core.states import BundleKind
from .format import (
    ORDER,
    TABLE_KIND,
    shared_columns,
)
from .reader import (
    AGAIN,
    MAX_DEPTH,
    MAX_ID_CHARS,
    RECORD_FILES,
    SYNC_ONLY,
    Bundle,
    BundleError,
    _fail,
    _is_text,
    _loads,
    _shown,
    _too_deep,
)

try:  # a fast JSON parser for record lines (`parse_by_kind`); `json` when it is missing
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency; an old environment may lack it
    _orjson = None  # type: ignore[assignment]


class Records(list[dict[str, Any]]):
    """One kind's parsed records, in bundle order, and each field's values over them
    (`column`) — a record's value, None where it has none, as `dict.get` gives.

    The checks and the insert after parsing read a field of every record many times;
    over tens of thousands of records each such pass is a walk through memory, and the
    parser has the columns in hand anyway (it checks a file column by column).  So the
    parser leaves them here, and a column nobody left is built on first use.  The
    records are never changed once parsed (the import only reads them, then writes
    them); a column whose length no longer matches is built again."""

    def __init__(self, records: Sequence[dict[str, Any]] = (),
                 columns: dict[str, Sequence[Any]] | None = None,
                 fields: frozenset[str] | None = None,
                 latest: str | None = None) -> None:
        super().__init__(records)
        self._columns: dict[str, Sequence[Any]] = dict(columns or {})
        #: the fields of every record, when all carry the same ones (None: not known)
        self.fields = fields
        #: the latest stamp of any record (`latest_clock`), when the parser saw them all
        self.latest = latest

    def column(self, name: str) -> Sequence[Any]:
        """Every record's `name`, None where it has none, in record order."""
        got = self._columns.get(name)
        if got is None or len(got) != len(self):
            got = self._columns[name] = tuple(map(methodcaller("get", name), self))
        return got

    def extend(self, more: Any) -> None:
        """More records: the columns and what every record carries start again."""
        super().extend(more)
        self._columns.clear()
        self.fields = None
        self.latest = None


def field_values(batch: Sequence[dict[str, Any]], name: str) -> Sequence[Any]:
    """Every record's `name` (None where it has none): from the parser's columns when
    `batch` is `Records`, else read here."""
    if isinstance(batch, Records):
        return batch.column(name)
    return tuple(map(methodcaller("get", name), batch))


def latest_clock(batch: Sequence[dict[str, Any]]) -> str:
    """The latest stamp any record of `batch` carries, its "hlc" or a field's clock (""
    for none): this computer's clock moves past it once the bundle has landed."""
    if isinstance(batch, Records) and batch.latest is not None:
        return batch.latest
    return max(chain(field_values(batch, "hlc"), chain.from_iterable(
        map(dict.values, field_values(batch, "field_clocks")))), default="")


def _lines(text: str) -> Iterator[str]:
    """Split on "\n" only: U+2028, U+0085 and friends are text inside a record."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            stop = end
        yield text[start:stop]
        start = stop + 1


def _record_problem(raw: Any, allowed: set[str], clock_keys: frozenset[str],
                    stamp_ok: set[str], now: int) -> str | None:
    """What is wrong with the sync fields of one decoded line (a phrase that follows
    "<file> line <n>", saying what to do), or None."""
    if not isinstance(raw, dict):
        return f"is not a record. {AGAIN}"
    if not _is_text(raw.get("id"), MAX_ID_CHARS):
        return f"has no valid record id (text of 1 to {MAX_ID_CHARS} characters). {AGAIN}"
    unknown = set(raw) - allowed - {"field_clocks"}
    if unknown:
        return (f"has fields this NICdesk does not know "
                f"({_shown(', '.join(sorted(unknown)), 80)}); it may come from a newer "
                "NICdesk — update NICdesk, then import it again.")
    for name in ("owner_site_id", "hlc", "deleted", "field_clocks"):
        if name not in raw:
            return f"lacks its {name} field. {AGAIN}"
    owner = raw["owner_site_id"]
    if owner is not None and not _is_text(owner, MAX_ID_CHARS):
        return f"names an owner that is not a site id. {AGAIN}"
    if not isinstance(raw["deleted"], bool):
        return f"has a deletion flag that is not true or false. {AGAIN}"
    clocks = raw["field_clocks"]
    if not isinstance(clocks, dict):
        return f"has no valid change clocks. {AGAIN}"
    for key, stamp in [("hlc", raw["hlc"]), *clocks.items()]:
        if key != "hlc" and key not in clock_keys:
            return (f"has a change clock for a field this NICdesk does not know "
                    f"({_shown(key)}). {AGAIN}")
        if isinstance(stamp, str) and (stamp in stamp_ok or (key == "hlc" and not stamp)):
            continue  # each distinct stamp is checked once; a record's "hlc" may be empty
        problem = check_stamp(stamp, now)
        if problem is not None:  # the dates say what to check; a malformed one does not
            action = "" if problem.endswith("date and time") else f" {AGAIN}"
            return f"({key}): {problem}.{action}"
        stamp_ok.add(stamp)
    return None


def parse_records(b: Bundle) -> list[tuple[str, dict[str, Any]]]:
    """(kind, values) for every record, validated; site bundles carry only their site's."""
    by_kind = parse_by_kind(b)
    return [(kind, v) for kind in ORDER for v in by_kind.get(kind, [])]


#: kind, its record file -> the file's lines and, by index, the id of each line that is
#: a stored record exactly (`unchanged.unchanged_lines`), or None to parse every line
Known = Callable[[str, bytes], "tuple[list[str], dict[int, str]] | None"]


def parse_by_kind(b: Bundle, known: Known | None = None,
                  unchanged: dict[str, list[str]] | None = None
                  ) -> dict[str, Records]:
    """Every record's values, validated, by kind in bundle order (`ORDER`).

    With `known`, a line that is exactly a stored record's (`bundle.unchanged`) is not
    parsed: its id goes to `unchanged[kind]` instead, and only the other lines are read
    and checked (a refusal among them is worded as the whole file's would be).

    One pass per file, with the checks of each kind built once (`_Kind`).  A line is
    first read with orjson (several times faster than `json.loads`, which calls a hook
    for every number to refuse NaN and infinity) and put through fast checks that accept
    only what the full checks certainly accept, with the same result: plain texts,
    numbers, dates, flags, well-formed stamps.  Anything else — a line orjson refuses,
    a JSON field, a value out of range, a stamp that is not plainly fine — is read again
    with `json` and put through the full checks of `_record_problem` and
    `decode_record`, which word the refusal.  (orjson differs from `json` only on what
    the fast checks never accept: integers beyond 64 bits, which it reads as floats,
    lone surrogates, NaN and infinity, deep nesting; so the values and every refusal
    are those of the full checks.)"""
    if not b.verified:
        raise _fail(b.path, "its files were not checked against its signature.")
    site_id = b.manifest.get("site_id")
    only_site = b.manifest.get("kind") == BundleKind.SITE
    by_kind: dict[str, Records] = {}
    now = now_ms()
    stamp_ok: set[str] = set()
    stamps = _Stamps(now)
    for name, data in b.files.items():
        table = name.removeprefix("records/").removesuffix(".jsonl")
        kind = TABLE_KIND.get(table)
        if kind is None or name not in RECORD_FILES:
            raise _fail(b.path, f"it contains an unknown file {name}.")
        spec = _kind_checks(kind)
        owner = site_id if only_site else None
        rest, same = _without_unchanged(data, kind, known) if known is not None else (
            data, [])
        if same:
            try:
                values = _file(b, name, rest, spec, owner, stamp_ok, stamps, now)
                if not _ids_apart(same, values):
                    raise _fail(b.path, f"{name} repeats a record.")  # worded below
            except BundleError:  # the whole file decides, and words it, line numbers right
                values = _file(b, name, data, spec, owner, stamp_ok, stamps, now)
                same = []
            if same and unchanged is not None:
                unchanged[kind] = same
        else:
            values = _file(b, name, data, spec, owner, stamp_ok, stamps, now)
        if kind in by_kind:
            by_kind[kind].extend(values)
        else:
            by_kind[kind] = values
    return {kind: by_kind[kind] for kind in ORDER if kind in by_kind}


def _without_unchanged(data: bytes, kind: str, known: Known) -> tuple[bytes, list[str]]:
    """The file without the lines that are stored records exactly, and those records'
    ids; the file itself (and no ids) when there are none."""
    got = known(kind, data)
    if got is None or not got[1]:
        return data, []
    lines, found = got
    rest = "\n".join([line for i, line in enumerate(lines) if i not in found])
    return rest.encode("utf-8"), list(found.values())


def _ids_apart(same: list[str], values: list[dict[str, Any]]) -> bool:
    """True when no parsed record repeats the id of a line taken as unchanged."""
    taken = set(same)
    return not any(v["id"] in taken for v in values)


def _file(b: Bundle, name: str, data: bytes, spec: _Kind, owner: str | None,
          stamp_ok: set[str], stamps: _Stamps, now: int) -> Records:
    """One record file's records, validated: the fast column checks, else line by line
    (`owner`: the only owner a site's bundle may carry)."""
    fast = spec.fast(data, owner, stamp_ok, stamps)
    if fast is not None:
        return fast
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(b.path, f"{name} is not UTF-8 text (byte {exc.start + 1:,}). "
                    f"{AGAIN}") from exc
    out = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.split("\n"), start=1):  # "\n" only, as `_lines`
        if not line or line.isspace():
            continue
        values = _full_checks(b, name, n, line, spec, seen, stamp_ok, now)
        if owner is not None and values.get("owner_site_id") != owner:
            raise _fail(b.path, f"{name} line {n} is a record of another site; a site's "
                        "bundle may only carry its own records.")
        out.append(values)
    return Records(out)


def _full_checks(b: Bundle, name: str, n: int, line: str, spec: _Kind,
                 seen: dict[str, int], stamp_ok: set[str], now: int) -> dict[str, Any]:
    """One line read by `json` and checked in full, every refusal worded for a person."""
    try:
        raw = _loads(line)
    except RecursionError as exc:
        raise _fail(b.path, f"{name} line {n} is nested far too deeply.") from exc
    except ValueError as exc:
        raise _fail(b.path, f"{name} line {n} is not valid JSON.") from exc
    if (line.count("[") + line.count("{") > MAX_DEPTH) and _too_deep(raw):
        raise _fail(b.path, f"{name} line {n} is nested more than {MAX_DEPTH} "
                    "levels deep.")
    problem = _record_problem(raw, spec.allowed, spec.clock_keys, stamp_ok, now)
    if problem is not None:
        raise _fail(b.path, f"{name} line {n} {problem}")
    if raw["id"] in seen:
        raise _fail(b.path, f"{name} line {n} repeats record {raw['id']} of line "
                    f"{seen[raw['id']]}.")
    seen[raw["id"]] = n
    return _decode_fully(b, name, n, spec.kind, spec.required, raw)


class _Stamps:
    """A quick yes for a stamp `check_stamp` accepts: the exact format, dated from 2020
    to a day ahead of this computer's clock (fixed-width digits compare as text)."""

    def __init__(self, now: int) -> None:
        self.match = _STAMP_FORMAT.fullmatch
        # the same format without its capturing groups: nothing is read out of a match,
        # and groups saved at every repetition made this the slowest stamp check
        one = re.sub(r"(?<!\\)\((?!\?)", "(?:", _STAMP_FORMAT.pattern)
        self.every = re.compile(f"(?:{one}\n)*{one}")
        self.low = f"{EARLIEST_MS:015d}"
        self.high = f"{now + MAX_DRIFT_MS:015d}"

    def fine(self, stamp: str) -> bool:
        return self.match(stamp) is not None and self.low <= stamp[:15] <= self.high

    def all_fine(self, stamps: set[Any]) -> bool:
        """`fine` for every one of `stamps`, at once: one match over them all joined by
        line breaks (so a stamp holding a line break of its own is refused first: it
        could pass as two), then the earliest and latest date (fixed-width digits
        first: the least and greatest texts carry them)."""
        if not stamps:
            return True
        if set(map(type, stamps)) != {str}:
            return False
        joined = "\n".join(stamps)
        if joined.count("\n") != len(stamps) - 1 or self.every.fullmatch(joined) is None:
            return False
        earliest: str = min(stamps)
        latest: str = max(stamps)
        return self.low <= earliest[:15] and latest[:15] <= self.high


def _decode_fully(b: Bundle, name: str, n: int, kind: str, required: tuple[str, ...],
                  raw: dict[str, Any]) -> dict[str, Any]:
    """The full checks of one record, each refusal worded for a person."""
    try:  # the one entity description decides types, ranges and choices
        values = decode_record(kind, raw)
    except ValueError as exc:
        raise _fail(b.path, f"{name} line {n} has a value that is not allowed "
                    f"({_clip(str(exc))}).") from exc
    # decode checked every value; what is left is a required text left blank
    blank = {k: values[k] for k in required if isinstance(values.get(k), str)
             and not values[k].strip()}
    wrong = problems(kind, blank, partial=True) if blank else []
    if wrong:
        raise _fail(b.path, f"{name} line {n} has a value that is not allowed "
                    f"({_clip(wrong[0].message)}).")
    return values


_SLOW: Any = object()  # a fast check's "not sure": the full check decides
_SYNC_REQUIRED = frozenset({"id", "owner_site_id", "hlc", "deleted", "field_clocks"})


def _fast_check(kind: str, f: Field) -> Callable[[Any], Any]:
    """A check of one field that accepts only values `decode` certainly accepts
    unchanged (or, for numbers and dates, converts exactly as it does); anything else
    is `_SLOW`.  Values come from orjson: no lone surrogates."""
    nullable = f.nullable
    if f.type in (TEXT, REF) and f.pattern is None:
        longest = f.max_length if f.max_length is not None else 1 << 62
        if f.choices is not None:
            good = frozenset(c for c in f.choices if check(f, c) is None)

            def choice(v: Any) -> Any:
                if v is None:
                    return None if nullable else _SLOW
                return v if v.__class__ is str and v in good else _SLOW
            return choice
        strict = f.required or f.type == REF

        def text_(v: Any) -> Any:
            if v.__class__ is str:
                if len(v) <= longest and "\x00" not in v and (not strict or
                                                              not v.isspace() and v):
                    return v
                return _SLOW
            if v is None and nullable:
                return None
            return _SLOW
        return text_
    if f.type == INT:
        low_i, high_i = f.minimum, f.maximum

        def int_(v: Any) -> Any:
            if v.__class__ is int and (low_i is None or v >= low_i) and (
                    high_i is None or v <= high_i):
                return v
            return None if v is None and nullable else _SLOW
        return int_
    if f.type == FLOAT:
        low_f, high_f = f.minimum, f.maximum

        def float_(v: Any) -> Any:
            cls = v.__class__
            if cls is int and -(1 << 53) < v < (1 << 53):
                v = float(v)
            elif cls is not float or not math.isfinite(v):
                return None if v is None and nullable else _SLOW
            if (low_f is None or v >= low_f) and (high_f is None or v <= high_f):
                return v
            return _SLOW
        return float_
    if f.type == BOOL:
        def bool_(v: Any) -> Any:
            if v.__class__ is bool:
                return v
            return None if v is None and nullable else _SLOW
        return bool_
    if f.type == DATE:
        seen: dict[str, Any] = {}

        def date_(v: Any) -> Any:
            if v.__class__ is str:
                got = seen.get(v)
                if got is None:
                    # plainly 2026-09-01 (ASCII digits), a real date in the range; else
                    # the full check (also for a date it would accept, such as none)
                    if len(v) != 10 or not v.isascii() or v[4] != "-" or v[7] != "-" or \
                            not (v[:4] + v[5:7] + v[8:]).isdigit():
                        return _SLOW
                    try:
                        got = dt.date.fromisoformat(v)
                    except ValueError:
                        return _SLOW
                    if not EARLIEST <= got <= LATEST:
                        return _SLOW
                    seen[v] = got
                return got
            return None if v is None and nullable else _SLOW
        return date_
    return lambda v: _SLOW  # JSON lists and objects, patterned texts: the full check


_NONE = type(None)
#: the classes of JSON value each kind of field takes without doubt (the fast checks)
_CLASSES: dict[str, set[type]] = {TEXT: {str, _NONE}, REF: {str, _NONE}, DATE: {str, _NONE},
            INT: {int, _NONE}, FLOAT: {int, float, _NONE}, BOOL: {bool, _NONE}}


class _Kind:
    """The checks of one kind of record, built once."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.allowed = set(shared_columns(kind))
        self.required = tuple(f.name for f in ENTITIES[kind].fields.values() if f.required)
        clocked = self.allowed - SYNC_ONLY
        self.clock_keys = frozenset(clocked | {"~" + c for c in clocked})
        self._keys = frozenset(self.allowed | {"field_clocks"})
        fields = [f for f in ENTITIES[kind].fields.values() if f.name in self.allowed]
        #: None: a field no fast check covers (JSON, patterned text): the full checks
        self._fields: list[tuple[str, str, set[type], Callable[[Any], Any]]] | None = [
            (f.name, f.type, _CLASSES[f.type], _fast_check(kind, f)) for f in fields
            if f.type in _CLASSES and f.pattern is None]
        if len(self._fields) != len(fields):
            self._fields = None

    def fast(self, data: bytes, owner: str | None, stamp_ok: set[str], stamps: _Stamps
             ) -> Records | None:
        """Every record of one file, read by orjson and checked column by column (each
        distinct value once), when all of them certainly pass the full checks — with
        the values those give; None at the least doubt (the full checks then decide,
        line by line, and word the first refusal).  `owner`: the only owner a site's
        bundle may carry (None: any)."""
        if self._fields is None or _orjson is None:
            return None
        try:
            # bytes split on "\n" (never inside a UTF-8 character); orjson checks the
            # UTF-8 of each line; a line of spaces only fails (the full checks skip it)
            raws: list[Any] = list(map(_orjson.loads, filter(None, data.split(b"\n"))))
        except ValueError:  # orjson.JSONDecodeError
            return None
        if not raws:
            return Records()
        columns: dict[str, Sequence[Any]] = {}  # every record's value, when all have all
        try:
            if set(map(type, raws)) != {dict}:
                return None
            keys = set().union(*raws)
            if not keys <= self._keys or not _SYNC_REQUIRED <= keys:
                return None
            if set(map(len, raws)) == {len(keys)}:  # every record has every key
                order = sorted(keys)  # every column at once: one pass over the records
                columns = dict(zip(order, zip(*map(itemgetter(*order), raws), strict=True),
                                   strict=True))
                column = columns.__getitem__
            else:
                def column(name: str) -> Sequence[Any]:
                    return [r.get(name, _MISSING) for r in raws]
            latest = self._sync_ok(raws, column, owner, stamp_ok, stamps)
            if latest is None:
                return None
            for name, type_, classes, check_ in self._fields:
                if name not in keys:
                    continue
                values = column(name)
                distinct = set(values)
                everywhere = _MISSING not in distinct
                distinct.discard(_MISSING)
                # the classes of every value, not of the distinct ones: 0 == False and
                # 1 == 1.0 == True, so a set keeps whichever came first (a 0 in a yes/no
                # field would hide behind another line's false)
                types = set(map(type, values))
                types.discard(object)  # _MISSING's
                if not types <= classes:
                    return None
                converted = {v: check_(v) for v in distinct}
                if _SLOW in converted.values():
                    return None
                if type_ == DATE and everywhere:
                    dates = tuple(map(converted.__getitem__, values))
                    deque(map(setitem, raws, repeat(name), dates), maxlen=0)
                    if columns:
                        columns[name] = dates
                elif type_ == DATE:
                    for r, v in zip(raws, values, strict=True):
                        if v is not _MISSING:
                            r[name] = converted[v]
                elif type_ == FLOAT and int in types:
                    for r, v in zip(raws, values, strict=True):
                        if v.__class__ is int:
                            r[name] = float(v)
                    columns.pop(name, None)  # built again from the records when asked
        except TypeError:  # an unhashable value where a plain one belongs
            return None
        return Records(raws, columns, frozenset(keys) if columns else None, latest)

    def _sync_ok(self, raws: list[dict[str, Any]], column: Callable[[str], Sequence[Any]],
                 owner: str | None, stamp_ok: set[str], stamps: _Stamps) -> str | None:
        """The latest stamp of the records ("" for none) when `_record_problem`
        certainly finds nothing in any record (each stamp found fine joins `stamp_ok`,
        as there), no id repeats and, for a site's bundle, every record is its site's;
        None at any doubt."""
        ids = column("id")
        if set(map(type, ids)) != {str} or len(set(ids)) != len(ids) or \
                not 0 < min(map(len, ids)) <= max(map(len, ids)) <= MAX_ID_CHARS or \
                not "".join(ids).isprintable():  # a property of each character
            return None
        owners = set(column("owner_site_id"))
        if owner is not None and owners != {owner}:
            return None
        if not all(o is None or (o.__class__ is str and 0 < len(o) <= MAX_ID_CHARS
                                 and o.isprintable()) for o in owners):
            return None
        if set(map(type, column("deleted"))) != {bool}:
            return None
        clocks = column("field_clocks")
        if set(map(type, clocks)) != {dict} or \
                not set().union(*clocks) <= self.clock_keys:
            return None
        used = set(column("hlc"))
        used.discard("")  # a record's "hlc" may be empty
        used.update(chain.from_iterable(map(dict.values, clocks)))
        new = used - stamp_ok
        if not stamps.all_fine(new):
            return None
        stamp_ok.update(new)
        return max(used, default="")  # every one a fine stamp: text


_MISSING: Any = object()


@functools.cache
def _kind_checks(kind: str) -> _Kind:
    """One kind's checks (`_Kind`), built once per process."""
    return _Kind(kind)


def _clip(text: str, limit: int = 200) -> str:
    """A message from a checker, kept to one short line."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
