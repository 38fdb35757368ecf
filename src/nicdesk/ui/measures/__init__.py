"""Measures: the measure page (chart, data grid, definition) and its dialogs (CSV import, phases)."""
