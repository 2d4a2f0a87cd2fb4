"""Review pages and fragments: sharing, comments, version diffs, review requests and their reports.

Every view first asks ``designer.services.diagram_get_for`` (through :func:`reviews.views.common.access`) for the
visitor's role: 404 without one (nothing leaks), 403 when the role is too weak; the services then check what
depends on the person.
"""
