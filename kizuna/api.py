"""The JSON API under /api/v1/: each app mounts its router here."""

from ninja import NinjaAPI

from kizuna.accounts.api import router as accounts_router
from kizuna.accounts.auth import BearerToken
from kizuna.advisories.api import router as advisories_router
from kizuna.advisories.api import sites_router as client_sites_router
from kizuna.billing.api import router as billing_router
from kizuna.community.api import router as community_router
from kizuna.core.api_errors import install_error_handlers
from kizuna.directory.api import router as directory_router
from kizuna.insights.api import router as insights_router
from kizuna.integrations.api import router as integrations_router
from kizuna.integrations.feed import router as feed_router
from kizuna.outreach.api import router as outreach_router
from kizuna.partners.api import router as partners_router

api = NinjaAPI(
    title="Kizuna API",
    version="1",
    description="Scoped bearer tokens: `Authorization: Bearer <token>`. "
    "Create one under Account settings → API tokens.",
    auth=BearerToken(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/accounts", accounts_router)
api.add_router("/partners/me/sites", client_sites_router)
api.add_router("/partners", partners_router)
api.add_router("/billing", billing_router)
api.add_router("/community", community_router)
api.add_router("/directory", directory_router)
api.add_router("/insights", insights_router)
api.add_router("/events", feed_router)
api.add_router("/webhooks", integrations_router)
api.add_router("/advisories", advisories_router)
api.add_router("/outreach", outreach_router)
