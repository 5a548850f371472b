"""Platform staff only (the tenancy middleware hides the admin from everyone else): the
operators' sub-reasons, and the history of ends and reopenings, read only."""

from django.contrib import admin

from cep.closure.models import ParcoursEvent, SubReason


@admin.register(SubReason)
class SubReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "national_reason", "operator", "active"]
    list_filter = ["national_reason", "active", "operator"]
    list_select_related = ["operator"]


@admin.register(ParcoursEvent)
class ParcoursEventAdmin(admin.ModelAdmin):
    list_display = ["parcours", "kind", "on", "reason", "level", "operator"]
    list_filter = ["kind", "reason", "level"]
    list_select_related = ["parcours__beneficiary", "operator"]
    raw_id_fields = ["parcours", "sub_reason", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
