"""The guided first cycle: a dockable panel saying what to do next (issue 23)."""
