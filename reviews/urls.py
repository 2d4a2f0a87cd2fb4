from django.urls import path

from reviews.views import comments, review_requests, sharing, versions

app_name = "reviews"
urlpatterns = [
    path("reviews/", review_requests.my_reviews, name="mine"),
    path("designer/<int:pk>/sharing/", sharing.sharing, name="sharing"),
    path("designer/<int:pk>/sharing/team", sharing.share_team, name="share-team"),
    path("designer/<int:pk>/sharing/link", sharing.share_link, name="share-link"),
    path("designer/<int:pk>/sharing/<int:share_id>/revoke", sharing.share_revoke, name="share-revoke"),
    path("designer/<int:pk>/comments/", comments.comments, name="comments"),
    path("designer/<int:pk>/comments/counts.json", comments.comment_counts, name="comment-counts"),
    path("designer/<int:pk>/comments/<int:comment_id>/resolve", comments.comment_resolve, name="comment-resolve"),
    path("designer/<int:pk>/comments/<int:comment_id>/reopen", comments.comment_reopen, name="comment-reopen"),
    path("designer/<int:pk>/comments/<int:comment_id>/delete", comments.comment_delete, name="comment-delete"),
    path("designer/<int:pk>/diff/", versions.diff_page, name="diff"),
    path("designer/<int:pk>/diff.json", versions.diff_json, name="diff-json"),
    path("designer/<int:pk>/reviews/", review_requests.review_list, name="list"),
    path("designer/<int:pk>/reviews/panel", review_requests.review_panel, name="panel"),
    path("designer/<int:pk>/reviews/new", review_requests.review_new, name="new"),
    path("designer/<int:pk>/reviews/<int:review_id>/", review_requests.review_detail, name="review"),
    path("designer/<int:pk>/reviews/<int:review_id>/items/<int:item_id>", review_requests.review_item, name="item"),
    path("designer/<int:pk>/reviews/<int:review_id>/decide", review_requests.review_decide, name="decide"),
    path("designer/<int:pk>/reviews/<int:review_id>/withdraw", review_requests.review_withdraw, name="withdraw"),
    path("designer/<int:pk>/reviews/<int:review_id>/report.md", review_requests.review_report_md, name="report-md"),
    path("designer/<int:pk>/reviews/<int:review_id>/report/", review_requests.review_report_html, name="report"),
]
