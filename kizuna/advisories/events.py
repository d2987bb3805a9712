"""Event types of security advisories (see kizuna.core.catalog).

Under embargo an advisory reaches only the partners it targets, so `advisory.shared` and
`advisory.revised` are emitted once per targeted partner: a partner's feed and webhook
endpoints get the ones addressed to it and never learn of the others.
"""

import datetime as dt
from functools import partial

from kizuna.core.catalog import EventPayload, declare


class AdvisoryRef(EventPayload):
    advisory_id: int
    identifier: str
    severity: str
    revision: int


class AdvisoryToPartner(AdvisoryRef):
    organization_id: int


class AdvisoryAcknowledged(EventPayload):
    advisory_id: int
    identifier: str
    organization_id: int
    acknowledged_at: dt.datetime


class AdvisoryAnswered(EventPayload):
    advisory_id: int
    identifier: str
    organization_id: int
    answered_at: dt.datetime
    deadline: dt.datetime | None
    on_time: bool


class SiteStatusChanged(EventPayload):
    advisory_id: int
    identifier: str
    organization_id: int
    site_id: int
    previous_state: str
    state: str
    on: dt.date


declare_for_partner = partial(
    declare, public=True, scope="advisories:read", partner_field="organization_id"
)

declare_for_partner("advisory.shared", schema=AdvisoryToPartner)
declare_for_partner("advisory.revised", schema=AdvisoryToPartner)
declare("advisory.published", schema=AdvisoryRef, public=True, scope="advisories:read")
declare_for_partner("advisory.acknowledged", schema=AdvisoryAcknowledged)
declare_for_partner("advisory.site_status_changed", schema=SiteStatusChanged)
# Internal: the partners app turns an answer by the deadline into contribution points.
declare("advisory.answered", schema=AdvisoryAnswered)
