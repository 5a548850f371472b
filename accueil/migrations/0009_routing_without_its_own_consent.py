"""The transfer holds the consent and says it is one: the orientation's own columns go."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accueil", "0008_platform_routings_become_transfers"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="routing",
            name="routing_transfer_needs_consent",
        ),
        migrations.RemoveField(
            model_name="routing",
            name="consent",
        ),
        migrations.RemoveField(
            model_name="routing",
            name="is_transfer",
        ),
    ]
