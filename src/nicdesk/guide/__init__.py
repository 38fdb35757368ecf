"""NICdesk's built-in guide: short plain-language pages on the improvement method and on
every chart rule the app applies, read offline, in the app (Help → Guide, F1 on any page)
and on the command line (`nicdesk guide`).

The pages are Markdown files shipped as package data (`guide/pages/<slug>.md`); this
package is their one registry.  A **slug** names a page and never changes once
published: screens link to pages by slug (`page(slug)`), the page registry of the shell
gives every page kind one (F1), and each chart rule has its page (`rule_page`).  Links
between pages are ordinary relative Markdown links, ``[run charts](run-charts.md)``, so a
page reads the same in any Markdown viewer; `slug_of_link` turns one back into a slug.

Pure Python (no Qt, no SQL): the CLI, the packaged build's smoke test and the tests
read the same pages the window shows.
"""

from __future__ import annotations

from .library import (
    PAGES,
    RULE_PAGES,
    SECTIONS,
    GuidePage,
    PageInfo,
    SearchHit,
    UnknownGuidePage,
    link,
    page,
    page_path,
    rule_page,
    search,
    slug_of_link,
)

__all__ = [
    "PAGES", "RULE_PAGES", "SECTIONS", "GuidePage", "PageInfo", "SearchHit",
    "UnknownGuidePage", "link", "page", "page_path", "rule_page", "search", "slug_of_link",
]
