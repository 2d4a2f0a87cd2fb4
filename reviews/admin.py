from django.contrib import admin

from reviews.models import ChecklistItem, Comment, Review, Reviewer


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("pk", "diagram", "anchor", "element_id", "version_number", "author", "created_at", "resolved_at")
    list_filter = ("anchor",)
    raw_id_fields = ("diagram", "parent", "author", "resolved_by")
    list_select_related = ("diagram", "author")


class ReviewerInline(admin.TabularInline):
    model = Reviewer
    raw_id_fields = ("user",)
    extra = 0


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    fields = ("position", "kind", "severity", "title", "status", "reason", "decided_by")
    raw_id_fields = ("decided_by",)
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("pk", "diagram", "version", "status", "requested_by", "decided_by", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("diagram", "version", "requested_by", "decided_by")
    list_select_related = ("diagram", "version", "requested_by", "decided_by")
    inlines = [ReviewerInline, ChecklistItemInline]
