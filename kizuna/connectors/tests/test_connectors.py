import json

import httpx
import pytest

from kizuna.community import services as community
from kizuna.community.models import (
    Activity,
    Attendance,
    Event,
    Identity,
    Member,
    MergeSuggestion,
)
from kizuna.connectors import connpass_csv, credentials, services
from kizuna.connectors.base import Pacer
from kizuna.connectors.models import Cursor, Source, SourceKind
from kizuna.connectors.slack_export import read_export
from kizuna.core.reasons import reason_text

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


def sync(source, server, sleep):
    run = services.source_sync(source=source, transport=server.transport, sleep=sleep)
    assert run is not None
    return run


def make_source(kind, settings, secrets=None):
    return services.source_create(
        actor=None, kind=kind, name=kind, settings=settings, secrets=secrets
    )


def test_connpass_sync_pages_through_events_with_the_api_key(server, no_sleep):
    pages = {1: "connpass_events_page1.json", 3: "connpass_events_page2.json"}
    server.add(
        "connpass.com/api/v2/events/",
        lambda r: httpx.Response(
            200, content=(FIXTURES / pages[int(r.url.params["start"])]).read_bytes()
        ),
    )
    source = make_source(SourceKind.CONNPASS, {"subdomain": "kizuna-tokyo"}, {"api_key": "k-123"})

    run = sync(source, server, no_sleep.append)

    assert run.error == ""
    assert Event.objects.filter(source="connpass").count() == 3
    event = Event.objects.get(external_id="330001")
    assert (event.prefecture, event.hashtag, event.capacity) == ("13", "kizuna_tokyo", 50)
    assert Event.objects.get(external_id="330002").format == "online"
    assert {r.headers["X-API-Key"] for r in server.requests} == {"k-123"}


def test_connpass_sync_waits_a_second_between_requests(server):
    server.add(
        "connpass.com/api/v2/events/",
        lambda r: httpx.Response(
            200,
            content=(
                FIXTURES
                / (
                    "connpass_events_page1.json"
                    if r.url.params["start"] == "1"
                    else "connpass_events_page2.json"
                )
            ).read_bytes(),
        ),
    )
    source = make_source(SourceKind.CONNPASS, {"subdomain": "kizuna-tokyo"})
    # A clock that only moves when the connector sleeps: the wait is exact, not timed.
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    run = services.source_sync(
        source=source, transport=server.transport, sleep=sleep, clock=lambda: now[0]
    )

    assert run is not None
    assert len(server.requests) == 2
    assert sleeps == [1.0]


def test_connpass_second_sync_stops_at_events_it_already_has(server, no_sleep):
    server.file("connpass.com/api/v2/events/", "connpass_events_page1.json")
    source = make_source(SourceKind.CONNPASS, {"subdomain": "kizuna-tokyo"})
    Cursor.objects.create(
        source=source, stream="events:kizuna-tokyo", position="2026-04-30T10:00:00+09:00"
    )

    sync(source, server, no_sleep.append)

    assert len(server.requests) == 1
    assert not Event.objects.exists()


def test_connpass_participant_csv_records_attendance_and_attended_activities(db):
    event, _ = community.event_upsert(
        actor=None,
        source="connpass",
        external_id="330003",
        title="勉強会 #11",
        starts_at="2026-03-18T19:00:00+09:00",
    )
    with (FIXTURES / "connpass_participants.csv").open("rb") as stream:
        counts, summary = connpass_csv.import_participants(actor=None, event=event, stream=stream)

    statuses = dict(Attendance.objects.values_list("member__identities__handle", "status"))
    assert statuses == {
        "taro_y": "attended",
        "hanako": "no_show",
        "kenji_dev": "attended",
        "yui": "attended",
        "makoto": "waitlisted",
        "aya": "cancelled",
    }
    roles = dict(Attendance.objects.values_list("member__identities__handle", "role"))
    assert (roles["kenji_dev"], roles["yui"]) == ("speaker", "lightning_talk")
    assert counts["created"] == 6
    assert summary.created == 3
    assert sorted(Activity.objects.values_list("type", flat=True)) == [
        "attended_event",
        "lightning_talk",
        "talk",
    ]


def test_connpass_participant_csv_imported_twice_changes_nothing(db):
    event, _ = community.event_upsert(
        actor=None,
        source="connpass",
        external_id="330003",
        title="勉強会 #11",
        starts_at="2026-03-18T19:00:00+09:00",
    )
    for _ in range(2):
        with (FIXTURES / "connpass_participants.csv").open("rb") as stream:
            counts, summary = connpass_csv.import_participants(
                actor=None, event=event, stream=stream
            )
    assert (counts["updated"], summary.created, summary.unchanged) == (6, 0, 3)
    assert Attendance.objects.count() == 6
    assert Member.objects.count() == 6


def test_doorkeeper_sync_imports_events_and_stops_at_an_empty_page(server, no_sleep):
    server.add(
        "api.doorkeeper.jp/groups/kizuna-osaka/events",
        lambda r: httpx.Response(
            200,
            content=(FIXTURES / "doorkeeper_events_page1.json").read_bytes()
            if r.url.params["page"] == "1"
            else b"[]",
        ),
    )
    source = make_source(SourceKind.DOORKEEPER, {"group": "kizuna-osaka"}, {"token": "dk"})

    run = sync(source, server, no_sleep.append)

    assert run.error == ""
    assert Event.objects.get(external_id="170001").prefecture == "27"
    assert Event.objects.get(external_id="170002").format == "online"
    assert server.requests[0].headers["Authorization"] == "Bearer dk"
    assert Cursor.objects.get(source=source).position == "2026-04-06T01:00:00.000Z"


def github_server(server, fail_page_2=False, later_commit=False):
    def issues(request):
        if request.url.params.get("page") == "2":
            if fail_page_2:
                return httpx.Response(500)
            return httpx.Response(200, content=(FIXTURES / "github_issues_page2.json").read_bytes())
        return httpx.Response(
            200,
            content=(FIXTURES / "github_issues_page1.json").read_bytes(),
            headers={
                "ETag": '"issues-v1"',
                "Link": "<https://api.github.com/repos/kizuna/"
                'plugin-sdk/issues?page=2>; rel="next"',
            },
        )

    server.add(
        "api.github.com/repos/kizuna/plugin-sdk/issues/comments",
        lambda r: httpx.Response(200, content=(FIXTURES / "github_comments.json").read_bytes()),
    )
    server.add("api.github.com/repos/kizuna/plugin-sdk/issues", issues)
    server.file(
        "api.github.com/repos/kizuna/plugin-sdk/pulls/comments", "github_review_comments.json"
    )
    server.file("api.github.com/repos/kizuna/plugin-sdk/releases", "github_releases.json")

    def commits(request):
        """The first read lists older commits; one with `since`, the commit made after."""
        if "since" not in request.url.params:
            return httpx.Response(200, content=(FIXTURES / "github_commits.json").read_bytes())
        if later_commit:
            return httpx.Response(
                200, content=(FIXTURES / "github_commits_since.json").read_bytes()
            )
        return httpx.Response(200, json=[])

    server.add("api.github.com/repos/kizuna/plugin-sdk/commits", commits)


def github_graphql(server, fail_page_2=False, page_1="github_discussions_page1.json"):
    def answer(request):
        variables = json.loads(request.content)["variables"]
        if "id" in variables:
            name = "github_discussion_comments.json"
        elif variables["after"] is None:
            name = page_1
        elif fail_page_2:
            return httpx.Response(502)
        else:
            name = "github_discussions_page2.json"
        return httpx.Response(200, content=(FIXTURES / name).read_bytes())

    server.add("api.github.com/graphql", answer)


def graphql_requests(server):
    return [json.loads(r.content)["variables"] for r in server.requests if r.url.path == "/graphql"]


def discussion_activities():
    return sorted(
        Activity.objects.filter(external_id__startswith="discussion").values_list(
            "type", "identity__handle"
        )
    )


def test_github_sync_imports_issues_pull_requests_comments_reviews_and_releases(server, no_sleep):
    github_server(server)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})

    run = sync(source, server, no_sleep.append)

    assert run.error == ""
    types = sorted(Activity.objects.values_list("type", flat=True))
    assert types == [
        "comment",
        "commit",
        "commit",
        "commit",
        "issue",
        "pull_request",
        "pull_request",
        "release",
        "review",
    ]
    # Handles are case-insensitive: Kenji-Dev and kenji-dev are one person.
    assert Identity.objects.filter(platform="github").count() == 4
    assert Member.objects.get(identities__handle="dependabot[bot]").is_bot
    assert graphql_requests(server) == []  # discussions need a token


def test_github_commits_are_code_output_credited_to_the_account_or_the_email(server, no_sleep):
    github_server(server)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})

    sync(source, server, no_sleep.append)

    commits = Activity.objects.filter(type__key="commit")
    assert sorted(commits.values_list("identity__platform", "identity__handle")) == [
        ("git", "hanako@example.jp"),
        ("github", "dependabot[bot]"),
        ("github", "ksuzuki"),
    ]
    assert all(commit.is_output for commit in commits)
    fix = commits.get(identity__handle="ksuzuki")
    assert fix.title == "Fix tax rounding for reduced rate items"
    assert fix.url.endswith("/commit/a1b2c3d4e5f60718293a4b5c6d7e8f9001122334")
    assert not commits.filter(title__startswith="Merge pull request").exists()
    cursor = Cursor.objects.get(source=source, stream="kizuna/plugin-sdk:commits")
    assert cursor.position == "2026-03-20T05:00:00Z"


def test_github_commits_second_sync_asks_only_for_newer_commits(server, no_sleep):
    github_server(server)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})
    sync(source, server, no_sleep.append)

    sync(source, server, no_sleep.append)

    [last] = [r for r in server.requests if r.url.path.endswith("/commits")][-1:]
    assert last.url.params["since"] == "2026-03-20T05:00:00Z"
    assert Activity.objects.filter(type__key="commit").count() == 3


def test_person_who_committed_under_a_short_handle_then_the_full_name_is_suggested(
    alice, server, no_sleep
):
    """ksuzuki commits as "kenji" from a home address, later as "Kenji Suzuki" from work."""
    full_name = community.member_create(
        actor=alice, display_name="Kenji Suzuki", platform="connpass", handle="kenji_s"
    )
    github_server(server, later_commit=True)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})
    sync(source, server, no_sleep.append)
    committer = Member.objects.get(identities__handle="ksuzuki")
    assert committer.display_name == "kenji"
    community.merge_suggestions_refresh()
    assert not MergeSuggestion.objects.exists()

    sync(source, server, no_sleep.append)
    community.merge_suggestions_refresh()

    pair = sorted([committer.pk, full_name.pk])
    suggestion = MergeSuggestion.objects.get(member_a_id=pair[0], member_b_id=pair[1])
    assert suggestion.reason == "similar_name"


def test_github_sync_with_a_token_imports_discussions_as_questions_answers_and_comments(
    server, no_sleep
):
    github_server(server)
    github_graphql(server)
    source = make_source(
        SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]}, {"token": "gh"}
    )

    run = sync(source, server, no_sleep.append)

    assert run.error == ""
    assert {r.headers["Authorization"] for r in server.requests} == {"Bearer gh"}
    assert discussion_activities() == [
        ("answer", "github-actions"),  # a top-level comment on a Q&A discussion
        ("answer", "kenji-dev"),
        ("answer", "mika-s"),  # from the discussion's second page of comments
        ("comment", "yui-dev"),  # a reply to an answer
        ("comment", "yui-dev"),  # a comment on a discussion outside Q&A
        ("question", "kenji-dev"),
        ("question", "yui-dev"),
        # The show-and-tell discussion's author deleted their account: nobody to credit.
    ]
    assert Member.objects.get(identities__handle="github-actions").is_bot
    question = Activity.objects.get(external_id="discussion:D_kwDOHk1z0c4AT1aA")
    assert question.url == "https://github.com/kizuna/plugin-sdk/discussions/41"
    assert question.title == "kizuna/plugin-sdk: Webhook の署名検証が失敗します"
    # Answers reply to their question, which time to first response reads.
    answers = Activity.objects.filter(reply_to_external_id=question.external_id)
    assert answers.count() >= 1
    assert set(answers.values_list("type", flat=True)) == {"answer"}
    assert Cursor.objects.get(stream="kizuna/plugin-sdk:discussions").position == (
        "2026-03-10T09:00:00Z"
    )


def test_github_discussions_second_sync_stops_at_discussions_not_updated_since(server, no_sleep):
    github_server(server)
    github_graphql(server)
    source = make_source(
        SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]}, {"token": "gh"}
    )
    sync(source, server, no_sleep.append)
    server.requests.clear()

    run = sync(source, server, no_sleep.append)

    assert run.created == 0
    # Page 1 ends with a discussion older than the cursor: page 2 is not asked for.
    assert [v.get("after") for v in graphql_requests(server) if "owner" in v] == [None]


def test_github_discussions_crash_between_pages_resumes_without_loss(server, no_sleep):
    github_server(server)
    github_graphql(server, fail_page_2=True)
    source = make_source(
        SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]}, {"token": "gh"}
    )

    crashed = sync(source, server, no_sleep.append)
    assert "HTTPStatusError" in crashed.error
    assert len(discussion_activities()) == 6  # page 1 was stored
    # The cursor moves only once the stream is read to the end.
    assert Cursor.objects.get(stream="kizuna/plugin-sdk:discussions").position == ""

    server.routes.clear()
    github_server(server)
    github_graphql(server)
    run = sync(source, server, no_sleep.append)
    assert run.error == ""
    assert len(discussion_activities()) == 7
    assert run.created == 1  # the REST streams and page 1 are unchanged


def test_github_discussions_wait_for_the_reset_when_graphql_points_run_out(server):
    github_server(server)
    spent = json.loads((FIXTURES / "github_discussions_page2.json").read_text())
    spent["data"]["rateLimit"] = {"cost": 1, "remaining": 0, "resetAt": "2100-01-01T00:00:00Z"}
    server.add("api.github.com/graphql", lambda r: httpx.Response(200, json=spent))
    source = make_source(
        SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]}, {"token": "gh"}
    )
    sleeps: list[float] = []

    run = sync(source, server, sleeps.append)

    assert run.error == ""
    assert max(sleeps) > 3600
    assert discussion_activities() == [("question", "kenji-dev")]


def test_github_discussions_of_a_repository_the_token_cannot_read_are_a_sync_error(
    server, no_sleep
):
    github_server(server)
    github_graphql(server, page_1="github_graphql_not_found.json")
    source = make_source(
        SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]}, {"token": "gh"}
    )

    run = sync(source, server, no_sleep.append)

    assert run.error.startswith("GraphQLError: Could not resolve to a Repository")
    assert Activity.objects.filter(type__key="issue").exists()  # the REST streams were kept


def test_github_comments_reply_to_their_issue_or_pull_request(server, no_sleep):
    github_server(server)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})

    sync(source, server, no_sleep.append)

    replies = dict(
        Activity.objects.filter(type__in=["comment", "review"]).values_list(
            "external_id", "reply_to_external_id"
        )
    )
    assert replies == {"comments:2001": "issues:1001", "review_comments:3001": "issues:1002"}


def test_github_second_sync_sends_since_and_the_etag(server, no_sleep):
    github_server(server)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})
    sync(source, server, no_sleep.append)
    server.requests.clear()

    run = sync(source, server, no_sleep.append)

    first_issues = next(r for r in server.requests if r.url.path.endswith("/issues"))
    assert first_issues.url.params["since"] == "2026-03-06T01:00:00Z"
    assert first_issues.headers["If-None-Match"] == '"issues-v1"'
    assert run.created == 0


def test_github_crash_between_pages_resumes_without_loss(server, no_sleep):
    github_server(server, fail_page_2=True)
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})

    crashed = sync(source, server, no_sleep.append)
    assert "HTTPStatusError" in crashed.error
    assert Activity.objects.filter(type__in=["issue", "pull_request"]).count() == 2
    assert Cursor.objects.get(stream="kizuna/plugin-sdk:issues").position == "2026-03-04T01:00:00Z"

    server.routes.clear()
    github_server(server)
    sync(source, server, no_sleep.append)
    assert Activity.objects.filter(type__in=["issue", "pull_request"]).count() == 3
    assert (
        Activity.objects.filter(source="github").values("external_id").distinct().count()
        == Activity.objects.filter(source="github").count()
    )


def test_github_waits_for_the_rate_limit_reset_when_the_budget_is_spent(server):
    server.add(
        "api.github.com/",
        lambda r: httpx.Response(
            200, json=[], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}
        ),
    )
    source = make_source(SourceKind.GITHUB, {"repositories": ["kizuna/plugin-sdk"]})
    sleeps: list[float] = []

    sync(source, server, sleeps.append)

    assert max(sleeps) > 3600


def test_rss_sync_credits_member_feeds_and_aggregator_authors(server, no_sleep):
    server.file("zenn.dev/dave/feed", "zenn_dave.atom", headers={"ETag": '"z1"'})
    server.file("qiita.com/tags/kizuna/feed", "qiita_tag.rss")
    source = make_source(
        SourceKind.RSS,
        {
            "feeds": [
                {"url": "https://zenn.dev/dave/feed", "platform": "zenn", "handle": "dave"},
                {
                    "url": "https://qiita.com/tags/kizuna/feed",
                    "platform": "qiita",
                    "aggregator": True,
                },
            ]
        },
    )

    run = sync(source, server, no_sleep.append)

    assert run.created == 3
    handles = sorted(Activity.objects.values_list("identity__handle", flat=True))
    assert handles == ["dave", "dave", "yui"]
    assert Activity.objects.filter(is_output=True, type__key="blog_post").count() == 3


def test_rss_sends_the_etag_and_skips_an_unchanged_feed(server, no_sleep):
    seen = []

    def feed(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"z1"':
            return httpx.Response(304)
        return httpx.Response(
            200, content=(FIXTURES / "zenn_dave.atom").read_bytes(), headers={"ETag": '"z1"'}
        )

    server.add("zenn.dev/dave/feed", feed)
    source = make_source(
        SourceKind.RSS,
        {"feeds": [{"url": "https://zenn.dev/dave/feed", "platform": "zenn", "handle": "dave"}]},
    )
    sync(source, server, no_sleep.append)
    run = sync(source, server, no_sleep.append)

    assert seen == [None, '"z1"']
    assert run.created == 0
    assert run.error == ""


def test_slack_export_imports_messages_joins_questions_and_answers_but_not_bots(db):
    summary = community.activities_ingest(records=read_export(str(FIXTURES / "slack_export.zip")))

    assert summary.rejected == 0
    types = sorted(Activity.objects.values_list("type", flat=True))
    assert types == ["answer", "chat_join", "chat_message", "chat_message", "question"]
    assert Member.objects.get(identities__handle="b01").is_bot
    assert Identity.objects.get(handle="u01").email == "taro@example.jp"


def test_a_sync_already_running_elsewhere_is_skipped(server):
    from django.utils import timezone

    source = make_source(SourceKind.RSS, {"feeds": []})
    Source.objects.filter(pk=source.pk).update(sync_started_at=timezone.now())
    assert services.source_sync(source=source, transport=server.transport) is None


def test_credentials_are_stored_encrypted_and_read_back(db):
    source = make_source(SourceKind.GITHUB, {}, {"token": "ghp_secret"})
    stored = Source.objects.values_list("credentials_encrypted", flat=True).get()
    assert "ghp_secret" not in stored
    assert Source.objects.get().credentials == {"token": "ghp_secret"}
    assert source.has_credentials


def test_credentials_from_another_key_are_reported_unreadable(db, settings):
    make_source(SourceKind.GITHUB, {}, {"token": "ghp_secret"})
    settings.KIZUNA_CREDENTIALS_KEY = "a-new-key"
    with pytest.raises(credentials.UnreadableCredentials):
        _ = Source.objects.get().credentials


def test_pacer_sleeps_only_the_rest_of_the_interval():
    now = [100.0]
    sleeps: list[float] = []
    pacer = Pacer(1.0, clock=lambda: now[0], sleep=sleeps.append)
    pacer.wait()
    now[0] += 0.25
    pacer.wait()
    assert sleeps == [0.75]


def test_periodic_task_syncs_only_sources_that_are_due(db, server):
    from kizuna.connectors import tasks

    due = make_source(SourceKind.RSS, {"feeds": []})
    make_source(SourceKind.RSS, {"feeds": []})
    from django.utils import timezone

    Source.objects.exclude(pk=due.pk).update(last_synced_at=timezone.now())

    assert tasks.sync_due_sources.call() == 1
    assert Source.objects.get(pk=due.pk).last_synced_at is not None
    assert json.dumps(Source.objects.get(pk=due.pk).runs.count()) == "1"


def test_jsonl_reader_takes_a_byte_order_mark_and_bad_json_is_rejected_per_line():
    import io

    from kizuna.community.lines import parse_batch
    from kizuna.connectors.generic import read_jsonl

    stream = io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n{"a": \n\n{"b": "\xe5\x8f\x8b"}\n\xff\n')
    records = list(read_jsonl(stream))
    assert [number for number, _raw in records] == [1, 2, 4, 5]
    assert records[0] == (1, b'{"a": 1}\n')
    lines, rejections = parse_batch(records, {"blog_post": True}, "sqlite")
    assert lines == []
    reasons = {outcome.line: reason_text(outcome.reason).split(":")[0] for outcome in rejections}
    # Lines 1 and 4 are JSON, but not activities.
    assert reasons == {1: "missing_member", 2: "bad_json", 4: "missing_member", 5: "bad_json"}


def test_source_settings_with_a_nul_character_are_a_form_error():
    from kizuna.connectors.forms import SourceForm

    form = SourceForm(
        data={
            "kind": SourceKind.RSS,
            "name": "feeds",
            "settings": '{"feeds": [{"url": "https://x.example/\\u0000"}]}',
            "sync_every_minutes": 60,
        }
    )
    assert not form.is_valid()
    assert "settings" in form.errors
