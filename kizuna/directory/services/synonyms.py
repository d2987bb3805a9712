"""The staff's synonyms: words merchants type for a badge (directory.vocabulary).

Each write is audited like other staff changes and renews the index token in the same
transaction, so every process reads the new list at its next search.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kizuna.core import audit
from kizuna.directory.models import SearchSynonym
from kizuna.directory.services.index import index_changed
from kizuna.directory.vocabulary import tokens_of
from kizuna.partners.models import Badge

FIELDS = ["term", "badge"]


def search_synonym_check(*, badge: Badge, term: str, synonym: SearchSynonym | None = None) -> str:
    """The word as it is stored; it must search something and not already be a synonym of
    the badge, however it is spelled (サーバ/サーバー)."""
    term = " ".join(term.split())
    tokens = tokens_of(term)
    if not tokens:
        raise _term_error(_("Enter a word that can be searched."), "empty")
    others = SearchSynonym.objects.filter(badge=badge)
    if synonym is not None:
        others = others.exclude(pk=synonym.pk)
    if any(tokens_of(other) == tokens for other in others.values_list("term", flat=True)):
        raise _term_error(_("This word is already a synonym of this badge."), "duplicate")
    return term


def _term_error(message: str, code: str) -> ValidationError:
    return ValidationError({"term": ValidationError(message, code=code)})


def search_synonym_save(
    *, actor: Any, badge: Badge, term: str, synonym: SearchSynonym | None = None
) -> SearchSynonym:
    """Add a synonym (synonym None) or change one."""
    with transaction.atomic():
        term = search_synonym_check(badge=badge, term=term, synonym=synonym)
        before = audit.snapshot(synonym, FIELDS) if synonym is not None else None
        if synonym is None:
            synonym = SearchSynonym(term=term, badge=badge)
        synonym.term, synonym.badge = term, badge
        synonym.save()
        audit.record(
            actor=actor,
            action="search_synonym.changed" if before else "search_synonym.added",
            obj=synonym,
            before=before,
            after=audit.snapshot(synonym, FIELDS),
        )
        index_changed()
    return synonym


def search_synonym_delete(*, actor: Any, synonym: SearchSynonym) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="search_synonym.deleted",
            obj=synonym,
            before=audit.snapshot(synonym, FIELDS),
        )
        synonym.delete()
        index_changed()
