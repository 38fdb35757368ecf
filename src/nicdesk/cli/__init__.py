"""Command line: the parser and one module per subject; each command calls the services, never the parser again."""
