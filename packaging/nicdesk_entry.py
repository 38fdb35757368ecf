"""Entry point of the packaged app: the same `nicdesk` command (no arguments opens the
window; `nicdesk demo`, `nicdesk packet`... work as in a Python install)."""

import sys

from nicdesk.main import main

if __name__ == "__main__":
    sys.exit(main())
