"""Managers: the team view's figures on a hand-built dataset, reassignment and hand-over, the
lists to follow up, exports, 404 for counsellors, constant query counts."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accompagnement.models import Action, PlanVersion
from cep import services as core_services
from cep.managers import services
from cep.models import AuditEvent, Membership, Parcours, ReferentAssignment, Service
from tests.accompagnement.factories import ActionFactory, ActionPlanFactory, PlanVersionFactory
from tests.api import token_client as api
from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    SiteFactory,
    make_membership,
)
from tests.synthese.factories import SynthesisDocumentFactory

pytestmark = pytest.mark.django_db

MARCH = {"du": "2026-03-01", "au": "2026-03-31"}


def aware(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


@pytest.fixture
def team():
    """Operator with counsellors A (site 1) and B (site 2) and a manager; another operator's
    data alongside, which must never count."""
    operator = OperatorFactory()
    site_1, site_2 = SiteFactory(operator=operator), SiteFactory(operator=operator)
    a = make_membership(operator=operator)
    b = make_membership(operator=operator)
    a.sites.add(site_1)
    b.sites.add(site_2)
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    today = timezone.localdate()

    def parcours(referent, **fields):
        return ParcoursFactory(
            operator=operator,
            beneficiary=BeneficiaryFactory(operator=operator),
            referent=referent,
            **fields,
        )

    # A: P1 level 1, new in March, never contacted: stale.
    parcours(a, entry_level=1, opened_on=date(2026, 3, 5))
    # A: P2 level 2, from February, contacted 5 days ago.
    parcours(a, entry_level=2, opened_on=date(2026, 2, 10), last_contact_on=today - timedelta(5))
    # A: P3 level 3, new in March, last contact 100 days ago (stale), plan agreed in March.
    p3 = parcours(
        a, entry_level=3, opened_on=date(2026, 3, 20), last_contact_on=today - timedelta(100)
    )
    ServiceFactory(parcours=p3, delivered_on=date(2026, 3, 27))  # first interview: 7 days
    ServiceFactory(parcours=p3, delivered_on=date(2026, 4, 2))
    version = PlanVersionFactory(
        plan=ActionPlanFactory(parcours=p3),
        number=1,
        status=PlanVersion.Status.AGREED,
        agreed_on=date(2026, 3, 25),
        agreement_channel="en_presence",
        agreement_recorded_by=a,
    )
    ActionFactory(version=version, due_date=today - timedelta(3))  # overdue
    ActionFactory(version=version, due_date=today - timedelta(3), status=Action.Status.DONE)
    ActionFactory(version=version, due_date=today + timedelta(10))
    SynthesisDocumentFactory(
        parcours=p3, status="pret", sha256="0" * 64, ready_at=aware(date(2026, 3, 28))
    )
    SynthesisDocumentFactory(
        parcours=p3, status="pret", sha256="1" * 64, ready_at=aware(date(2026, 4, 2))
    )
    # A: P4 closed in March.
    parcours(
        a,
        entry_level=2,
        opened_on=date(2026, 1, 2),
        closed_on=date(2026, 3, 15),
        closing_reason="projet_realise",
    )
    # A: P5 level 2, new in March: a workshop, then an interview 3 days after opening.
    p5 = parcours(a, entry_level=2, opened_on=date(2026, 3, 10), last_contact_on=today)
    ServiceFactory(
        parcours=p5, kind=Service.Kind.COLLECTIVE_WORKSHOP, delivered_on=date(2026, 3, 11)
    )
    ServiceFactory(parcours=p5, delivered_on=date(2026, 3, 13))
    # B: Q1 level 1 opened 10 days ago; Q2 opened on 31 March (in), closed on 1 April (out).
    parcours(b, entry_level=1, opened_on=today - timedelta(10))
    parcours(
        b,
        entry_level=1,
        opened_on=date(2026, 3, 31),
        closed_on=date(2026, 4, 1),
        closing_reason="arret",
    )
    # Elsewhere: another operator's busy counsellor.
    elsewhere = make_membership(operator=OperatorFactory())
    for _ in range(3):
        ParcoursFactory(referent=elsewhere, operator=elsewhere.operator, opened_on=date(2026, 3, 2))
    return {
        "a": a,
        "b": b,
        "manager": manager,
        "site_1": site_1,
        "site_2": site_2,
        "operator": operator,
    }


FIGURES = [
    "open_level_1",
    "open_level_2",
    "open_level_3",
    "new",
    "closed",
    "stale",
    "overdue_actions",
    "agreed_plans",
    "syntheses",
    "median_first_interview",
]


def test_team_figures_on_a_hand_built_dataset(team):
    response = api(team["manager"]).get("/api/v1/team/", MARCH)
    assert response.status_code == 200
    assert response.json()["period"] == {"start": "2026-03-01", "end_exclusive": "2026-04-01"}
    rows = {r["membership"]: [r[key] for key in FIGURES] for r in response.json()["results"]}
    # Written by hand from the dataset above (period: March, end exclusive on 1 April).
    assert rows[team["a"].pk] == [1, 2, 1, 3, 1, 2, 1, 1, 1, 5]
    assert rows[team["b"].pk] == [1, 0, 0, 1, 0, 0, 0, 0, 0, None]
    assert rows[team["manager"].pk] == [0, 0, 0, 0, 0, 0, 0, 0, 0, None]
    assert len(rows) == 3  # the other operator's counsellor is not there


def test_the_team_view_filters_by_site(team):
    response = api(team["manager"]).get("/api/v1/team/", {**MARCH, "site": team["site_1"].pk})
    assert [r["membership"] for r in response.json()["results"]] == [team["a"].pk]


def test_the_team_page_sorts_and_exports(team, login_as):
    client = login_as(team["manager"])
    page = client.get("/gestion/equipe/", {**MARCH, "tri": "-new"}).content.decode()
    assert page.index(team["a"].display_name) < page.index(team["b"].display_name)
    csv = client.get("/gestion/equipe/", {**MARCH, "format": "csv"}).content.decode("utf-8-sig")
    assert f"{team['a'].display_name};Conseiller;1;2;1;3;1;2;1;1;1;5" in csv
    event = AuditEvent.objects.get(action="export")
    assert event.details == {"export": "equipe", "lignes": 3}


def test_a_counsellor_gets_404_on_every_manager_page(team, login_as):
    client = login_as(team["a"])
    for url in (
        "/gestion/equipe/",
        f"/gestion/equipe/{team['b'].pk}/",
        "/gestion/a-suivre/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/gestion/reaffecter/").status_code == 404
    token = api(team["a"])
    for url in ("/api/v1/team/", f"/api/v1/team/{team['b'].pk}/parcours/", "/api/v1/followup/"):
        assert token.get(url).status_code == 404, url
    assert token.post("/api/v1/reassignments/", {}).status_code == 404


def test_counsellor_caseload_review_with_next_due_action(team, login_as):
    client = login_as(team["manager"])
    response = api(team["manager"]).get(f"/api/v1/team/{team['a'].pk}/parcours/")
    by_level = {row["current_level"]: row for row in response.json()}
    assert len(response.json()) == 4  # P1, P2, P3, P5: open ones
    today = timezone.localdate()
    assert by_level[3]["next_due"] == (today - timedelta(3)).isoformat()
    page = client.get(f"/gestion/equipe/{team['a'].pk}/").content.decode()
    assert "en retard" in page and "sans activité" in page


def test_followup_lists_and_filters(team):
    operator, client = team["operator"], api(team["manager"])
    orphan = ParcoursFactory(
        operator=operator,
        beneficiary=BeneficiaryFactory(
            operator=operator, rqth=True, birth_date=date(1970, 5, 1), employment_status="de_b"
        ),
        referent=None,
    )
    ids = lambda response: [row["id"] for row in response.json()]  # noqa: E731
    assert ids(client.get("/api/v1/followup/", {"liste": "sans-referent"})) == [orphan.pk]
    assert ids(client.get("/api/v1/followup/", {"liste": "sans-referent", "rqth": "non"})) == []
    assert ids(client.get("/api/v1/followup/", {"liste": "sans-referent", "age": "55_plus"})) == [
        orphan.pk
    ]
    assert ids(client.get("/api/v1/followup/", {"liste": "sans-referent", "age": "26_44"})) == []
    assert ids(
        client.get("/api/v1/followup/", {"liste": "sans-referent", "categorie": "de_b"})
    ) == [orphan.pk]
    stale = client.get("/api/v1/followup/", {"liste": "sans-activite"}).json()
    # P1 and P3; the orphan opened this month, too recently to be stale.
    assert len(stale) == 2
    unanswered = client.get("/api/v1/followup/", {"liste": "sans-reponse"}).json()
    assert len(unanswered) == 3  # P1, Q1 and the orphan: level 1, no service yet
    assert client.get("/api/v1/followup/", {"liste": "autre"}).status_code == 400


# --- Reassignment --------------------------------------------------------------------------------


def test_reassigning_two_parcours_records_history_and_tells_the_new_referent(team):
    a, b, manager = team["a"], team["b"], team["manager"]
    moved = list(Parcours.objects.filter(referent=a, closed_on__isnull=True)[:2])

    count = services.reassign_parcours(
        membership=manager, parcours_ids=[p.pk for p in moved], to=b, reason="Congé de A"
    )

    assert count == 2
    assert set(
        Parcours.objects.filter(pk__in=[p.pk for p in moved]).values_list("referent", flat=True)
    ) == {b.pk}
    history = ReferentAssignment.objects.filter(parcours__in=moved)
    assert {(h.referent_id, h.assigned_by_id, h.reason) for h in history} == {
        (b.pk, manager.pk, "Congé de A")
    }
    (message,) = mail.outbox
    assert message.to == [b.user.email]
    assert "2 parcours vous sont confiés" in message.subject


def test_reassignment_refuses_another_operators_or_an_inactive_counsellor(team):
    a, manager = team["a"], team["manager"]
    ids = list(Parcours.objects.filter(referent=a).open().values_list("pk", flat=True))
    stranger = make_membership(operator=OperatorFactory())
    response = api(manager).post(
        "/api/v1/reassignments/", {"parcours": ids, "to": stranger.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"to": ["Ce conseiller n'appartient pas à votre structure."]}

    gone = make_membership(operator=team["operator"])
    core_services.deactivate_membership(membership=gone, deactivated_by=manager)
    with pytest.raises(ValidationError) as error:
        services.reassign_parcours(membership=manager, parcours_ids=ids, to=gone, reason="x")
    assert "a quitté la structure" in error.value.message_dict["to"][0]
    assert set(Parcours.objects.filter(pk__in=ids).values_list("referent", flat=True)) == {a.pk}


def test_a_foreign_parcours_in_the_batch_refuses_the_whole_batch(team):
    a, b, manager = team["a"], team["b"], team["manager"]
    ids = list(Parcours.objects.filter(referent=a).open().values_list("pk", flat=True))
    foreign = ParcoursFactory()  # another operator's
    with pytest.raises(ValidationError):
        services.reassign_parcours(
            membership=manager, parcours_ids=[*ids, foreign.pk], to=b, reason="x"
        )
    assert set(Parcours.objects.filter(pk__in=ids).values_list("referent", flat=True)) == {a.pk}


def test_a_failure_half_way_changes_nothing(team, settings):
    """The notice is the last step: the mail server down, every update before it is undone."""
    settings.EMAIL_BACKEND = "tests.failing_mail.EmailBackend"
    a, b, manager = team["a"], team["b"], team["manager"]
    ids = list(Parcours.objects.filter(referent=a).open().values_list("pk", flat=True))
    history_before = ReferentAssignment.objects.count()

    with pytest.raises(ValidationError) as error:
        services.reassign_parcours(membership=manager, parcours_ids=ids, to=b, reason="Départ")

    assert "rien n'a été réaffecté" in error.value.messages[0]
    assert set(Parcours.objects.filter(pk__in=ids).values_list("referent", flat=True)) == {a.pk}
    assert ReferentAssignment.objects.count() == history_before
    assert not AuditEvent.objects.filter(object_type="cep.parcours").exists()


def test_a_leaving_counsellor_hands_everything_over_in_one_action(team, login_as):
    a, b, manager = team["a"], team["b"], team["manager"]
    response = login_as(manager).post(
        f"/gestion/equipe/{a.pk}/",
        {"to": b.pk, "reason": "Départ en retraite", "deactivate": "on"},
        follow=True,
    )
    assert "4 parcours confiés" in response.content.decode()
    assert not Parcours.objects.open().filter(referent=a).exists()
    a.refresh_from_db()
    assert not a.is_active


def test_bulk_reassignment_from_the_list_page(team, login_as):
    operator = team["operator"]
    orphans = [
        ParcoursFactory(
            operator=operator, beneficiary=BeneficiaryFactory(operator=operator), referent=None
        )
        for _ in range(2)
    ]
    response = login_as(team["manager"]).post(
        "/gestion/reaffecter/",
        {"parcours": [p.pk for p in orphans], "to": team["b"].pk, "reason": "Nouvelles demandes"},
        follow=True,
    )
    assert "2 parcours confiés" in response.content.decode()
    assert {p.referent_id for p in Parcours.objects.filter(pk__in=[o.pk for o in orphans])} == {
        team["b"].pk
    }


def _unanswered_of(membership):
    """The open parcours of a counsellor on the list "sans réponse" (level 1, no service)."""
    return sorted(
        Parcours.objects.filter(referent=membership, current_level=1, services__isnull=True)
        .open()
        .values_list("pk", flat=True)
    )


def test_an_empty_reason_is_shown_on_its_field_with_the_ticks_kept(team, login_as):
    a = team["a"]
    ids = _unanswered_of(a)
    response = login_as(team["manager"]).post(
        "/gestion/reaffecter/",
        {
            "parcours": ids,
            "to": team["b"].pk,
            "reason": "",
            "retour": "/gestion/a-suivre/?liste=sans-reponse",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    # Next to the field Motif (the DSFR input group in error), never a banner naming no field.
    assert 'id="id_reason-messages"' in page or "fr-input-group--error" in page
    assert "Ce champ est obligatoire." in page
    assert "fr-alert--error" not in page
    for pk in ids:
        assert f'id="parcours-{pk}" checked' in page
    assert f'<option value="{team["b"].pk}" selected>' in page
    # The page the form came from stays the way back (its filters kept for the next try).
    assert (
        '<input type="hidden" name="retour" value="/gestion/a-suivre/?liste=sans-reponse">' in page
    )
    assert set(Parcours.objects.filter(pk__in=ids).values_list("referent", flat=True)) == {a.pk}


def test_no_tick_is_an_error_on_the_checkbox_column(team, login_as):
    response = login_as(team["manager"]).post(
        "/gestion/reaffecter/",
        {"to": team["b"].pk, "reason": "Congé", "retour": "/gestion/a-suivre/?liste=sans-reponse"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<div class="fr-messages-group" id="parcours-erreur" aria-live="polite">'
        '<p class="fr-message fr-message--error">Cochez au moins un parcours.</p></div>'
    ) in page
    assert 'aria-invalid="true" aria-describedby="parcours-erreur"' in page
    assert 'value="Congé"' in page


def test_reassigning_to_the_current_referent_is_refused_not_reported_as_zero(team, login_as):
    a = team["a"]
    every = list(Parcours.objects.filter(referent=a).open().values_list("pk", flat=True))
    assert len(every) > 1
    with pytest.raises(ValidationError) as error:
        services.reassign_parcours(membership=team["manager"], parcours_ids=every, to=a, reason="x")
    assert error.value.message_dict == {
        "to": [
            f"{a.display_name} est déjà le référent de ces parcours : "
            "choisissez un autre conseiller."
        ]
    }
    ids = _unanswered_of(a)
    response = login_as(team["manager"]).post(
        "/gestion/reaffecter/",
        {
            "parcours": ids[:1],
            "to": a.pk,
            "reason": "Rien",
            "retour": "/gestion/a-suivre/?liste=sans-reponse",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f"{a.display_name} est déjà le référent de ce parcours : choisissez un autre conseiller."
        in page
    )
    assert "confiés" not in page
    assert f'id="parcours-{ids[0]}" checked' in page
    assert not ReferentAssignment.objects.filter(
        parcours_id__in=ids, reason__in=["x", "Rien"]
    ).exists()
    assert not mail.outbox


def test_the_api_refuses_a_reassignment_to_the_current_referent_on_the_field(team):
    a = team["a"]
    ids = _unanswered_of(a)
    response = api(team["manager"]).post(
        "/api/v1/reassignments/", {"parcours": ids, "to": a.pk, "reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "to": [
            f"{a.display_name} est déjà le référent de ce parcours : "
            "choisissez un autre conseiller."
        ]
    }


def test_the_job_seeker_categories_are_offered_in_the_nomenclature_order():
    from cep.managers.forms import FollowUpFilterForm

    assert [label for _, label in FollowUpFilterForm().fields["categorie"].choices] == [
        "Toutes",
        "Demandeur d'emploi inscrit — catégorie A",
        "Demandeur d'emploi inscrit — catégorie B",
        "Demandeur d'emploi inscrit — catégorie C",
        "Demandeur d'emploi inscrit — catégorie D",
        "Demandeur d'emploi inscrit — catégorie E",
        "En recherche d'emploi, non inscrit",
    ]


# --- Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/gestion/equipe/", "/gestion/equipe/{a}/", "/gestion/a-suivre/?liste=sans-activite"],
)
def test_manager_pages_keep_their_query_count_from_5_to_300_parcours(team, login_as, url):
    operator, a = team["operator"], team["a"]
    client = login_as(team["manager"])
    url = url.format(a=a.pk)

    def add(count):
        for _ in range(count):
            ParcoursFactory(
                operator=operator,
                beneficiary=BeneficiaryFactory(operator=operator),
                referent=a,
                opened_on=date(2026, 1, 5),
            )

    add(5)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(295)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 15


def test_the_team_page_adds_up_per_site(team, login_as):
    # A works on both sites, B on site 2 only: site 2 adds A's and B's counts.
    team["a"].sites.add(team["site_2"])
    page = login_as(team["manager"]).get("/gestion/equipe/", MARCH).content.decode()
    table = page[page.index('id="tableau-sites"') :]

    def cells(site):
        row = table[table.index(f"{site.name} (") :]
        row = row[: row.index("</tr>")]
        return [c.split("</td>")[0] for c in row.split("<td>")[1:]]

    # Written by hand: A = 1,2,1,3,1,2,1,1,1 and B = 1,0,0,1,0,0,0,0,0; no median per site.
    assert cells(team["site_1"]) == ["1", "2", "1", "3", "1", "2", "1", "1", "1", "—"]
    assert cells(team["site_2"]) == ["2", "2", "1", "4", "1", "2", "1", "1", "1", "—"]
