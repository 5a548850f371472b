"""Default thresholds and amounts of the funding schemes (FUNDING.md); staff update them in the
admin with a new valid_from when a decree changes them."""

from django.db import migrations

from accompagnement.funding_defaults import DEFAULTS

def add_defaults(apps, schema_editor):
    FundingParameter = apps.get_model("accompagnement", "FundingParameter")
    FundingParameter.objects.bulk_create(
        FundingParameter(code=code, value=value, valid_from=valid_from, label=label, source=source)
        for code, value, valid_from, label, source in DEFAULTS
    )


def remove_defaults(apps, schema_editor):
    FundingParameter = apps.get_model("accompagnement", "FundingParameter")
    # Only the rows this migration added: later values entered in the admin stay.
    for code, _value, valid_from, _label, _source in DEFAULTS:
        FundingParameter.objects.filter(code=code, valid_from=valid_from).delete()


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
