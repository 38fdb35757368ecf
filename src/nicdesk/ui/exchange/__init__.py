"""Exchange between sites and the hub, one module per dialog flow: `export` (with a
preview of what leaves), `imports` (bundles), `join` (a school's join request and joining
from an invitation), `enrol` (the coordinator enrols keys and writes invitations),
`conflicts` (conflicts and import history); `common` holds what they share.  Each calls
the flows of `nicdesk.services`, never writing them again."""
