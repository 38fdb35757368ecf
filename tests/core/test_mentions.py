"""@mentions: the longest member name after an "@" wins, at a word boundary, each member
once; completion offers names by any word's start."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nicdesk.core.mentions import completions, find_mentions, mention_prefix

PEOPLE = {"a": "Ann", "b": "Anna Berg", "c": "Priya Raman", "d": "Robert Tran"}


def test_longest_name_wins_and_word_boundary_holds() -> None:
    assert find_mentions("@Anna Berg said hi", PEOPLE) == ["b"]
    assert find_mentions("@Ann, and @anna berg.", PEOPLE) == ["a", "b"]
    assert find_mentions("@Annabel is nobody", PEOPLE) == []
    assert find_mentions("mail ann@example.org", PEOPLE) == []
    assert find_mentions("@Priya Raman @priya raman @Robert Tran", PEOPLE) == ["c", "d"]


def test_completion_and_prefix() -> None:
    assert completions("ra", PEOPLE) == ["Priya Raman"]
    assert completions("an", PEOPLE) == ["Ann", "Anna Berg"]
    assert mention_prefix("Thanks @Pri", 11) == "Pri"
    assert mention_prefix("Thanks @Priya Ra", 16) == "Priya Ra"
    assert mention_prefix("mail ann@ex", 11) is None
    assert mention_prefix("no mention", 10) is None


names = st.text(st.characters(categories=("L",)), min_size=1, max_size=12)


@given(people=st.dictionaries(st.uuids().map(str), st.lists(names, min_size=1, max_size=3)
                              .map(" ".join), min_size=1, max_size=6),
       filler=st.text(st.sampled_from(" ,.;!?\n"), min_size=1, max_size=3))
def test_every_written_mention_is_found_once(people: dict[str, str], filler: str) -> None:
    """Writing "@Name" for every member (separated by spaces or punctuation) finds each
    member once — unless two members share a name, when the text cannot tell them apart."""
    text = filler.join(f"@{name}" for name in people.values()) + filler
    found = find_mentions(text, people)
    assert len(found) == len(set(found))
    assert set(found) <= set(people)
    for member, name in people.items():
        shadowed = any(other != name and other.casefold().startswith(name.casefold() + " ")
                       for other in people.values())
        same = [m for m, n in people.items() if n.casefold() == name.casefold()]
        if not shadowed and len(same) == 1:
            assert member in found
