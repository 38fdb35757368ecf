"""PDF meeting packets and vector drawings (reportlab).

Layer: may use nicdesk.store and nicdesk.core; never Qt (import-linter enforces it)."""
