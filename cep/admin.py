"""Django admin for platform staff only: the tenancy middleware hides it from everyone else and
runs it across operators on purpose."""

from django import forms
from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from cep.models import (
    ApiToken,
    AuditEvent,
    Beneficiary,
    Consent,
    Coordinator,
    CoordinatorToken,
    Membership,
    Operator,
    Parcours,
    Service,
    Site,
)
from cep.services import coordinator_account_error


@admin.register(Operator)
class OperatorAdmin(GuardedModelAdmin):
    list_display = ["name", "kind", "region", "delivers_training"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "siret"]


class CoordinatorAdminForm(forms.ModelForm):
    class Meta:
        model = Coordinator
        fields = ["user", "level", "region", "is_active"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if error := coordinator_account_error(user):
            raise forms.ValidationError(error)
        return user


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    """Coordinators are appointed here by platform staff: indicators only, never a membership."""

    form = CoordinatorAdminForm
    list_display = ["user", "level", "region", "is_active"]
    list_filter = ["level", "region", "is_active"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "operator", "commune", "departement"]
    list_filter = ["operator"]
    list_select_related = ["operator"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "operator", "role", "is_active"]
    list_filter = ["operator", "role", "is_active"]
    list_select_related = ["user", "operator"]
    readonly_fields = ["role"]  # a role changes through grant_membership, which syncs permissions

    def has_add_permission(self, request):
        return False


@admin.register(Beneficiary)
class BeneficiaryAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "operator", "employment_status"]
    list_filter = ["operator"]
    list_select_related = ["operator"]
    search_fields = ["search_name"]


@admin.register(Parcours)
class ParcoursAdmin(admin.ModelAdmin):
    list_display = ["beneficiary", "operator", "current_level", "opened_on", "closed_on"]
    list_filter = ["operator", "current_level"]
    list_select_related = ["beneficiary", "operator"]
    raw_id_fields = ["beneficiary", "referent"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["parcours", "kind", "channel", "delivered_on", "duration_minutes"]
    list_filter = ["operator", "kind", "channel"]
    raw_id_fields = ["parcours", "counsellor"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["beneficiary", "purpose", "given_at", "withdrawn_at"]
    raw_id_fields = ["beneficiary", "recorded_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "operator", "user", "action", "object_type", "object_id"]
    list_filter = ["operator", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["label", "membership", "created_at", "revoked_at"]
    readonly_fields = ["key_digest"]
    raw_id_fields = ["membership"]


@admin.register(CoordinatorToken)
class CoordinatorTokenAdmin(admin.ModelAdmin):
    list_display = ["label", "coordinator", "created_at", "revoked_at"]
    readonly_fields = ["key_digest"]
