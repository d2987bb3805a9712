"""The directory's per-client limits, shared by the search page and the search API.

One bucket per client address for both, so a scraper cannot double its share by
alternating between the HTML page and the JSON API.
"""

from django.conf import settings
from django.http import HttpRequest

from kizuna.core import ratelimit
from kizuna.core.request_context import client_ip


def search_consume(request: HttpRequest) -> ratelimit.Decision:
    limit = ratelimit.Limit(settings.KIZUNA_DIRECTORY_SEARCHES_PER_MINUTE, 60)
    return ratelimit.consume(f"directory-search:ip:{client_ip(request)}", limit)
