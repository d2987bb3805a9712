"""Event types of accounts (see kizuna.core.catalog)."""

from kizuna.core.catalog import EventPayload, declare


class UserCreated(EventPayload):
    user_id: int
    kind: str
    staff_role: str


class OrganizationCreated(EventPayload):
    organization_id: int
    kind: str
    # None while the first owner's invitation is open (see partners' application approval).
    owner_id: int | None


# Sign-ups are internal: a partner becomes visible to integrations with `partner.created`.
declare("user.created", schema=UserCreated)
declare("organization.created", schema=OrganizationCreated)


class OrganizationMemberJoined(EventPayload):
    organization_id: int
    user_id: int
    role: str


class OrganizationMemberLeft(EventPayload):
    organization_id: int
    user_id: int


declare("organization.member_joined", schema=OrganizationMemberJoined)
declare("organization.member_left", schema=OrganizationMemberLeft)


class UserEmailVerified(EventPayload):
    user_id: int
    kind: str


# A person proved their address (sign-up link, or a visitor's request): community claims
# the member whose verified email is the same.
declare("user.email_verified", schema=UserEmailVerified)


class ErasureRequested(EventPayload):
    request_id: int
    user_id: int


class UserErased(EventPayload):
    user_id: int


declare("user.erasure_requested", schema=ErasureRequested)
declare("user.erased", schema=UserErased)
