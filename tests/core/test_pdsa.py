import datetime as dt

from nicdesk.core.pdsa import CycleFacts, overdue, problems, stage

TODAY = dt.date(2026, 3, 1)


def facts(**kw) -> CycleFacts:
    base = dict(title="t", change_idea=True, questions=1, predictions=1, results=0,
                start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 24), did=False, learned=False,
                decision="", act_next="")
    base.update(kw)
    return CycleFacts(**base)


def test_stage_follows_what_is_written() -> None:
    assert stage(facts(), TODAY) == "planning"
    assert stage(facts(start=dt.date(2026, 2, 1)), TODAY) == "doing"
    assert stage(facts(results=1), TODAY) == "studying"
    assert stage(facts(decision="adapt"), TODAY) == "done"


def test_overdue_when_ended_without_study() -> None:
    assert overdue(facts(end=dt.date(2026, 2, 20)), TODAY)
    assert not overdue(facts(end=dt.date(2026, 2, 20), learned=True), TODAY)


def test_incomplete_forms_are_flagged_not_refused() -> None:
    text = " ".join(problems(facts(change_idea=False, questions=0, start=dt.date(2026, 3, 5),
                                   end=dt.date(2026, 3, 1), decision="abandon")))
    assert "change idea" in text and "question" in text
    assert "end date is before" in text and "why you decided to abandon" in text
    assert problems(facts()) == []
    assert "prediction for every question" in " ".join(problems(facts(questions=2)))
