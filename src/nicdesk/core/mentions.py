"""@member mentions in a comment's text, resolved to member ids.

People type "@Priya Raman" (names have spaces, so a mention is not one word): the longest
member name that follows an "@" wins, compared without regard to case, and the name must
end at a word boundary ("@Ann" does not mention Anna).  Resolving happens when a comment
is posted, so the stored `mentions` list names members by id and survives renames.

Pure Python: no Qt, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping


def find_mentions(text: str, names: Mapping[str, str]) -> list[str]:
    """Ids of the members `text` mentions, in the order first mentioned, each once.
    `names` maps member id -> name; blank names never match."""
    by_length = sorted(((name.casefold(), member) for member, name in names.items()
                        if name.strip()), key=lambda x: -len(x[0]))
    folded = text.casefold()
    found: list[str] = []
    start = folded.find("@")
    while start != -1:
        after = folded[start + 1:]
        for name, member in by_length:
            end = len(name)
            if after.startswith(name) and (end == len(after) or not after[end].isalnum()):
                if member not in found:
                    found.append(member)
                break
        start = folded.find("@", start + 1)
    return found


def completions(prefix: str, names: Mapping[str, str], limit: int = 8) -> list[str]:
    """Member names a partly typed mention ("@pri") may complete to, alphabetically; an
    empty prefix lists the first `limit` names."""
    want = prefix.casefold()
    hits = sorted({n for n in names.values() if n.strip() and (
        n.casefold().startswith(want) or any(w.casefold().startswith(want)
                                             for w in n.split()))}, key=str.casefold)
    return hits[:limit]


def mention_prefix(text: str, cursor: int) -> str | None:
    """The partly typed mention just before `cursor` (the text after the last "@" on that
    line, up to two words), or None when the cursor is not in a mention."""
    head = text[:cursor]
    at = head.rfind("@")
    if at == -1 or (at > 0 and head[at - 1].isalnum()):
        return None
    typed = head[at + 1:]
    if "\n" in typed or len(typed.split()) > 2 or typed.endswith("  "):
        return None
    return typed
