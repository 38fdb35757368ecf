"""User-level flows, written once and called by both the CLI and the GUI: workspaces, membership (invite, enrol, join, trust) and exchange."""
