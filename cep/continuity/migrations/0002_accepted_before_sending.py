"""An accepted transfer that was never sent: a level-1 orientation to an operator of the
platform, accepted before those orientations became transfers (accueil 0008)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cep", "0015_topics_move_to_their_apps"),
        ("continuity", "0001_transfer_tables_from_cep"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="transfer",
            name="transfer_accepted_has_parcours",
        ),
        migrations.AddConstraint(
            model_name="transfer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "accepte"), _negated=True),
                    ("received_parcours__isnull", False),
                    ("sent_at__isnull", True),
                    _connector="OR",
                ),
                name="transfer_accepted_has_parcours",
            ),
        ),
    ]
