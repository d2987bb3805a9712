from django.http import HttpRequest
from ninja import Router, Schema

from kizuna.accounts.auth import require_scope
from kizuna.accounts.models import StaffRole
from kizuna.accounts.permissions import persona_of

router = Router(tags=["accounts"])


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    kind: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    persona: str
    staff_role: str
    staff_roles: list[str]
    organizations: list[OrganizationOut]


@router.get("/me", response=MeOut, summary="The token owner's account and organizations")
def me(request: HttpRequest) -> MeOut:
    user = require_scope(request, "account:read")
    memberships = user.memberships.select_related("organization")
    return MeOut(
        id=user.pk,
        email=user.email,
        display_name=user.display_name,
        persona=persona_of(user),
        # The first role held, for clients written when a person held one role.
        staff_role=next((r for r in StaffRole.values if r in user.staff_roles), ""),
        staff_roles=[r for r in StaffRole.values if r in user.staff_roles],
        organizations=[
            OrganizationOut(
                id=m.organization.pk,
                name=m.organization.name,
                slug=m.organization.slug,
                kind=m.organization.kind,
                role=m.role,
            )
            for m in memberships
        ],
    )
