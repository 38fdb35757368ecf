"""The one root of NICdesk's errors: something a person can act on.

Every error NICdesk raises on purpose descends from `NicdeskError`, so the GUI and the
command line catch one class and show `title` (a dialog title, or the first words of the
command line's message) above `message`, which says what is wrong and what to do next.
`details` holds what a supporter may need (the database's own words, say); it is never the
message itself.  Each subclass names its own `title`.
"""

from __future__ import annotations


class NicdeskError(Exception):
    """Something went wrong that a person can act on; the message says what to do next."""

    title = "NICdesk could not do that"

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details
