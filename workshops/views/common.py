"""What the instructor's and the participants' screens share: the poll interval and fresh-every-poll answers."""

from django.http import HttpResponse

POLL_MS = 1000


def fresh(response: HttpResponse, etag: str) -> HttpResponse:
    """Every poll revalidates: private, never served stale by a cache."""
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache, private"
    return response
