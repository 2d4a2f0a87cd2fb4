from django.contrib import admin

from designer.models import Diagram, DiagramVersion


class VersionInline(admin.TabularInline):
    model = DiagramVersion
    fields = ("number", "author", "message", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Diagram)
class DiagramAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "head", "updated_at")
    search_fields = ("name",)
    inlines = [VersionInline]
