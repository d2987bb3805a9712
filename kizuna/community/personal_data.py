"""The community's part of a person's data download and erasure (see accounts.personal_data)."""

from typing import Any

from kizuna.accounts import personal_data
from kizuna.community.models import Member
from kizuna.community.selectors import member_export
from kizuna.community.services import member_erase


def _members(user: Any) -> Any:
    return Member.objects.filter(user=user, erased_at__isnull=True, merged_into__isnull=True)


def _export(user: Any) -> list[dict[str, Any]]:
    return [member_export(member, with_staff_notes=False) for member in _members(user)]


def _erase(actor: Any, user: Any) -> None:
    for member in _members(user):
        member_erase(actor=actor, member=member)


personal_data.section("community", export=_export, erase=_erase)
