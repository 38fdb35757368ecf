"""NICdesk: a desktop workbench for networked improvement communities in education."""

__version__ = "0.1.0"
