"""Signed bundles: keys, minisign-format signatures, export with preview, import + merge.

Layer: may use nicdesk.store and nicdesk.core; never Qt (import-linter enforces it)."""
