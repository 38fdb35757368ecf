from nicdesk.core import model


def test_required_text_and_choices() -> None:
    v = model.validate("site", {"name": " ", "kind": "castle"})
    assert not v.ok
    text = v.text()
    assert "needs a name" in text and "castle" in text and "school" in text


def test_partial_validation_checks_only_given_fields() -> None:
    assert model.validate("site", {"kind": "district"}, partial=True).ok
    assert not model.validate("site", {}, partial=False).ok


def test_suppression_threshold_must_be_positive() -> None:
    assert not model.validate("network", {"name": "N", "suppression_threshold": 0}).ok


def test_every_kind_has_a_label() -> None:
    from nicdesk.store.schema import MODELS

    assert set(MODELS) == set(model.KIND_LABELS)
