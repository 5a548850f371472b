"""The training's cost is the funding plan's cost line: a training and the "formation" line typed
again for it, in the same version and for the same amount (its cost after the VAE reduction, or
its cost), become one: the line points at the training and follows it from now on.

Each training takes at most one line, and each line one training, in order of creation. Reversed,
the lines are unlinked and stay as they are (nothing is lost either way)."""

from django.db import migrations


def link_pairs(apps, schema_editor):
    TrainingPath = apps.get_model("accompagnement", "TrainingPath")
    CostLine = apps.get_model("accompagnement", "CostLine")
    lines_by_version: dict[int, list] = {}
    for line in CostLine.objects.filter(kind="formation", training__isnull=True).order_by("pk"):
        lines_by_version.setdefault(line.version_id, []).append(line)
    trainings = TrainingPath.objects.filter(version_id__in=list(lines_by_version)).order_by("pk")
    for training in trainings:
        if CostLine.objects.filter(training=training).exists():
            continue
        net = training.cost - training.vae_reduction
        candidates = lines_by_version.get(training.version_id, [])
        match = next((line for line in candidates if line.amount == net), None) or next(
            (line for line in candidates if line.amount == training.cost), None
        )
        if match is None:
            continue
        candidates.remove(match)
        match.training = training
        match.amount = net
        match.save(update_fields=["training", "amount"])


def unlink(apps, schema_editor):
    CostLine = apps.get_model("accompagnement", "CostLine")
    CostLine.objects.filter(training__isnull=False).update(training=None)


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0008_plan_corrections")]

    operations = [migrations.RunPython(link_pairs, unlink)]
