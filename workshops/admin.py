from django.contrib import admin

from workshops.models import Answer, Participant, Workshop, WorkshopQuestion


class ItemInline(admin.TabularInline):
    model = WorkshopQuestion
    extra = 0
    fields = ["position", "question", "time_limit", "opened_at", "closed_at", "revealed_at"]
    readonly_fields = ["opened_at", "closed_at", "revealed_at"]
    raw_id_fields = ["question"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "instructor", "phase", "created_at"]
    list_filter = ["phase"]
    search_fields = ["title", "code", "instructor__username"]
    raw_id_fields = ["instructor", "current"]
    readonly_fields = ["state_version"]
    inlines = [ItemInline]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["nickname", "workshop", "team", "points", "rank", "removed_at"]
    search_fields = ["nickname", "workshop__code"]
    raw_id_fields = ["workshop", "user"]
    exclude = ["token_hash"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["participant", "item", "score", "points", "submitted_at", "revisions"]
    raw_id_fields = ["participant", "item", "attempt"]
    list_select_related = ["participant", "item"]
