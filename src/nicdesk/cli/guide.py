"""`nicdesk guide`: the built-in guide on the command line — its contents, one page's
Markdown, or a search — the same pages Help → Guide shows (`nicdesk.guide`)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("guide", help="the built-in guide: its contents, a page, or a search")
    p.add_argument("page", nargs="?", help="a page's name (see the contents), e.g. run-charts")
    p.add_argument("--search", nargs="+", metavar="WORD",
                   help="pages about these words (a question works too)")
    p.set_defaults(func=cmd_guide)


def cmd_guide(args: argparse.Namespace) -> int:
    from .. import guide  # here, so other commands do not load the pages' index

    if args.search:
        hits = guide.search(" ".join(args.search))
        for hit in hits:
            print(f"{hit.slug:22} {hit.title}\n{'':22} {hit.snippet}")
        if not hits:
            print("No page mentions that; try another word, or `nicdesk guide` for the "
                  "contents.")
        return 0
    if args.page:
        print(guide.page(args.page).markdown, end="")  # an unknown page: UnknownGuidePage
        return 0
    section = ""
    for info in guide.PAGES.values():
        if info.section != section:
            section = info.section
            print(f"\n{section}" if section != guide.SECTIONS[0] else section)
        print(f"  {info.slug:22} {info.title}")
    return 0
