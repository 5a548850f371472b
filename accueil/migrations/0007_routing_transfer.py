"""A level-1 orientation to an operator of the platform points at its transfer. The data
follows in 0008, the columns it replaces go in 0009 (one transaction each: PostgreSQL does not
alter a table with row changes still to check in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accueil", "0006_french_field_labels"),
        ("continuity", "0002_accepted_before_sending"),
    ]

    operations = [
        migrations.AddField(
            model_name="routing",
            name="transfer",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="continuity.transfer",
                verbose_name="transfert sur la plateforme",
            ),
        ),
    ]
