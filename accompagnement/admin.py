"""Django admin for platform staff: the funding parameters are platform-wide, not per operator."""

from django.contrib import admin

from accompagnement.models import FundingParameter


@admin.register(FundingParameter)
class FundingParameterAdmin(admin.ModelAdmin):
    list_display = ["code", "value", "valid_from", "label"]
    list_filter = ["code"]
    search_fields = ["code", "label"]
    ordering = ["code", "-valid_from"]
