"""Design-review use cases: sharing a diagram, comments anchored to its elements, comparing versions, review
requests with their checklist and decisions, and the review report.

Views check the visitor's role on the diagram with ``designer.services.diagram_get_for`` first; the functions
here check what depends on the person (the author of a comment, a review's reviewers) and raise
:class:`NotAllowed` for that, :class:`ReviewError` for a request that cannot be done as asked.

    common           NotAllowed, ReviewError
    sharing          shares_of, share_team_create, share_link_create, share_revoke
    comments         comment_create / _resolve / _delete, comment_threads, comment_counts, comments_claim
    versions         version_diff, estimate_done
    review_requests  review_candidates, review_request, review_item_set, review_decide, review_withdraw, ...
    notify           e-mail to reviewers when asked and to the requester when a reviewer decides
    report           review_report
"""

from reviews.services.comments import (
    MAX_COMMENT,
    Element,
    Thread,
    comment_counts,
    comment_create,
    comment_delete,
    comment_get,
    comment_is_authors,
    comment_resolve,
    comment_threads,
    comments_claim,
    version_element,
)
from reviews.services.common import NotAllowed, ReviewError
from reviews.services.report import ReviewReport, review_report
from reviews.services.review_requests import (
    Tally,
    latest_finding_keys,
    review_candidates,
    review_decide,
    review_get,
    review_item_set,
    review_participant,
    review_request,
    review_tally,
    review_withdraw,
    reviews_for_user,
    reviews_of,
)
from reviews.services.sharing import share_link_create, share_revoke, share_team_create, shares_of
from reviews.services.versions import VersionDiff, estimate_done, version_diff

__all__ = [
    "MAX_COMMENT",
    "Element",
    "NotAllowed",
    "ReviewError",
    "ReviewReport",
    "Tally",
    "Thread",
    "VersionDiff",
    "comment_counts",
    "comment_create",
    "comment_delete",
    "comment_get",
    "comment_is_authors",
    "comment_resolve",
    "comment_threads",
    "comments_claim",
    "estimate_done",
    "latest_finding_keys",
    "review_candidates",
    "review_decide",
    "review_get",
    "review_item_set",
    "review_participant",
    "review_report",
    "review_request",
    "review_tally",
    "review_withdraw",
    "reviews_for_user",
    "reviews_of",
    "share_link_create",
    "share_revoke",
    "share_team_create",
    "shares_of",
    "version_diff",
    "version_element",
]
