import pytest

from kizuna.core.models import AuditEntry
from kizuna.core.transitions import TransitionRefused, transition

pytestmark = pytest.mark.django_db


def entry(action):
    return AuditEntry.objects.create(action=action, object_repr="before")


def test_a_transition_moves_the_row_and_sets_the_other_fields():
    row = entry("draft")
    transition(
        AuditEntry,
        row.pk,
        from_states=["draft", "queued"],
        to_state="sent",
        field="action",
        object_repr="after",
    )
    row.refresh_from_db()
    assert (row.action, row.object_repr) == ("sent", "after")


def test_a_transition_from_another_state_is_refused_and_changes_nothing():
    row = entry("sent")
    with pytest.raises(TransitionRefused) as refused:
        transition(
            AuditEntry,
            row.pk,
            from_states="draft",
            to_state="sent",
            field="action",
            object_repr="after",
        )
    assert refused.value.code == "state_changed"
    row.refresh_from_db()
    assert row.object_repr == "before"


def test_the_second_of_two_identical_transitions_is_refused():
    row = entry("draft")
    transition(AuditEntry, row.pk, from_states="draft", to_state="sent", field="action")
    with pytest.raises(TransitionRefused):
        transition(AuditEntry, row.pk, from_states="draft", to_state="sent", field="action")


def test_a_queryset_narrows_the_rows_a_transition_may_move():
    row = entry("draft")
    others = AuditEntry.objects.exclude(pk=row.pk)
    with pytest.raises(TransitionRefused):
        transition(others, row.pk, from_states="draft", to_state="sent", field="action")


def test_the_caller_chooses_the_error_a_refusal_raises():
    from django.core.exceptions import ValidationError

    row = entry("sent")
    with pytest.raises(ValidationError) as refused:
        transition(
            AuditEntry,
            row.pk,
            from_states="draft",
            to_state="sent",
            field="action",
            refused=ValidationError("already sent", code="already_sent"),
        )
    assert refused.value.code == "already_sent"
