from collections.abc import Callable
from datetime import timedelta

from axes.helpers import get_cool_off
from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services
from accounts.forms import MemberRoleForm, SignUpForm, TeamForm
from accounts.models import Membership, Team
from accounts.services import session_claim_all


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session_key = request.session.session_key
        user = form.save()
        session_claim_all(session_key=session_key, user=user)
        # Named, since django-axes adds a second backend; a new account has nothing to throttle.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_next(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _next(request)})


class SignInView(auth_views.LoginView):
    """Sign-in that also hands the visitor's anonymous work to the account."""

    template_name = "accounts/login.html"

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        session_key = self.request.session.session_key
        session_claim_all(session_key=session_key, user=form.get_user())
        return super().form_valid(form)


class _LockedOutForm(AuthenticationForm):
    """The sign-in form as it was filled in, refused with ``message`` without checking the password again."""

    message = ""

    def clean(self):  # type: ignore[no-untyped-def]
        raise forms.ValidationError(self.message, code="locked_out")


def signin_locked_out(
    request: HttpRequest, original_response: object = None, credentials: object = None
) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (``AXES_LOCKOUT_CALLABLE``): the form again, saying why, 429."""
    minutes = max(1, int((get_cool_off(request) or timedelta(minutes=15)).total_seconds() // 60))
    message = (
        f"Too many failed sign-ins for this account from your address. Try again in {minutes} minutes, "
        "or reset your password."
    )
    form = _LockedOutForm(request, data=request.POST or None)
    form.message = message
    form.is_valid()
    return render(request, "accounts/login.html", {"form": form, "next": _next(request)}, status=429)


# ---- password reset by e-mail (Django's views, our templates and URL names) ------------------------------------

password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html", success_url=reverse_lazy("accounts:password-reset-complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# ---- teams ----------------------------------------------------------------------------------------------------


def _team_page(
    request: HttpRequest, team: Team, membership: Membership, *, error: str = "", status: int = 200
) -> HttpResponse:
    from designer.models import Share

    is_owner = membership.role == Membership.Role.OWNER
    context = {
        "team": team,
        "membership": membership,
        "is_owner": is_owner,
        "members": team.memberships.select_related("user").order_by("-role", "user__username"),
        "invites": services.team_invites_live(team=team) if is_owner else [],
        "shares": Share.objects.filter(team=team, revoked_at__isnull=True)
        .select_related("diagram", "diagram__owner")
        .order_by("-created_at"),
        "error": error,
    }
    return render(request, "accounts/team.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.team_create(name=form.cleaned_data["name"], user=request.user)
        return redirect("accounts:team", pk=team.pk)
    teams = services.teams_of(user=request.user)
    return render(request, "accounts/teams.html", {"teams": teams, "form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team, membership = services.team_get_for(pk=pk, user=request.user)
    return _team_page(request, team, membership)


def _team_action(
    request: HttpRequest, pk: int, action: Callable[[Membership], object], *, gone: bool = False
) -> HttpResponse:
    """Run ``action(membership)`` for a member of team ``pk``: 403 for a member who is not an owner, the team page
    with the reason (400) for a refused change; then back to the team page, or to the list when ``gone``."""
    team, membership = services.team_get_for(pk=pk, user=request.user)
    try:
        action(membership)
    except services.NotTeamOwner as exc:
        raise PermissionDenied(str(exc)) from None
    except services.TeamError as exc:
        return _team_page(request, team, membership, error=str(exc), status=400)
    return redirect("accounts:teams") if gone else redirect("accounts:team", pk=pk)


@login_required
@require_POST
def team_invite_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_action(request, pk, lambda m: services.team_invite_create(membership=m))


@login_required
@require_POST
def team_invite_revoke(request: HttpRequest, pk: int, invite_id: int) -> HttpResponse:
    return _team_action(request, pk, lambda m: services.team_invite_revoke(membership=m, invite_id=invite_id))


@login_required
@require_POST
def team_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_action(request, pk, lambda m: services.team_leave(membership=m), gone=True)


@login_required
@require_POST
def team_member_remove(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    return _team_action(request, pk, lambda m: services.team_member_remove(membership=m, member_id=member_id))


@login_required
@require_POST
def team_member_role(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    form = MemberRoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else str(request.POST.get("role", ""))
    return _team_action(
        request, pk, lambda m: services.team_member_role_set(membership=m, member_id=member_id, role=role)
    )


@login_required
@require_POST
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _team_action(request, pk, lambda m: services.team_delete(membership=m), gone=True)


@require_http_methods(["GET", "POST"])
def team_join(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: shows the team; a signed-in visitor joins with one click (others sign in first)."""
    invite = services.team_invite_get(token=token)
    if invite is None:
        return render(request, "accounts/team_join.html", {"invite": None}, status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        services.team_invite_accept(invite=invite, user=request.user)
        return redirect("accounts:team", pk=invite.team_id)
    member = request.user.is_authenticated and invite.team.memberships.filter(user=request.user).exists()
    return render(request, "accounts/team_join.html", {"invite": invite, "already_member": member})
