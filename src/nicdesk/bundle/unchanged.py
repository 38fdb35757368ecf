"""Lines of a site's bundle that are, byte for byte, records already stored here — the
weekly full snapshot's 99 % (issue #20, docs/exchange.md "Fast path").

A site's bundle is a full snapshot: most of its lines are the very records the last
one brought.  Parsing and checking each of them only to find that the merge changes
nothing is most of a re-import's cost.  Instead, the rows this site owns are read once
and written as the line `export` writes for them (`format.to_json` + `dumps_line`:
sorted keys, compact, private fields left out); a bundle line equal to one of those
texts *is* that stored record, and is counted as unchanged without being parsed.

Why that keeps every check of docs/exchange.md:

* signature and hashes cover the file's bytes, every line included (`verify_bundle`
  runs before anything here);
* replay, sequence and delta base are checks of the bundle, not of its lines;
* values, types, clocks and observation rules: the line decodes to exactly the stored
  record (equal text, and each stored value is written as JSON that reads back as that
  value — a float as its shortest round-trip text, a date as its ISO text, a JSON column
  as its parsed value), so merging it changes no value and no clock and keeps no
  conflict (an equal stamp with another value is another text: it is merged as usual);
  the stored record passed those checks when it landed;
* its stamps are no newer than this computer's clock, which moved past them when they
  landed, so leaving them out of the clock's move changes nothing;
* authority: only rows that `_authorise` certainly accepts from this site *unchanged*
  are written out (`_authorised_where`): owned by the signing site (so the line names
  that owner too), naming that site when the kind names one, inside wholes no other
  site owns; and never a site record, a network-level record or a driver-diagram node or
  link (their rules read other records of the bundle).  Any other line — a stored
  record of another owner sent unchanged included — is parsed and checked in full;
* a record id twice in one file is found (the file is then read in full, which refuses
  it); the cross-record rules see every changed record, and read the stored ones (these
  among them) from the database, as before.

SQLite only (other engines return typed values; their imports parse every line).
"""

from __future__ import annotations

import datetime as dt
import functools
import json as _json
import re
import sqlite3
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring as _quote  # `json.dumps`'s own (C)
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String
from sqlalchemy.orm import Session

from ..core.authority import NETWORK_KINDS, OPTIONAL_SITE_KINDS, SITE_KINDS, wholes
from ..core.model import PRIVATE_FIELDS
from ..store.bulk import is_sqlite
from ..store.schema import MODELS, table_of
from .format import shared_columns

#: from how many lines of one kind the stored rows are written out (a small file — a
#: delta's — is parsed: reading every row the site owns would cost more)
UNCHANGED_MIN = 32

#: kinds whose rules read other records of the bundle, or that only the coordinator
#: changes: always parsed and checked in full
_ALWAYS_CHECKED = frozenset({"site", "driver_node", "driver_link"}) | NETWORK_KINDS

#: one column's stored values -> (whether its texts go between quotes, the texts): each
#: value as `export`'s `json.dumps` writes it; a row whose value it cannot write exactly
#: goes into the set (its line is then never matched)
Column = Callable[[Sequence[Any], set[int]], tuple[bool, Sequence[str]]]


class _Writer:
    """One kind's stored rows as the lines `export` writes for them (`format.to_json`,
    then `dumps_line`: sorted keys, compact, characters as they are)."""

    def __init__(self, kind: str) -> None:
        table = table_of(MODELS[kind])
        types = {c.key: c.type for c in table.columns}
        self.kind = kind
        self.table = table.name
        self.names = sorted({*shared_columns(kind), "field_clocks"})
        private = tuple(p for name in PRIVATE_FIELDS.get(kind, ()) for p in (name, "~" + name))
        self.columns: list[Column] = []
        #: False when a column is of a type this writer does not know (or its name needs
        #: escaping): the kind's lines are then all parsed and checked
        self.usable = all(name.replace("_", "").isalnum() and name.isascii()
                          for name in self.names)
        for name in self.names:
            kind_of = types[name]
            if name == "field_clocks":
                self.columns.append(_clocks(private))
            elif isinstance(kind_of, JSON):
                self.columns.append(_json_texts)
            elif isinstance(kind_of, Boolean):
                self.columns.append(_flags)
            elif isinstance(kind_of, Date):
                self.columns.append(_dates)
            elif isinstance(kind_of, Float):
                self.columns.append(_numbers(float))
            elif isinstance(kind_of, Integer):
                self.columns.append(_numbers(int))
            elif isinstance(kind_of, String):
                self.columns.append(_texts)
            else:
                self.usable = False

    def matches(self, s: Session, owner: str, wanted: dict[str, int]) -> dict[int, str]:
        """Which of the bundle's lines (`wanted`: line text -> its index) are, exactly,
        the line of a stored row of this kind that `owner` owns and `_authorise`
        accepts from `owner` unchanged: index -> record id.  The rows are read and
        written a chunk at a time (the same memory again for each), column by column —
        each check and conversion over a whole column at once — then one format per row.
        A row whose values cannot be written exactly as `export` would (a damaged
        value) is left out: its line, if the bundle carries it, is parsed and checked."""
        where, params = _authorised_where(self.kind, owner)
        fixed = _fixed(self.kind)  # `owner` in every row (the WHERE says so): not read
        read = [n for n in self.names if n not in fixed]
        names = ", ".join(f't."{n}"' for n in read)
        found: dict[int, str] = {}
        cursor = s.connection().connection.cursor()
        try:
            cursor.execute(f'SELECT {names} FROM "{self.table}" AS t WHERE {where}', params)
            while rows := cursor.fetchmany(CHUNK):
                self._match(owner, read, fixed, rows, wanted, found)
        except (sqlite3.Error, UnicodeDecodeError):  # stored text that is not UTF-8
            return {}
        finally:
            cursor.close()
        return found

    def _match(self, owner: str, read: list[str], fixed: frozenset[str], rows: Sequence[Any],
               wanted: dict[str, int], found: dict[int, str]) -> None:
        bad: set[int] = set()
        parts, texts = [], []
        stored = dict(zip(read, zip(*rows, strict=True), strict=True))
        for name, column in zip(self.names, self.columns, strict=True):
            if name in fixed:  # the owner's id, as `json.dumps` writes it
                parts.append(f'"{name}":{_quote(owner)}'.replace("%", "%%"))
                continue
            quoted, written = column(stored[name], bad)
            parts.append(f'"{name}":"%s"' if quoted else f'"{name}":%s')
            texts.append(written)
        form = "{" + ",".join(parts) + "}"
        at = list(map(wanted.get, map(form.__mod__, zip(*texts, strict=True))))
        for row, i in enumerate(at):
            if i is not None and row not in bad:  # bad: written from a placeholder
                found[i] = stored["id"][row]


#: stored rows read and written at a time
CHUNK = 4096


def _fixed(kind: str) -> frozenset[str]:
    """The columns `_authorised_where` fixes to the owner's id."""
    if kind in SITE_KINDS or kind in OPTIONAL_SITE_KINDS:
        return frozenset({"owner_site_id", "site_id"})
    return frozenset({"owner_site_id"})


#: field clocks as `json.dumps` writes them, when every key and stamp is plain
_PLAIN_CLOCKS = re.compile(r'\{(?:"[~A-Za-z0-9_]+":"[A-Za-z0-9_-]*"'
                           r'(?:,"[~A-Za-z0-9_]+":"[A-Za-z0-9_-]*")*)?\}')


def _texts(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
    if set(map(type, column)) == {str}:
        joined = "".join(column)
        # printable (no control character) without quote or backslash: as it is
        if '"' not in joined and "\\" not in joined and joined.isprintable():
            return True, column
    out = []
    for i, v in enumerate(column):
        if v is None:
            out.append("null")
        elif v.__class__ is str:
            out.append(_quote(v))
        else:
            out.append("")
            bad.add(i)
    return False, out


def _numbers(cls: type) -> Column:
    """Floats or whole numbers as `json.dumps` writes them (`repr`; a NaN is written
    `nan`, never a line's: a line with NaN is refused by the checks)."""
    def write(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
        kinds = set(map(type, column))
        if kinds <= {cls, type(None)}:  # the whole column at once, then its nulls
            texts = list(map(repr, column))
            if type(None) in kinds:
                texts = ["null" if v is None else t for v, t in zip(column, texts,
                                                                    strict=True)]
            return False, texts
        out = []
        for i, v in enumerate(column):
            if v is None:
                out.append("null")
            elif v.__class__ is cls:
                out.append(cls.__repr__(v))
            else:
                out.append("")
                bad.add(i)
        return False, out
    return write


def _flags(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
    """Stored 0/1 as false/true."""
    if set(map(type, column)) == {int} and set(column) <= {0, 1}:
        return False, list(map(("false", "true").__getitem__, column))
    out = []
    for i, v in enumerate(column):
        if v.__class__ is int and v in (0, 1):
            out.append("true" if v else "false")
        else:
            out.append("")
            bad.add(i)
    return False, out


def _dates(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
    """Stored ISO dates as `to_json` writes them: only a text that reads back as itself
    (each distinct one checked once)."""
    wrong = set()
    for v in set(column):
        try:
            if v.__class__ is not str or dt.date.fromisoformat(v).isoformat() != v:
                wrong.add(v)
        except ValueError:
            wrong.add(v)
    if not wrong:
        return True, column
    out = []
    for i, v in enumerate(column):
        if v is None:
            out.append("null")
        elif v in wrong:
            out.append("")
            bad.add(i)
        else:
            out.append(f'"{v}"')
    return False, out


def _json_texts(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
    """A JSON column: its stored text read, and written again as `dumps_line` does."""
    out = []
    for i, v in enumerate(column):
        try:
            out.append(_canonical(_json.loads(v) if v.__class__ is str else v))
        except (ValueError, TypeError, RecursionError):
            out.append("")
            bad.add(i)
    return False, out


def _clocks(private: tuple[str, ...]) -> Column:
    """Field clocks: a plain stored text as it is (every key and stamp plain, so
    `json.dumps` writes it so when its keys are sorted; unsorted, it only never
    matches); any other read and written again, private fields' clocks left out as
    `to_json` leaves them."""
    def write(column: Sequence[Any], bad: set[int]) -> tuple[bool, Sequence[str]]:
        plain = _PLAIN_CLOCKS.fullmatch
        if not private and set(map(type, column)) == {str} and all(map(plain, column)):
            return False, column
        out = []
        for i, v in enumerate(column):
            try:
                clocks = _json.loads(v) if v.__class__ is str else None
                if clocks.__class__ is not dict:
                    raise ValueError("not an object")
                for name in private:
                    clocks.pop(name, None)
                out.append(_canonical(clocks))
            except (ValueError, TypeError, RecursionError):
                out.append("")
                bad.add(i)
        return False, out
    return write


def _canonical(value: Any) -> str:
    """JSON text as `format.dumps_line` writes a value."""
    return _json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@functools.cache
def _writer(kind: str) -> _Writer:
    return _Writer(kind)


def _authorised_where(kind: str, owner: str) -> tuple[str, list[str]]:
    """SQL selecting the rows of `kind` (table alias `t`) that `_authorise` accepts from
    the site `owner` when its bundle carries them unchanged: owned by it, naming it when
    the kind names a site, and in no whole another owner holds (a whole not stored here
    comes in the same bundle, which carries only its own site's records).  A sufficient
    condition only: any other row's line is checked in full."""
    clauses, params = ["t.owner_site_id = ?"], [owner]
    if kind in SITE_KINDS or kind in OPTIONAL_SITE_KINDS:
        clauses.append("t.site_id = ?")
        params.append(owner)
    for field_, whole in wholes(kind):
        parent = table_of(MODELS[whole]).name
        clauses.append(f'(t."{field_}" IS NULL OR t."{field_}" = \'\' OR NOT EXISTS '
                       f'(SELECT 1 FROM "{parent}" AS w WHERE w.id = t."{field_}" '
                       "AND w.owner_site_id IS NOT ?))")
        params.append(owner)
    return " AND ".join(clauses), params


def unchanged_lines(s: Session, kind: str, owner: str, data: bytes
                    ) -> tuple[list[str], dict[int, str]] | None:
    """The lines of `data` (one record file of `owner`'s bundle, split on "\n") and, by
    index, the record id of each that is exactly a stored record `_authorise` accepts
    from `owner` unchanged (see the module's notes).  None when that is not worth
    finding out (few lines; none, or far more, stored rows than lines), not possible
    here (not SQLite, a kind always checked in full, not UTF-8), or a line repeats (the
    full checks refuse the file)."""
    if kind in _ALWAYS_CHECKED or not is_sqlite(s) or len(data) < UNCHANGED_MIN:
        return None
    writer = _writer(kind)
    if not writer.usable:
        return None
    s.flush()  # the bundles before this one in the same transaction
    stored = s.connection().exec_driver_sql(
        f'SELECT count(*) FROM "{writer.table}" WHERE owner_site_id = ?',
        (owner,)).scalar() or 0
    if not stored:  # none here (a site's first bundle): no line can be a stored record
        return None
    count = data.count(b"\n") + 1
    if count < UNCHANGED_MIN or stored > 2 * count:  # few lines, or mostly rows the
        return None                                  # bundle does not carry: look up
    try:
        lines = data.decode("utf-8").split("\n")  # "\n" only, as `records._lines`
    except UnicodeDecodeError:
        return None
    wanted = {line: i for i, line in enumerate(lines) if line}
    if len(wanted) != len(lines) - lines.count(""):
        return None
    return lines, writer.matches(s, owner, wanted)
