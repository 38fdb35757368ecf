"""`python -m nicdesk` — the same as the `nicdesk` command."""

import sys

from .main import main

sys.exit(main())
