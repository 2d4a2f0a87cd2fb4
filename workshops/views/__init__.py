"""Workshop pages: the instructor's control and presenter screens, the participants' phones, the results.

How every screen follows the instructor: **polling with conditional requests, not server-sent events.**

- Archlab is served by gunicorn's synchronous (WSGI) workers. A server-sent event stream holds a worker for as
  long as a screen is open, so a room of 300 phones would need 300 workers, and a phone that goes to sleep
  leaves a half-open connection behind. A poll holds a worker for a millisecond or two.
- Each screen asks every second (``POLL_MS``) with ``If-None-Match``. A participant's ETag is the workshop's
  ``state_version`` plus whether the timer ran out and whether they were removed: when nothing changed the
  answer is a bodiless 304 after one indexed query, without reading the session or the user. Answers arriving
  do not change the participants' ETag (only the instructor's), so 300 answers do not make 300 phones
  re-render 300 times.
- When the instructor opens or closes a question, 300 screens change within a second. Those screens are the same
  for everybody in the same position (has answered or not), so each is rendered once per state version into the
  cache (Redis when ``REDIS_URL`` is set, shared by every web process) and each poll only fills in its own ETag,
  answer id, CSRF token and timer (``_shared_screen``). Screens of one's own (the grade after a reveal) are
  rendered for each participant.
- The state lives in the database, so any web process answers any poll; polls are plain HTTP, so they pass
  proxies and load balancers unchanged; a phone waking from sleep or back on the network catches up on its
  next poll (the script also polls at once when the page becomes visible again).
- One second between polls keeps each screen within two seconds of the instructor (interval plus request).

Participants are recognised by a random token in a cookie of their own (only its hash is stored), so a reload,
a lost network or a new browser session keeps their nickname and answers; their quiz identity (account or
browser session) is noted when they join, for their review queue.

The package: ``instructor`` (control, presenter, results), ``participants`` (join, play, answer), ``common``.
"""

from workshops.views.instructor import (
    answers_csv,
    control,
    control_live,
    create,
    design_svg,
    gallery,
    home,
    present,
    present_live,
    qr,
    remove,
    results,
    results_csv,
    step,
)
from workshops.views.participants import join, join_code, play, play_answer, play_state

__all__ = [
    "answers_csv",
    "control",
    "control_live",
    "create",
    "design_svg",
    "gallery",
    "home",
    "join",
    "join_code",
    "play",
    "play_answer",
    "play_state",
    "present",
    "present_live",
    "qr",
    "remove",
    "results",
    "results_csv",
    "step",
]
