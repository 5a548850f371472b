"""The level-2 workspace: every tab answers, adds what it should, and keeps a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conseil.models import HeldSkill, TrainingNeed
from tests.conseil.factories import (
    DemandClarificationFactory,
    HeldSkillFactory,
    Level2ParcoursFactory,
    ProjectVersionFactory,
    RomeJobFactory,
    RomeJobSkillFactory,
    RomeSkillFactory,
    StrategyOptionFactory,
)

pytestmark = pytest.mark.django_db

TABS = ["interviews", "demand", "skills", "jobs", "project", "strategy"]


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_every_tab_keeps_its_query_count_from_5_to_100_rows(login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    job = RomeJobFactory()
    project = ProjectVersionFactory(parcours=parcours)

    def grow(n):
        for _ in range(n):
            skill = RomeSkillFactory()
            RomeJobSkillFactory(job=job, skill=skill, is_core=True)
            HeldSkillFactory(parcours=parcours, rome_skill=skill)
            project.target_jobs.add(RomeJobFactory())
            DemandClarificationFactory(parcours=parcours)
            StrategyOptionFactory(parcours=parcours)
            ProjectVersionFactory(parcours=parcours)

    urls = [reverse(f"conseil:{tab}", kwargs={"parcours_pk": parcours.pk}) for tab in TABS]
    urls.append(urls[3] + f"?metier={job.code}")
    urls.append(urls[2] + f"?metier={job.code}&q=fictive")
    grow(5)
    before = [queries(client, url) for url in urls]
    grow(95)
    assert [queries(client, url) for url in urls] == before


def test_skills_from_a_past_job_and_a_training_need(login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    past, target = RomeJobFactory(), RomeJobFactory()
    welding, reading, safety = (
        RomeSkillFactory(label=label) for label in ("Souder", "Lire un plan", "Sécurité")
    )
    for skill in (welding, reading):
        RomeJobSkillFactory(job=past, skill=skill)
    RomeJobSkillFactory(job=target, skill=reading, is_core=True)
    RomeJobSkillFactory(job=target, skill=safety, is_core=True)
    page = client.get(
        reverse("conseil:skills", kwargs={"parcours_pk": parcours.pk}) + f"?metier={past.code}"
    ).content.decode()
    assert "Souder" in page and "Lire un plan" in page
    client.post(
        reverse("conseil:skill_add_job", kwargs={"parcours_pk": parcours.pk}),
        {"job": past.code, "skills": [welding.pk, reading.pk], "transferable": "on"},
    )
    held = HeldSkill.objects.filter(parcours=parcours)
    assert {(h.rome_skill_id, h.from_job_id, h.transferable) for h in held} == {
        (welding.pk, past.code, True),
        (reading.pk, past.code, True),
    }
    jobs = client.get(
        reverse("conseil:jobs", kwargs={"parcours_pk": parcours.pk}) + f"?metier={target.code}"
    ).content.decode()
    # Held: "Lire un plan"; missing core: "Sécurité".
    assert "il lui en manque 1 du cœur de métier" in jobs
    client.post(
        reverse("conseil:training_need", kwargs={"parcours_pk": parcours.pk}),
        {"job": target.code, "rome_skill": safety.pk},
    )
    assert list(TrainingNeed.objects.values_list("rome_skill_id", flat=True)) == [safety.pk]


def test_unknown_rome_code_is_said_next_to_the_field(login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    for tab in ("skills", "jobs"):
        page = client.get(
            reverse(f"conseil:{tab}", kwargs={"parcours_pk": parcours.pk}) + "?metier=Q9999"
        ).content.decode()
        assert "Aucun métier du ROME ne correspond à « Q9999 »" in page
    response = client.post(
        reverse("conseil:skill_add_job", kwargs={"parcours_pk": parcours.pk}),
        {"job": "Q9999", "skills": ["1"]},
        follow=True,
    )
    assert "Ce métier n&#x27;existe pas dans le ROME" in response.content.decode()
    assert not HeldSkill.objects.exists()


def test_level_1_parcours_has_no_level_2_actions(login_as):
    from tests.factories import ParcoursFactory

    parcours = ParcoursFactory()
    response = login_as(parcours.referent).post(
        reverse("conseil:skill_add_free", kwargs={"parcours_pk": parcours.pk}),
        {"free_label": "Parler en public", "source": "vie"},
        follow=True,
    )
    assert "encore au niveau 1" in response.content.decode()
    assert not HeldSkill.objects.exists()


def test_reading_the_workspace_and_the_plan_is_audited(login_as):
    from accompagnement import services as plans
    from cep.models import AuditEvent

    parcours = Level2ParcoursFactory(entry_level=3)
    plans.ensure_plan(membership=parcours.referent, parcours=parcours)
    client = login_as(parcours.referent)
    client.get(reverse("conseil:skills", kwargs={"parcours_pk": parcours.pk}))
    client.get(reverse("accompagnement:plan", kwargs={"parcours_pk": parcours.pk}))
    reads = AuditEvent.objects.filter(action="read", beneficiary=parcours.beneficiary)
    assert [(e.membership_id, e.object_id) for e in reads] == [
        (parcours.referent_id, str(parcours.beneficiary_id))
    ] * 2
