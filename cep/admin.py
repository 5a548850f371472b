"""Django admin for platform staff only: the tenancy middleware hides it from everyone else and
runs it across operators on purpose."""

from django import forms
from django.contrib import admin, messages
from guardian.admin import GuardedModelAdmin

from cep import services
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


class ReadOnlyTokenAdmin(admin.ModelAdmin):
    """Tokens are issued only by their service (`create_api_token`, `create_coordinator_token`),
    which draws the key, shows it once and stores its digest: here they are read and revoked,
    never added, edited or deleted."""

    fields: list[str] = []
    actions = ["revoke_tokens"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoking keeps the trace; deleting would erase it

    def has_revoke_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def revoke(self, request, token) -> None:
        raise NotImplementedError

    @admin.action(description="Révoquer les jetons sélectionnés", permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            self.revoke(request, token)
            self.log_change(request, token, "Jeton révoqué.")
            revoked += 1
        if revoked:
            self.message_user(request, f"Jetons révoqués : {revoked}.", messages.SUCCESS)
        else:
            self.message_user(request, "Aucun jeton actif parmi la sélection.", messages.WARNING)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyTokenAdmin):
    list_display = ["label", "operator", "membership", "created_at", "revoked_at"]
    list_select_related = ["operator", "membership__user", "membership__operator"]
    fields = ["label", "operator", "membership", "created_at", "revoked_at"]

    def revoke(self, request, token) -> None:
        services.revoke_api_token(token=token, platform_user=request.user)


@admin.register(CoordinatorToken)
class CoordinatorTokenAdmin(ReadOnlyTokenAdmin):
    list_display = ["label", "coordinator", "created_at", "revoked_at"]
    list_select_related = ["coordinator__user"]
    fields = ["label", "coordinator", "created_at", "revoked_at"]

    def revoke(self, request, token) -> None:
        services.revoke_coordinator_token(token=token)
