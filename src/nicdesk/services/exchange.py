"""Exchange with the network, as both the command line and the GUI perform it: export a
signed bundle, verify one, import bundles one by one (a refusal never stops the rest),
import a measure's data from CSV, and dump every shared record.

Each function is one user-level flow on an open workspace (or on files) and returns a
plain result; the wording around it (a status line, a dialog, a line on stderr) stays
with the caller.  Refusals are `WorkspaceError`s whose message says what to do next.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..bundle.delta import Scope
from ..bundle.export import ExportResult, export_bundle, preview, preview_records, scope
from ..bundle.format import BASE_FIELD
from ..bundle.importer import ImportSummary, import_bundle, import_together
from ..bundle.reader import BundleError, read_bundle, verify_bundle
from ..core.states import BundleKind, Role
from ..store.errors import NotFoundError, WorkspaceError
from ..store.ops.csv_import import CsvPreview, ImportResult, import_csv, preview_csv
from ..store.schema import MODELS, Site
from ..store.workspace import Workspace

__all__ = ["ExchangeError", "ExportParties", "ImportOutcome", "Verified", "dump_records",
           "dumps", "export", "export_kind", "export_parties", "export_scope",
           "import_many", "import_measure_csv", "import_one", "preview_export", "preview_export_records", "preview_measure_csv", "verify"]

#: asked after each chunk of an import: (done, total) -> go on?  False rolls it back
Progress = Callable[[int, int], bool]


class ExchangeError(WorkspaceError):
    """A file given for an exchange step (a signer's key) cannot be used; nothing was
    checked or changed."""

    title = "Not checked"


# --------------------------------------------------------------------------- export


def export_kind(ws: Workspace) -> str:
    """What this workspace sends the network: the coordinator sends the digest back
    ("digest"), a site its own records ("site")."""
    return BundleKind.DIGEST if ws.meta().get("role") == Role.COORDINATOR else BundleKind.SITE


@dataclass(frozen=True)
class ExportParties:
    """Who an export is from (this workspace's site) and, for a coordinator's digest, the
    other sites of its network that a digest may be written for alone."""

    site_name: str
    others: list[tuple[str, str]]  # (name, id), by name


def export_parties(ws: Workspace) -> ExportParties:
    """This workspace's site and the other live sites of its network (by name)."""
    local = ws.meta()["local_site_id"]
    with ws.read() as s:
        site = s.get(Site, local)
        if site is None:
            raise NotFoundError("This workspace does not say which site it speaks for.")
        others = [(x.name, x.id) for x in s.scalars(select(Site).where(
            Site.network_id == site.network_id, Site.id != local,
            Site.deleted.is_(False)).order_by(Site.name))]
        return ExportParties(site.name, others)


def preview_export(ws: Workspace, kind: str = "site", *, full: bool = False
                   ) -> dict[str, int]:
    """How many records of each kind an export of `kind` would write (nothing is)."""
    return preview(ws, kind, delta=not full)


def preview_export_records(ws: Workspace, kind: str = "site", for_site: str | None = None,
                           *, full: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every record an export would write, exactly as it would write it (private fields
    absent, small counts suppressed, a delta's unchanged records left out), for a person
    to read before it leaves."""
    return preview_records(ws, kind, for_site, delta=not full)


def export_scope(ws: Workspace, kind: str = "site", *, full: bool = False) -> Scope:
    """Whether an export would be everything or a delta (and on which bundle), with the
    reason in words; a digest is always everything."""
    return scope(ws, kind, delta=not full)


def export(ws: Workspace, out: str | Path, *, kind: str = "site",
           passphrase: str | None = None, for_site: str | None = None,
           full: bool = False) -> ExportResult:
    """Write a signed bundle: "site" (this site's own records: only what changed since
    the last of its bundles the coordinator confirmed, or everything for the first one,
    before a digest confirmed one, or with `full` — "Export everything"), "digest"
    (coordinator: every site's, small counts suppressed; with `for_site`, for that site
    alone, keeping its own small counts; always everything).  A wrong passphrase or a
    missing key is `keys.KeyError_`; other refusals are `WorkspaceError`s; nothing is
    written then."""
    return export_bundle(ws, out, kind=kind, passphrase=passphrase, for_site=for_site,
                         delta=not full)


# --------------------------------------------------------------------------- verify


@dataclass(frozen=True)
class Verified:
    """A bundle's manifest, and whether its signature and files were checked (they are
    only when the signer's public key was given)."""

    path: Path
    manifest: dict[str, Any]
    checked: bool

    @property
    def base(self) -> int | None:
        """A delta's base: the sequence of the signer's bundle it builds on (None: the
        bundle carries everything)."""
        value = self.manifest.get(BASE_FIELD)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


def verify(bundle: str | Path, key_file: str | Path | None = None) -> Verified:
    """Check a bundle without importing it: its manifest always, its signature and every
    file's hash when `key_file` (the signer's `.pub`) is given.  A refusal is a
    `BundleError` (the bundle) or an `ExchangeError` (the key file), each one sentence."""
    from ..bundle.minisign import SignatureError, parse_public_key

    b = read_bundle(bundle)
    if key_file is None:
        return Verified(Path(bundle), b.manifest, checked=False)
    key_file = Path(key_file)
    try:
        with key_file.open("rb") as f:
            text = f.read(64 * 1024).decode("utf-8")
        key = parse_public_key(text)
    except OSError as exc:
        raise ExchangeError(f"The key file {key_file} cannot be read ({exc.strerror or exc}); "
                            "nothing was checked.") from exc
    except (SignatureError, ValueError) as exc:  # ValueError: not UTF-8 text either
        raise ExchangeError(f"{key_file} is not a minisign public key (a .pub file from "
                            "'nicdesk keys export-public'); nothing was checked.") from exc
    verify_bundle(b, key)
    return Verified(Path(bundle), b.manifest, checked=True)


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportOutcome:
    """One bundle's import: what it did (`summary`), or why it was refused; `message` is
    the sentence to show either way."""

    path: Path
    message: str
    summary: ImportSummary | None = None  # None: refused, nothing changed

    @property
    def refused(self) -> bool:
        return self.summary is None


def import_one(ws: Workspace, path: str | Path,
               progress: Progress | None = None) -> ImportOutcome:
    """Verify and merge one bundle, all or nothing.  Never raises for the bundle: a
    refusal (or an unexpected problem, which also changes nothing) is an outcome, so
    importing several goes on with the next one."""
    try:
        summary = import_bundle(ws, path, progress)
    except BundleError as exc:
        return ImportOutcome(Path(path), exc.message)
    except Exception as exc:  # noqa: BLE001 - one bad bundle never stops the rest
        return ImportOutcome(Path(path), f"{Path(path).name} was not imported: an "
                             f"unexpected problem ({type(exc).__name__}); nothing was "
                             "changed. Please report it with the file.")
    return ImportOutcome(Path(path), summary.text(), summary)


def import_many(ws: Workspace, paths: list[str | Path],
                progress: Progress | None = None) -> list[ImportOutcome]:
    """Import several bundles, in this order, with one outcome each.  They are applied
    together in one transaction (one write to disk, `importer.import_together`); when
    one is refused, nothing of that attempt is kept and they are imported one by one
    (`import_one`), so the result is always that of importing them in turn, and a
    refusal never stops the rest.  A cancel stops them all, nothing changed."""
    if len(paths) < 2:
        return [import_one(ws, p, progress) for p in paths]
    cancelled = False

    def told(done: int, total: int) -> bool:
        nonlocal cancelled
        go_on = progress is None or progress(done, total) is not False
        cancelled = cancelled or not go_on
        return go_on

    try:
        summaries = import_together(ws, paths, told)
    except Exception as exc:  # noqa: BLE001 - one by one below says which and why
        if cancelled:
            message = exc.message if isinstance(exc, BundleError) else str(exc)
            return [ImportOutcome(Path(p), message) for p in paths]
        return [import_one(ws, p, progress) for p in paths]
    return [ImportOutcome(Path(p), summary.text(), summary)
            for p, summary in zip(paths, summaries, strict=True)]


# --------------------------------------------------------------------------- CSV


def preview_measure_csv(ws: Workspace, measure_id: str, site_id: str,
                        path: str | Path, *, sheet: str | None = None) -> CsvPreview:
    """What importing a CSV file (or one `sheet` of an .xlsx workbook; default its first
    sheet with data) into a measure at a site would do: rows good and bad, values already
    stored; nothing is written."""
    return preview_csv(ws, measure_id, site_id, path, sheet=sheet)


def import_measure_csv(ws: Workspace, measure_id: str, site_id: str, path: str | Path, *,
                       replace: bool = False, skip_bad_rows: bool = False,
                       sheet: str | None = None) -> ImportResult:
    """Import a measure's data for one site from CSV or an .xlsx workbook's `sheet`, in
    one transaction: values already stored for a period are kept (or replaced with
    `replace`); a file with bad rows is refused unless `skip_bad_rows` (`CsvImportError`,
    nothing changed)."""
    return import_csv(ws, measure_id, site_id, path,
                      duplicates="replace" if replace else "skip",
                      skip_bad_rows=skip_bad_rows, sheet=sheet)


# --------------------------------------------------------------------------- dump


def dump_records(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Every shared record (deleted ones included, as tombstones travel), per kind in
    bundle order, each as its canonical JSON object, sorted by id."""
    from ..bundle.format import ORDER, to_json

    with ws.read() as s:
        return {kind: sorted((to_json(kind, r) for r in s.scalars(select(MODELS[kind]))),
                             key=lambda r: str(r["id"])) for kind in ORDER}


def dumps(records: dict[str, list[dict[str, Any]]]) -> str:
    """The dump as JSON text (sorted keys, one space indent, characters as they are)."""
    return json.dumps(records, sort_keys=True, indent=1, ensure_ascii=False)
