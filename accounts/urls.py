from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("password-reset/sent/", views.password_reset_done, name="password-reset-done"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("reset/done/", views.password_reset_complete, name="password-reset-complete"),
    path("teams/", views.team_list, name="teams"),
    path("teams/join/<str:token>/", views.team_join, name="team-join"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/invites", views.team_invite_create, name="team-invite"),
    path("teams/<int:pk>/invites/<int:invite_id>/revoke", views.team_invite_revoke, name="team-invite-revoke"),
    path("teams/<int:pk>/leave", views.team_leave, name="team-leave"),
    path("teams/<int:pk>/delete", views.team_delete, name="team-delete"),
    path("teams/<int:pk>/members/<int:member_id>/remove", views.team_member_remove, name="team-member-remove"),
    path("teams/<int:pk>/members/<int:member_id>/role", views.team_member_role, name="team-member-role"),
]
