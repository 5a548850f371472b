"""The end of a parcours from its file and from every workspace, the sub-reasons page, the API,
and the query counts of the new pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cep.closure.models import ParcoursEvent, SubReason
from cep.models import Membership, Parcours
from indicateurs.models import FollowUpSurvey
from tests.accompagnement.factories import ActionPlanFactory, PlanVersionFactory
from tests.accueil.factories import IntakeRequestFactory
from tests.closure.factories import ParcoursEventFactory, SubReasonFactory
from tests.factories import OperatorFactory, ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

END_LINK = "Mettre fin au parcours"


def opened_ago(days: int) -> dict:
    return {"opened_on": timezone.localdate() - timedelta(days=days)}


def end_url(parcours) -> str:
    return reverse("parcours_end", kwargs={"parcours_pk": parcours.pk})


def test_the_end_is_reached_from_the_file_and_from_every_level_workspace(login_as):
    level_1 = ParcoursFactory(entry_level=1)
    intake = IntakeRequestFactory(parcours=level_1)
    client = login_as(level_1.referent)
    file_page = client.get(reverse("beneficiary_detail", args=[level_1.beneficiary_id]))
    assert end_url(level_1) in file_page.content.decode()
    detail = client.get(reverse("accueil:request_detail", args=[intake.pk])).content.decode()
    assert END_LINK in detail and end_url(level_1) in detail

    level_2 = ParcoursFactory(entry_level=2, **opened_ago(30))
    client = login_as(level_2.referent)
    workspace = client.get(reverse("conseil:interviews", kwargs={"parcours_pk": level_2.pk}))
    assert END_LINK in workspace.content.decode() and end_url(level_2) in workspace.content.decode()

    plan = ActionPlanFactory()
    PlanVersionFactory(plan=plan, number=1)
    level_3 = plan.parcours
    client = login_as(level_3.referent)
    page = client.get(reverse("accompagnement:plan", kwargs={"parcours_pk": level_3.pk}))
    assert END_LINK in page.content.decode() and end_url(level_3) in page.content.decode()


def test_the_referent_ends_a_level_2_parcours_through_the_page(login_as):
    parcours = ParcoursFactory(entry_level=2, **opened_ago(60))
    sub_reason = SubReasonFactory(
        operator=parcours.operator, national_reason="formation", label="Formation qualifiante"
    )
    client = login_as(parcours.referent)
    form = client.get(end_url(parcours)).content.decode()
    assert "Formation qualifiante" in form and "Transférée à un autre opérateur" not in form
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(
        end_url(parcours),
        {
            "action": "fin",
            "ended_on": day.isoformat(),
            "channel": "visio",
            "reason": "formation",
            "sub_reason": sub_reason.pk,
            "note": "",
        },
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert (parcours.closed_on, parcours.closing_reason) == (day, "formation")
    assert FollowUpSurvey.objects.filter(parcours=parcours).count() == 2
    page = client.get(end_url(parcours)).content.decode()
    assert f"Parcours terminé le {day:%d/%m/%Y}" in page
    assert "Formation qualifiante" in page and "Rouvrir le parcours" in page


def test_a_refused_end_keeps_what_was_typed_next_to_the_field(login_as):
    parcours = ParcoursFactory(entry_level=3, current_level=3, **opened_ago(60))
    client = login_as(parcours.referent)
    day = timezone.localdate() - timedelta(days=3)
    response = client.post(
        end_url(parcours),
        {"action": "fin", "ended_on": day.isoformat(), "channel": "ecrit", "reason": "autre"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Précisez le motif de fin." in page
    assert f'value="{day.isoformat()}"' in page
    assert '<option value="ecrit" selected>' in page
    parcours.refresh_from_db()
    assert parcours.is_open


def test_another_counsellor_reads_the_page_but_may_not_end(login_as):
    parcours = ParcoursFactory(entry_level=2, **opened_ago(30))
    colleague = make_membership(operator=parcours.operator)
    client = login_as(colleague)
    page = client.get(end_url(parcours))
    assert page.status_code == 200 and 'id="form-fin"' not in page.content.decode()
    refused = client.post(
        end_url(parcours),
        {"action": "fin", "ended_on": timezone.localdate(), "channel": "visio", "reason": "arret"},
    )
    assert refused.status_code == 404
    parcours.refresh_from_db()
    assert parcours.is_open


def test_reopen_through_the_page_and_the_next_parcours_past_the_window(login_as, settings):
    settings.PARCOURS_REOPEN_DAYS = 90
    recent = ParcoursFactory(
        **opened_ago(200),
        closed_on=timezone.localdate() - timedelta(days=5),
        closing_reason="arret",
    )
    client = login_as(recent.referent)
    response = client.post(end_url(recent), {"action": "reouvrir", "reason": "Reprise"})
    assert response.status_code == 302
    recent.refresh_from_db()
    assert recent.is_open

    old = ParcoursFactory(
        **opened_ago(400),
        closed_on=timezone.localdate() - timedelta(days=91),
        closing_reason="arret",
    )
    client = login_as(old.referent)
    page = client.get(end_url(old)).content.decode()
    assert "Rouvrir le parcours" not in page and "Ouvrir un nouveau parcours" in page
    refused = client.post(end_url(old), {"action": "reouvrir", "reason": "Reprise"})
    assert refused.status_code == 400
    assert "Le délai de réouverture (90 jours) est dépassé" in refused.content.decode()
    assert client.post(end_url(old), {"action": "nouveau", "entry_level": 2}).status_code == 302
    following = Parcours.objects.get(previous_parcours=old)
    file_page = client.get(reverse("beneficiary_detail", args=[old.beneficiary_id]))
    text = file_page.content.decode()
    assert f'id="parcours-{old.pk}"' in text and f'id="parcours-{following.pk}"' in text
    assert f'href="#parcours-{old.pk}">parcours précédent' in text


def test_the_operator_admin_adds_a_sub_reason(login_as):
    admin = make_membership(operator=OperatorFactory(), role=Membership.Role.ADMIN)
    client = login_as(admin)
    url = reverse("closure_sub_reasons")
    response = client.post(url, {"national_reason": "projet_realise", "label": "CDI"})
    assert response.status_code == 302
    assert list(SubReason.objects.values_list("operator", "national_reason", "label")) == [
        (admin.operator_id, "projet_realise", "CDI")
    ]
    refused = client.post(url, {"national_reason": "transfere", "label": "X"})
    assert refused.status_code == 400
    assert "Choisissez le motif national dans la liste." in refused.content.decode()
    counsellor = make_membership(operator=admin.operator)
    assert login_as(counsellor).get(url).status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_end_page_reads_a_fixed_number_of_queries(login_as):
    parcours = ParcoursFactory(**opened_ago(300))
    client = login_as(parcours.referent)
    ParcoursEventFactory(parcours=parcours, by=parcours.referent)
    SubReasonFactory(operator=parcours.operator)  # one row of each: 1 against N
    one = count_queries(client, end_url(parcours))
    for _ in range(9):
        ParcoursEventFactory(
            parcours=parcours,
            by=parcours.referent,
            sub_reason=SubReasonFactory(operator=parcours.operator),
        )
    assert count_queries(client, end_url(parcours)) == one
    ended = ParcoursFactory(
        operator=parcours.operator, referent=parcours.referent, **opened_ago(300), closed=True
    )
    ParcoursEventFactory(parcours=ended)
    one = count_queries(client, end_url(ended))
    ParcoursEventFactory.create_batch(9, parcours=ended, by=parcours.referent)
    assert count_queries(client, end_url(ended)) == one


def test_the_sub_reasons_page_reads_a_fixed_number_of_queries(login_as):
    admin = make_membership(operator=OperatorFactory(), role=Membership.Role.ADMIN)
    client = login_as(admin)
    SubReasonFactory(operator=admin.operator)
    one = count_queries(client, reverse("closure_sub_reasons"))
    SubReasonFactory.create_batch(20, operator=admin.operator)
    assert count_queries(client, reverse("closure_sub_reasons")) == one


def test_the_person_sees_the_end_in_their_space(client):
    from tests.factories import BeneficiaryAccountFactory

    parcours = ParcoursFactory(
        **opened_ago(100),
        closed_on=timezone.localdate() - timedelta(days=1),
        closing_reason="creation",
    )
    account = BeneficiaryAccountFactory(beneficiary=parcours.beneficiary)
    client.force_login(account.user)
    page = client.get(reverse("space:home")).content.decode()
    assert "Votre parcours est terminé" in page
    assert "Motif : création ou reprise d&#x27;entreprise" in page
    assert "creation" not in page.replace("création", "")


def test_a_manager_sees_ended_parcours_of_a_counsellor_only_when_asked(login_as):
    operator = OperatorFactory()
    manager = make_membership(operator=operator, role=Membership.Role.MANAGER)
    counsellor = make_membership(operator=operator)
    current = ParcoursFactory(operator=operator, referent=counsellor)
    ended = ParcoursFactory(operator=operator, referent=counsellor, closed=True)
    client = login_as(manager)
    url = reverse("manager_counsellor", kwargs={"membership_pk": counsellor.pk})
    default = client.get(url).content.decode()
    assert current.beneficiary.full_name in default
    assert ended.beneficiary.full_name not in default
    assert "Afficher les parcours terminés" in default
    asked = client.get(url + "?termines=1").content.decode()
    assert ended.beneficiary.full_name in asked and "terminé le" in asked


# --- API


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_the_api_ends_and_reopens_a_parcours(login_as):
    parcours = ParcoursFactory(entry_level=3, current_level=3, **opened_ago(100))
    client = login_as(parcours.referent)
    base = f"/api/v1/parcours/{parcours.pk}"
    day = timezone.localdate() - timedelta(days=1)
    ended = post(
        client,
        f"{base}/end/",
        {"ended_on": day.isoformat(), "channel": "telephone", "reason": "projet_realise"},
    )
    assert ended.status_code == 200, ended.content
    assert (ended.json()["closed_on"], ended.json()["closing_reason"]) == (
        day.isoformat(),
        "projet_realise",
    )
    again = post(client, f"{base}/reopen/", {"reason": "Le CDI n'a pas été signé"})
    assert again.status_code == 200 and again.json()["closed_on"] is None
    history = ParcoursEvent.objects.filter(parcours=parcours).values_list("kind", flat=True)
    assert list(history) == ["fin", "reouverture"]


def test_the_api_answers_field_level_400s_in_french(login_as):
    parcours = ParcoursFactory(**opened_ago(100))
    client = login_as(parcours.referent)
    url = f"/api/v1/parcours/{parcours.pk}/end/"
    missing = post(client, url, {})
    assert missing.status_code == 400
    assert missing.json() == {
        "ended_on": ["Indiquez la date de fin."],
        "channel": ["Indiquez la modalité."],
        "reason": ["Choisissez le motif de fin."],
    }
    by_hand = post(
        client,
        url,
        {"ended_on": timezone.localdate().isoformat(), "channel": "visio", "reason": "transfere"},
    )
    assert by_hand.status_code == 400 and list(by_hand.json()) == ["reason"]
    other = post(
        client,
        url,
        {"ended_on": timezone.localdate().isoformat(), "channel": "visio", "reason": "autre"},
    )
    assert other.json() == {"note": ["Précisez le motif de fin."]}
    future = post(
        client,
        url,
        {
            "ended_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "channel": "visio",
            "reason": "arret",
        },
    )
    assert future.status_code == 400 and list(future.json()) == ["ended_on"]
    reopen = post(client, f"/api/v1/parcours/{parcours.pk}/reopen/", {"reason": "x"})
    assert reopen.status_code == 400
    assert reopen.json() == {
        "non_field_errors": ["Ce parcours est en cours : il n'y a rien à rouvrir."]
    }
    parcours.refresh_from_db()
    assert parcours.is_open


def test_the_api_hides_another_operators_parcours_and_refuses_a_colleague(login_as):
    parcours = ParcoursFactory(**opened_ago(100))
    stranger = make_membership(operator=OperatorFactory())
    payload = {"ended_on": timezone.localdate().isoformat(), "channel": "visio", "reason": "arret"}
    url = f"/api/v1/parcours/{parcours.pk}/end/"
    assert post(login_as(stranger), url, payload).status_code == 404
    colleague = make_membership(operator=parcours.operator)
    refused = post(login_as(colleague), url, payload)
    assert refused.status_code == 403
    parcours.refresh_from_db()
    assert parcours.is_open


def test_a_transferred_parcours_offers_neither_reopening_nor_a_new_parcours(login_as):
    parcours = ParcoursFactory(**opened_ago(100), closed=True, closing_reason="transfere")
    page = login_as(parcours.referent).get(end_url(parcours)).content.decode()
    assert "il se poursuit chez l'opérateur qui l'a reçu" in page
    assert 'id="form-reouverture"' not in page and 'id="form-nouveau"' not in page


def test_the_no_news_alert_leads_to_the_end_form_with_the_reason_proposed(login_as, settings):
    settings.NO_NEWS_ALERT_DAYS = 90
    parcours = ParcoursFactory(**opened_ago(120))
    client = login_as(parcours.referent)
    home = client.get(reverse("caseload")).content.decode()
    link = f"{end_url(parcours)}?motif=sans_nouvelles"
    assert "Sans nouvelles" in home and link in home
    form = client.get(link).content.decode()
    assert '<option value="sans_nouvelles" selected>' in form
    parcours.refresh_from_db()
    assert parcours.is_open
