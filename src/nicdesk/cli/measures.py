"""Measure commands: `import-csv` (a measure's data for one site from CSV or one sheet of
an .xlsx workbook, with a preview) and `chart` (a measure's run-chart signals at one site,
in words, and its judgement — the same `core.summary` judgement the measure page and
meeting packets show)."""

from __future__ import annotations

import argparse

from ..core.safe_text import terminal_text
from ..core.states import CHART_NAMES


def cmd_import_csv(args: argparse.Namespace) -> int:
    from ..services.exchange import import_measure_csv, preview_measure_csv
    from ..services.workspaces import find_named
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        measure = find_named(ws, "measure", args.measure, "measure")
        site = find_named(ws, "site", args.site, "site")
        preview = preview_measure_csv(ws, measure.id, site.id, args.file, sheet=args.sheet)
        parsed = preview.parsed
        where = f" (sheet {terminal_text(preview.sheet)})" if preview.sheet else ""
        print(f"{terminal_text(args.file.name)}{where}: {len(parsed.rows)} rows, "
              f"{len(parsed.good)} good, {len(parsed.bad)} with problems, "
              f"{len(preview.duplicates())} already stored")
        for note in parsed.notes:  # notes and the report quote the file's cells
            print(f"  note: {terminal_text(note)}")
        if args.dry_run:
            if preview.report():
                print(terminal_text(preview.report(), newlines=True))
            return 0 if parsed.ok else 1
        result = import_measure_csv(ws, measure.id, site.id, args.file,
                                    replace=args.replace, skip_bad_rows=args.skip_bad_rows,
                                    sheet=args.sheet or preview.sheet)
        print(f"Imported {result.added} new values, replaced {result.replaced}, skipped "
              f"{result.skipped_duplicates} already stored and {result.skipped_bad} bad rows.")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from ..services.workspaces import find_named
    from ..store.views.series import measure_series
    from ..store.workspace import Workspace

    with Workspace.open(args.workspace) as ws:
        measure = find_named(ws, "measure", args.measure, "measure")
        site = find_named(ws, "site", args.site, "site")
        series = measure_series(ws, measure.id, site.id, args.chart)
        analysis = series.analysis
        assert analysis is not None  # measure_series always analyses the series it loads
        chart = CHART_NAMES.get(analysis.chart_kind, analysis.chart_kind)
        print(f"{terminal_text(measure.name)} at {terminal_text(site.name)}: "
              f"{len(series.points)} points, {chart}, judged by "
              f"{terminal_text(analysis.rule_set)}")
        for line in analysis.summary():
            print(f"  {terminal_text(line)}")
        summary = series.summary
        assert summary is not None  # and judges it, as packets do (`core.summary`)
        print(f"  {terminal_text(summary.line)}")
        print(f"  Variation: {summary.variation_words} · Assurance: {summary.assurance_words}")
        if analysis.suggest_rebase:
            print(f"  A sustained shift suggests a new phase from {analysis.suggest_rebase}; "
                  "add one with a written reason if the process has changed.")
    return 0
