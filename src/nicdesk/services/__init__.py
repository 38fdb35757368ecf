"""User-level flows, written once and called by both the CLI and the GUI: `workspaces`
(create, find by name), `membership` (keys, join request, enrol, invite, join; with
`bring_along` for a school's own work), `exchange` (export, verify, import, CSV, dump) and
`reports` (a PDSA cycle's page).  No printing and no Qt here: each flow takes typed
arguments and returns a typed result; the words around it belong to the caller."""
