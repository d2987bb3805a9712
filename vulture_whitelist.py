# Names vulture cannot see used (pyproject.toml [tool.vulture]; `make lint`, .ci/run).
# Not executed, only parsed: every line names something and says who uses it.
# Before adding a line, make sure the thing is really used; dead code is removed instead.
# ruff: noqa

# Reached through a dotted path in settings (MIDDLEWARE, TEMPLATES context processors).
RequireOTPVerificationMiddleware  # kizuna/accounts/middleware.py
RequestContextMiddleware  # kizuna/core/request_context.py
branding  # kizuna/site/context_processors.py

# Run as a string by the import's worker process (community/parsing.py _WORKER_CODE).
serve_parsing

# Kept for the callers other issues bring (issue 20 item 6: ways-in and experience issues).
user_create  # kizuna/accounts/services.py
prefecture_name  # kizuna/core/prefectures.py
can_send_lead  # kizuna/directory/permissions.py

# Building blocks with tests and documented uses, waiting for their callers: the change
# feed (events_after), every URL fetch (guarded_get), the connpass upload page
# (import_participants), and the account and program writes the tests and admin flows use.
events_after  # kizuna/core/events.py
guarded_get  # kizuna/core/ssrf.py
import_participants  # kizuna/connectors/connpass_csv.py
organization_create  # kizuna/accounts/services.py
membership_add  # kizuna/accounts/services.py
badge_delete  # kizuna/partners/services/program.py
MANAGE_BILLING  # kizuna/billing/permissions.py (an Action the permission matrix decides)
ROLLUP_METRICS  # kizuna/insights/metrics.py (the oracle tests iterate it)

# API schema fields: ninja reads them by name to build the answer.
next_change_from  # billing/api.py
is_output  # community/api.py
member_name  # community/api.py
online_url  # community/api.py
partner_name  # directory/api.py
decline_reason  # directory/api.py
expires_at  # directory/api.py
phone  # directory/api.py
contact  # directory/api.py
at  # partners/api.py

# Dataclass fields and model fields written by services, read by templates and the admin.
already_imported  # billing/services/payments.py ImportReport
rows_read
added
duplicates
deposits_added
filtered  # insights/selectors.py KPI card
partial_value  # insights/selectors.py KPI card, read by overview.html
confirmed  # accounts TOTP device
suspension_reason
merged_into
credentials_encrypted
hidden_at
hidden_by
awarded_at
decision_reason
decided_at
decided_by
_.confirmed  # accounts TOTP device
_.suspension_reason
_.merged_into
_.credentials_encrypted
_.hidden_at
_.hidden_by
_.awarded_at
_.decision_reason
_.decided_at
_.proposed_at  # directory GuildOut: an API field
_.decided_by

# The admin's titles (kizuna/urls.py).
site_header
site_title
index_title

# Read by name by frameworks: pydantic schema fields (API output and input), reportlab's
# document timestamp, Django's URL error handlers, middleware and pagination inputs named in
# settings, httpx's transport pool, locust's cookie jar, form validators.
hosting_notes  # kizuna/advisories/api.py (SiteIn/SiteOut fields)
revision_summary  # kizuna/advisories/forms.py (read from cleaned_data)
updated_by  # kizuna/advisories/services.py (SiteStatus field set before save)
notified_at  # kizuna/advisories/notices.py (AdvisoryTarget field set before save)
YMDhms  # kizuna/billing/pdf.py (reportlab TimeStamp attributes)
dhh  # kizuna/billing/pdf.py
dmm  # kizuna/billing/pdf.py
tzname  # kizuna/billing/pdf.py
_timeStamp  # kizuna/billing/pdf.py (reportlab reads the document's timestamp)
handler  # kizuna/core/api_schema.py (pydantic's GetCoreSchemaHandler argument)
handler404  # kizuna/urls.py
handler500  # kizuna/urls.py
RejectNulMiddleware  # kizuna/core/input_guard.py (MIDDLEWARE)
Input  # kizuna/core/pagination.py (ninja pagination's query schema)
_pool  # kizuna/core/ssrf.py (httpx.HTTPTransport's connection pool)
validators  # kizuna/core/forms.py (Django form field validators)
lag  # kizuna/core/consumers.py (shown on accounts/staff_consumers.html)
secure  # bench/load.py (locust cookie)
disabled_reason  # kizuna/integrations (API output, model field)
failing_since  # kizuna/integrations (API output, model field)
response_excerpt  # kizuna/integrations/api.py (API output)
next_before  # kizuna/integrations/api.py (API output)
replayed  # kizuna/integrations/api.py (API output)

# The catalog's declaration API, used in every app's events.py (not scanned: pydantic
# schemas there are read by name).
declare  # kizuna/core/catalog.py
PartnerPayload  # kizuna/core/catalog.py

# Called by tests and the benchmarks, and documented for operators and later callers.
deliver_due  # kizuna/integrations/services.py (bench/webhooks.py, tests)
worst_case  # kizuna/outreach/limits.py (the bound each limit guarantees, checked by its tests)
acknowledgment_token  # kizuna/advisories/services.py (one-click links of security notices)

# Outreach campaigns: model fields set through keyword arguments and read by templates and
# the API, form methods and fields read by templates.
edited_by  # kizuna/outreach/campaign_models.py
approved_by  # kizuna/outreach/campaign_models.py
approved_at  # kizuna/outreach/campaign_models.py, api.py (API output)
sent_at  # kizuna/outreach/api.py (API output)
MEMBERS  # kizuna/outreach/campaign_models.py (AudienceKind)
active_within_days  # kizuna/outreach/campaign_forms.py (an audience filter)
variant_fields  # kizuna/outreach/campaign_forms.py (campaign_form.html)
main_fields  # kizuna/outreach/campaign_forms.py (campaign_form.html)
# Destinations: schema fields read by pydantic and templates, run fields shown on the page.
required  # DestinationForm's secrets field
pipeline  # HubSpotSettings
stages  # HubSpotSettings
daily_call_limit  # settings schemas
ref_prefix  # FreeeSettings
walletable_type  # FreeeSettings
walletable_id  # FreeeSettings
hourly_call_limit  # FreeeSettings
oldest_at  # Lag, on the destination page
cursor_to  # DestinationRun, on the destination page
resync_kind  # DestinationRun
region  # BISettings
export_hour  # BISettings
access_key_id  # BICredentials
secret_access_key  # BICredentials
instance_url  # SalesforceSettings (the plugin reads its settings by key)
sandbox  # SalesforceSettings
api_version  # SalesforceSettings
external_id_field  # SalesforceSettings
api_reserve_percent  # SalesforceSettings
consumer_key  # SalesforceCredentials
private_key  # SalesforceCredentials
# kizuna/community: Django admin and form hooks, API output fields.
save_related  # kizuna/community/admin.py (ModelAdmin hook: the service set the organizers)
show_full_result_count  # kizuna/community/admin.py (ModelAdmin option)
organizer_ids  # kizuna/community/api.py (API input and output)
field_classes  # kizuna/community/forms.py (ModelForm Meta option)
required  # kizuna/community/forms.py (form field attribute)
empty_label  # kizuna/community/forms.py (ModelChoiceField attribute)
# Read by partners/rank.html and partners/badge_evidence.html.
type_name  # kizuna/partners/selectors.py (PrivateActivityCount)
public_activities  # kizuna/partners/selectors.py (RankBreakdown)
private_activities  # kizuna/partners/selectors.py (RankBreakdown)
other_contributions  # kizuna/partners/selectors.py (RankBreakdown)
unpublished  # kizuna/partners/selectors.py (BadgeEvidence)
# Form fields read from the posted data, never as attributes (kizuna/partners/forms.py):
# the application's honeypot and the confirmation box of leaving the program.
leave_empty
confirm
# Sign-up and invitations (kizuna/accounts/forms.py): form fields and Django form hooks.
get_users  # PasswordResetForm hook: accounts without a password yet get the reset link
password1  # form field
password2  # form field
agree  # form field (required consent)
field_order  # Django form option
# outreach inbox: model fields shown in admin and pages; settings the outreach bench sets;
# services documented for other apps (notice routing) and tested.
followed_at  # kizuna/outreach/inbox_models.py
unfollowed_at  # kizuna/outreach/inbox_models.py
needs_answer  # kizuna/outreach/inbox_models.py (inbox filter)
body_sha256  # kizuna/outreach/inbox_models.py (refused webhooks, admin)
identity_choose  # kizuna/outreach/inbox.py
notice_enqueue  # kizuna/outreach/inbox.py
EMAIL_BACKEND  # bench/outreach.py
EMAIL_HOST  # bench/outreach.py
EMAIL_PORT  # bench/outreach.py
EMAIL_USE_TLS  # bench/outreach.py
EMAIL_HOST_PASSWORD  # bench/outreach.py
EMAIL_HOST_USER  # bench/outreach.py
KIZUNA_OUTREACH_EMAIL_PER_SECOND  # bench/outreach.py
KIZUNA_OUTREACH_EMAIL_PER_HOUR  # bench/outreach.py
KIZUNA_OUTREACH_LINE_BASE_URL  # bench/outreach.py
KIZUNA_OUTREACH_LINE_CHANNEL_ACCESS_TOKEN  # bench/outreach.py
KIZUNA_OUTREACH_LINE_PUSH_PER_SECOND  # bench/outreach.py
KIZUNA_OUTREACH_QUIET_HOURS  # bench/outreach.py

# Contest API output fields (kizuna/community/api.py ContestOut, ContestResultOut).
theme_ja
theme_en
rules_ja
rules_en
prizes_ja
prizes_en
results_published_at
judges_excluded
# Read by the home page templates (kizuna/site/templates/site/home_*.html).
needs_weight  # kizuna/insights/levels.py LevelProgress
needs_outputs  # kizuna/insights/levels.py LevelProgress
needs_events  # kizuna/insights/levels.py LevelProgress
next_rank  # kizuna/partners/selectors.py RankProgress
hint  # kizuna/site/homes.py Queue

# Reached through a dotted path in settings (CSRF_FAILURE_VIEW).
csrf_failure  # kizuna/site/errors.py
