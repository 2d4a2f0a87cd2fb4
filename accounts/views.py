from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import SignUpForm
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
        login(request, user)
        return redirect(_next(request))
    return render(request, "accounts/signup.html", {"form": form, "next": _next(request)})


class SignInView(auth_views.LoginView):
    """Sign-in that also hands the visitor's anonymous work to the account."""

    template_name = "accounts/login.html"

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        session_key = self.request.session.session_key
        session_claim_all(session_key=session_key, user=form.get_user())
        return super().form_valid(form)
