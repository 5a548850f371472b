"""The follow-up survey: planned when a parcours closes, sent only with consent (checked when it
leaves), answered once from a signed link without an account."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail, signing
from django.utils import timezone

from cep.closure.services import end_parcours
from indicateurs import services, surveys
from indicateurs.models import FollowUpSurvey
from tests.factories import BeneficiaryAccountFactory, ConsentFactory, ParcoursFactory
from tests.indicateurs.factories import FollowUpSurveyFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "satisfaction": "4",
    "situation_improved": "oui",
    "entered_training": "oui",
    "changed_job": "non",
    "created_business": "non",
    "project_kept": "",
    "comment": "Merci pour l'écoute.",
}


def closed_parcours(*, consent: bool, email: str = "maelle.kerbrat@exemple.invalid"):
    parcours = ParcoursFactory(
        beneficiary__email=email, opened_on=timezone.localdate() - timedelta(days=90)
    )
    if consent:
        ConsentFactory(beneficiary=parcours.beneficiary, purpose="enquete_suivi")
    end_parcours(
        membership=parcours.referent,
        parcours=parcours,
        ended_on=timezone.localdate(),
        reason="projet_realise",
        channel="sur_site",
    )
    return parcours


def test_closing_a_parcours_plans_two_surveys_end_and_six_months():
    parcours = closed_parcours(consent=True)
    planned = dict(FollowUpSurvey.objects.filter(parcours=parcours).values_list("moment", "due_on"))
    today = timezone.localdate()
    assert planned == {"fin": today, "6_mois": today + timedelta(days=182)}


def test_the_end_survey_goes_to_a_consenting_person_once(settings):
    settings.SITE_URL = "http://testserver"
    closed_parcours(consent=True)
    assert services.send_due_surveys() == 1
    assert services.send_due_surveys() == 0  # never twice
    (message,) = mail.outbox
    assert message.to == ["maelle.kerbrat@exemple.invalid"]
    assert "http://testserver/indicateurs/enquete/" in message.body


def test_without_consent_or_after_withdrawal_no_survey_leaves(client):
    closed_parcours(consent=False)
    withdrawn = closed_parcours(consent=True, email="noe@exemple.invalid")
    account = BeneficiaryAccountFactory(beneficiary=withdrawn.beneficiary)
    client.force_login(account.user)
    client.post("/mon-espace/consentements/", {"purpose": "enquete_suivi", "action": "retirer"})

    assert services.send_due_surveys() == 0

    assert mail.outbox == []
    assert set(FollowUpSurvey.objects.filter(moment="fin").values_list("status", flat=True)) == {
        FollowUpSurvey.Status.NOT_SENT
    }


def test_the_six_month_survey_waits_for_its_day():
    parcours = closed_parcours(consent=True)
    services.send_due_surveys()
    six_months = FollowUpSurvey.objects.get(parcours=parcours, moment="6_mois")
    assert six_months.status == FollowUpSurvey.Status.PLANNED
    FollowUpSurvey.objects.filter(pk=six_months.pk).update(due_on=date(2020, 1, 1))
    assert services.send_due_surveys() == 1


def test_the_person_answers_once_from_the_link(client):
    survey = FollowUpSurveyFactory(status=FollowUpSurvey.Status.SENT)
    url = f"/indicateurs/enquete/{surveys.make_token(survey)}/"
    assert client.get(url).status_code == 200

    response = client.post(url, ANSWERS)

    assert "votre réponse est enregistrée" in response.content.decode()
    survey.refresh_from_db()
    assert (survey.status, survey.satisfaction) == ("repondue", 4)
    assert (survey.situation_improved, survey.changed_job, survey.project_kept) == (
        True,
        False,
        None,
    )
    again = client.post(url, {**ANSWERS, "satisfaction": "1"})
    assert "Merci" in again.content.decode()
    survey.refresh_from_db()
    assert survey.satisfaction == 4


def test_a_missing_mark_is_told_next_to_the_field_and_nothing_saved(client):
    survey = FollowUpSurveyFactory(status=FollowUpSurvey.Status.SENT)
    url = f"/indicateurs/enquete/{surveys.make_token(survey)}/"
    response = client.post(url, {**ANSWERS, "satisfaction": ""})
    assert response.status_code == 400
    assert "Choisissez une note de 1 à 5." in response.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_an_altered_link_reaches_no_survey(client):
    survey = FollowUpSurveyFactory(status=FollowUpSurvey.Status.SENT)
    other = FollowUpSurveyFactory(status=FollowUpSurvey.Status.SENT)
    payload, timestamp, signature = surveys.make_token(survey).split(":")
    other_payload = surveys.make_token(other).split(":")[0]
    assert (
        client.get(f"/indicateurs/enquete/{other_payload}:{timestamp}:{signature}/").status_code
        == 404
    )
    forged = signing.TimestampSigner(key="autre-cle", salt=surveys.SALT).sign_object(
        {"s": survey.pk, "o": survey.operator_id}
    )
    assert client.get(f"/indicateurs/enquete/{forged}/").status_code == 404
    assert re.fullmatch(r"[\w-]+", payload)
