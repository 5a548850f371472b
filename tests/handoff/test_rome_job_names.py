"""Issue 21 §5: a ROME job is named, never coded: "comptable" is accepted everywhere a job is
asked; a name that fits several fiches offers them; a job explored in Métiers is offered in
Projet. Uses the real ROME release (the ``rome`` fixture)."""

import pytest
from django.urls import reverse

from cep.referentials.rome import find_job
from conseil.models import ProjectVersion
from tests.conseil.factories import Level2ParcoursFactory, ProjectVersionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("comptable", "M1203"),
        ("Comptable", "M1203"),
        ("COMPTABLE ", "M1203"),
        ("M1203", "M1203"),
        ("m1203", "M1203"),
        ("Comptable (M1203)", "M1203"),
        ("boulanger", "D1102"),
        ("Boulangère", "D1102"),
        ("aide-soignante", "J1501"),
    ],
)
def test_a_job_is_found_by_its_title(rome, typed, code):
    assert find_job(typed).job.code == code


def test_a_vague_name_offers_the_fiches_it_fits(rome):
    lookup = find_job("comptabilite")
    assert lookup.job is None
    codes = [job.code for job in lookup.choices]
    assert {"M1203", "M1206", "M1213"} <= set(codes)
    assert len(codes) <= 10


@pytest.mark.parametrize("typed", ["zzzz", "Q9999", "x"])
def test_nothing_found(rome, typed):
    lookup = find_job(typed)
    assert (lookup.job, lookup.choices) == (None, [])


def test_the_past_job_accepts_comptable(rome, login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    url = reverse("conseil:skills", kwargs={"parcours_pk": parcours.pk})
    page = client.get(url, {"metier": "comptable"})
    assert page.context["past_job"].code == "M1203"
    html = page.content.decode()
    assert "Compétences de Comptable" in html
    assert "Code ROME" not in html
    assert 'value="comptable"' in html  # what was typed stays


def test_a_vague_past_job_is_answered_with_links_to_each_fiche(rome, login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    url = reverse("conseil:skills", kwargs={"parcours_pk": parcours.pk})
    html = client.get(url, {"metier": "comptabilite"}).content.decode()
    assert "« comptabilite » peut désigner plusieurs métiers" in html
    assert '<a href="?metier=M1213">Assistant / Assistante comptable</a>' in html


def test_the_combobox_is_tied_to_its_options(rome, login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    html = client.get(reverse("conseil:jobs", kwargs={"parcours_pk": parcours.pk})).content.decode()
    assert 'list="id_metier-options"' in html
    assert 'hx-get="/referentiels/rome/metiers/"' in html
    assert '<datalist id="id_metier-options"></datalist>' in html
    options = client.get("/referentiels/rome/metiers/", {"metier": "comptable"}).content.decode()
    assert '<option value="Comptable (M1203)"></option>' in options
    assert options.count("<option") <= 10


def test_the_options_need_a_staff_member(rome, client):
    assert client.get("/referentiels/rome/metiers/", {"metier": "comptable"}).status_code in (
        302,
        404,
    )


def test_a_job_explored_in_metiers_is_offered_in_projet(rome, login_as):
    parcours = Level2ParcoursFactory()
    client = login_as(parcours.referent)
    jobs = client.get(
        reverse("conseil:jobs", kwargs={"parcours_pk": parcours.pk}), {"metier": "comptable"}
    ).content.decode()
    offer = f"/conseil/parcours/{parcours.pk}/projet/?metier=M1203"
    assert f'href="{offer}"' in jobs
    project = client.get(offer)
    html = project.content.decode()
    assert "« Comptable », exploré dans Métiers, est proposé comme métier visé" in html
    assert 'value="M1203"' in html and "checked" in html
    response = client.post(
        reverse("conseil:project", kwargs={"parcours_pk": parcours.pk}),
        {
            "project_type": "reconversion",
            "description": "Devenir comptable.",
            "target_jobs": ["M1203"],
            "new_target_job": "aide-soignante",
        },
    )
    assert response.status_code == 302
    version = ProjectVersion.objects.get(parcours=parcours)
    assert sorted(job.code for job in version.target_jobs.all()) == ["J1501", "M1203"]


def test_a_saved_target_job_stays_ticked(rome, login_as):
    parcours = Level2ParcoursFactory()
    version = ProjectVersionFactory(parcours=parcours)
    from cep.referentials.models import RomeJob

    version.target_jobs.set([RomeJob.objects.get(pk="M1203")])
    html = (
        login_as(parcours.referent)
        .get(reverse("conseil:project", kwargs={"parcours_pk": parcours.pk}))
        .content.decode()
    )
    assert "Comptable" in html
    assert "Code ROME" not in html and "codes ROME" not in html
