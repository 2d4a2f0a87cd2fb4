from django.contrib import admin

from accounts.models import Membership, Team, TeamInvite


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(TeamInvite)
class TeamInviteAdmin(admin.ModelAdmin):
    list_display = ("team", "created_by", "created_at", "expires_at", "revoked_at", "uses")
    raw_id_fields = ("team", "created_by")
    list_select_related = ("team", "created_by")
