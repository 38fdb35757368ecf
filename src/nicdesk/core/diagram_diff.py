"""What changed between two versions of a driver diagram (snapshot ↔ snapshot or now).

A version is plain data: {"nodes": [{"id", "level", "text", "status"}...],
"links": [[parent, child]...]}.  Nodes are matched by id, so a reworded node is seen as
reworded, not as one removed and one added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def clean_version(version: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stored version as the comparison reads it: nodes with text ids, levels and texts,
    links as pairs of ids.  Snapshots arrive from other sites' bundles and older files, so
    anything else in them (a count where the list belongs, a malformed node) is left out
    rather than stopping the comparison."""
    version = version if isinstance(version, Mapping) else {}
    raw_nodes = version.get("nodes")
    nodes = [dict(n) for n in raw_nodes if isinstance(n, Mapping)
             and all(isinstance(n.get(k), str) for k in ("id", "level", "text"))] \
        if isinstance(raw_nodes, list) else []
    raw_links = version.get("links")
    links = [[str(a), str(b)] for a, b in (x for x in raw_links if isinstance(x, list | tuple)
                                            and len(x) == 2)] \
        if isinstance(raw_links, list) else []
    return {"nodes": nodes, "links": links}


@dataclass
class DiagramDiff:
    added: list[str] = field(default_factory=list)  # node ids only in the newer version
    removed: list[str] = field(default_factory=list)  # only in the older
    reworded: list[str] = field(default_factory=list)  # text changed
    restatused: list[str] = field(default_factory=list)  # status changed
    relinked: list[str] = field(default_factory=list)  # parents changed
    links_added: list[tuple[str, str]] = field(default_factory=list)
    links_removed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.restatused
                    or self.relinked or self.links_added or self.links_removed)

    def describe(self, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
        """The changes as sentences a team can read out."""
        old, new = clean_version(old), clean_version(new)
        text_old = {n["id"]: n for n in old.get("nodes", [])}
        text_new = {n["id"]: n for n in new.get("nodes", [])}
        lines = [f"Added {text_new[i]['level']}: {text_new[i]['text']}" for i in self.added]
        lines += [f"Removed {text_old[i]['level']}: {text_old[i]['text']}" for i in self.removed]
        lines += [f"Reworded: “{text_old[i]['text']}” → “{text_new[i]['text']}”"
                  for i in self.reworded]
        lines += [f"Status of “{text_new[i]['text']}”: {text_old[i].get('status')} → "
                  f"{text_new[i].get('status')}" for i in self.restatused]
        lines += [f"Relinked: {text_new[i]['text']}" for i in self.relinked]
        return lines or ["No changes."]


def diff_versions(old: dict[str, Any], new: dict[str, Any]) -> DiagramDiff:
    old, new = clean_version(old), clean_version(new)
    a = {n["id"]: n for n in old.get("nodes", [])}
    b = {n["id"]: n for n in new.get("nodes", [])}
    la = {tuple(x) for x in old.get("links", [])}
    lb = {tuple(x) for x in new.get("links", [])}
    out = DiagramDiff()
    out.added = sorted(set(b) - set(a), key=lambda i: (b[i]["level"], b[i]["text"]))
    out.removed = sorted(set(a) - set(b), key=lambda i: (a[i]["level"], a[i]["text"]))
    both = sorted(set(a) & set(b), key=lambda i: b[i]["text"])
    out.reworded = [i for i in both if a[i]["text"] != b[i]["text"]]
    out.restatused = [i for i in both if a[i].get("status") != b[i].get("status")]
    out.links_added = sorted(lb - la)
    out.links_removed = sorted(la - lb)

    def parents(links: set[tuple[str, str]], node: str) -> set[str]:
        return {p for p, c in links if c == node}

    out.relinked = [i for i in both if parents(la, i) != parents(lb, i)]
    return out
