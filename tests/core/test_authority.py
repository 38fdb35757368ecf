"""The single-writer rules (core.authority) agree with the entity description and decide
writes as docs/exchange.md says."""

from __future__ import annotations

import pytest

from nicdesk.core import authority
from nicdesk.core.entities import ENTITIES


@pytest.mark.parametrize("kind", sorted(ENTITIES))
def test_owner_rule_matches_entity_description(kind: str) -> None:
    rule = ENTITIES[kind].owner
    if rule == "self":
        assert authority.owner_source(kind, {})[0] == "self"
    elif rule == "network":
        assert kind in authority.NETWORK_KINDS
    elif rule == "site_id":
        assert kind in authority.SITE_KINDS | authority.OPTIONAL_SITE_KINDS
        assert authority.owner_source(kind, {"site_id": "s1"})[:2] == ("site", "s1")
    else:
        field = rule.removeprefix("parent:")
        assert authority.PARENT[kind][0] == field
        assert authority.owner_source(kind, {field: "p1"})[:2] == ("parent", "p1")


def test_network_level_records_without_site() -> None:
    for kind in authority.OPTIONAL_SITE_KINDS:
        assert authority.owner_source(kind, {"network_id": "n"})[:2] == ("network", "n")
    assert authority.owner_source("network", {"id": "n"})[:2] == ("network", "n")


SITE = {"signing_key": "K", "local_site_id": "A", "role": "site"}
COORD = {"signing_key": "K", "local_site_id": "HUB", "role": "coordinator"}


def test_standalone_workspace_writes_everything() -> None:
    assert authority.may_write({}, "observation", "B") == "yes"
    assert authority.may_write({"local_site_id": "A"}, "site", "B", {"public_keys"}) == "yes"


def test_site_writes_only_its_own() -> None:
    assert authority.may_write(SITE, "observation", "A") == "yes"
    assert authority.may_write(SITE, "observation", "B") == "owner"
    assert authority.may_write(SITE, "charter", None) == "owner"
    assert authority.may_write(SITE, "site", "A", {"name"}) == "yes"
    for field in authority.COORDINATOR_SITE_FIELDS:
        assert authority.may_write(SITE, "site", "A", {field}) == "coordinator"
    assert authority.may_write(SITE, "site", "C", creating=True) == "coordinator"


def test_coordinator_writes_network_records_and_site_keys_only() -> None:
    assert authority.may_write(COORD, "charter", "HUB") == "yes"
    assert authority.may_write(COORD, "observation", "A") == "owner"
    assert authority.may_write(COORD, "site", "A", {"public_keys"}) == "yes"
    assert authority.may_write(COORD, "site", "A", {"name"}) == "owner"
    assert authority.may_write(COORD, "site", "NEW", creating=True) == "yes"


def test_trusting_a_coordinator_binds_the_rules() -> None:
    assert authority.binds({"trusted_coordinator_key": "x"})
    assert not authority.binds({"signing_key": ""})
