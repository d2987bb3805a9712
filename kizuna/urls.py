from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from kizuna.accounts import consumer_views
from kizuna.advisories.views import security_txt
from kizuna.api import api
from kizuna.core.charts import plotly_js
from kizuna.core.views import healthz

urlpatterns = [
    # The admin signs in through the same rate-limited, two-step sign-in as every page.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("kizuna.accounts.urls")),
    path("partners/", include("kizuna.partners.urls")),
    path("billing/", include("kizuna.billing.urls")),
    path("community/", include("kizuna.community.urls")),
    path("connectors/", include("kizuna.connectors.urls")),
    path("directory/", include("kizuna.directory.urls")),
    path("insights/", include("kizuna.insights.urls")),
    path("imports/", include("kizuna.core.import_urls")),
    path("outreach/", include("kizuna.outreach.urls")),
    path("integrations/", include("kizuna.integrations.urls")),
    path("advisories/", include("kizuna.advisories.urls")),
    path(".well-known/security.txt", security_txt, name="security_txt"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("charts/plotly.min.js", plotly_js, name="plotly_js"),
    path("staff/consumers/", consumer_views.consumer_list, name="staff_consumers"),
    path(
        "staff/consumers/<str:name>/retry/",
        consumer_views.consumer_retry,
        name="staff_consumer_retry",
    ),
    path(
        "staff/consumers/<str:name>/skip/", consumer_views.consumer_skip, name="staff_consumer_skip"
    ),
    path("", include("kizuna.site.urls")),
]

handler404 = "kizuna.core.api_errors.page_not_found"
handler500 = "kizuna.site.errors.server_error"
