"""An ended parcours is read-only (issue 20): every write route of its pages and of the API is
refused with the French message, nothing is written; a synthèse being rendered when it ends
still completes.

The page routes come from walking the URL resolver: a route of a parcours (or of a level-1
request) that accepts a POST is walked without editing this file, unless it is listed in
ALLOWED_WHEN_ENDED with its reason.
"""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scopes_disabled

from accompagnement.models import ActionPlan
from cep.models import Parcours
from synthese import services as synthese
from synthese.models import SynthesisDocument
from tests.accompagnement.factories import (
    ActionFactory,
    CostLineFactory,
    FundingRequestFactory,
    PlanVersionFactory,
    StepFactory,
)
from tests.accueil.factories import IntakeRequestFactory
from tests.conseil.factories import (
    HeldSkillFactory,
    ProjectVersionFactory,
    StrategyOptionFactory,
)
from tests.factories import ParcoursFactory, make_membership

pytestmark = pytest.mark.django_db

ENDED = "Ce parcours est terminé depuis le"

# Writes that an ended parcours still accepts, on purpose.
ALLOWED_WHEN_ENDED = {
    "parcours_end": "reopening it, or opening the next parcours",
    "parcours_continuity": "the liaison file is still handed over (its services refuse a "
    "transfer and a new co-référent: tested below)",
    "synthese:list": "the synthèse records the parcours as it ended",
    "synthese:retry": "the synthèse records the parcours as it ended",
    "synthese:email": "the synthèse records the parcours as it ended",
}
PARCOURS_PARAMS = ("parcours_pk", "intakerequest_pk")


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name}", entry.callback


def write_routes():
    for template, name, callback in walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None)
        if view is None or not hasattr(view, "post"):
            continue
        if template.startswith("api/"):
            continue  # the API's writes are walked by the table below
        if any(f"<int:{param}>" in template for param in PARCOURS_PARAMS):
            yield template, name


def ended_level_3_world():
    """A level-3 parcours with an object of every kind its routes name, then ended."""
    today = timezone.localdate()
    parcours = ParcoursFactory(
        entry_level=2,
        current_level=3,
        opened_on=today - timedelta(days=200),
        level_2_on=today - timedelta(days=200),
        level_3_on=today - timedelta(days=100),
    )
    intake = IntakeRequestFactory(parcours=parcours)
    version = PlanVersionFactory(
        plan=ActionPlan.objects.create(operator=parcours.operator, parcours=parcours), number=1
    )
    step = StepFactory(version=version)
    cost_line = CostLineFactory(version=version)
    objects = {
        "parcours_pk": parcours.pk,
        "intakerequest_pk": intake.pk,
        "heldskill_pk": HeldSkillFactory(parcours=parcours).pk,
        "projectversion_pk": ProjectVersionFactory(parcours=parcours).pk,
        "strategyoption_pk": StrategyOptionFactory(parcours=parcours).pk,
        "action_pk": ActionFactory(version=version, step=step).pk,
        "step_pk": step.pk,
        "costline_pk": cost_line.pk,
        "fundingrequest_pk": FundingRequestFactory(version=version, cost_line=cost_line).pk,
        "externalservice_pk": 0,  # refused before the object is looked up
        "trainingpath_pk": 0,
        "synthesisdocument_pk": 0,
    }
    Parcours.objects.filter(pk=parcours.pk).update(
        closed_on=today - timedelta(days=1), closing_reason="arret"
    )
    parcours.refresh_from_db()
    return parcours, objects


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label
            in {"cep", "accueil", "conseil", "accompagnement", "closure", "continuity"}
        }


def test_the_walk_finds_the_write_routes_of_every_level():
    names = {name for _, name in write_routes()}
    for expected in (
        "service_create",
        "accueil:information",
        "accueil:routing",
        "conseil:demand",
        "conseil:project",
        "conseil:level_3",
        "accompagnement:add_step",
        "accompagnement:agreement",
        "accompagnement:action_status",
    ):
        assert expected in names
    assert len(names) >= 30


def test_every_write_page_of_an_ended_parcours_refuses_with_the_french_message(login_as):
    parcours, objects = ended_level_3_world()
    client = login_as(parcours.referent)
    before = row_counts()
    walked = []
    for template, name in write_routes():
        if name in ALLOWED_WHEN_ENDED:
            continue
        url = "/" + template
        for param, value in objects.items():
            url = url.replace(f"<int:{param}>", str(value))
        assert "<" not in url, f"{template}: fill its parameter in ended_level_3_world()"
        referer = f"http://testserver/beneficiaires/{parcours.beneficiary_id}/"
        response = client.post(url, {"action": "x", "title": "Écrire"}, HTTP_REFERER=referer)
        said = [str(message) for message in get_messages(response.wsgi_request)]
        assert response.status_code == 302, (url, response.status_code)
        assert referer.endswith(response["Location"]), url
        assert any(ENDED in message for message in said), (url, said)
        walked.append(name)
    assert row_counts() == before
    assert len(walked) >= 30


def test_the_continuity_services_refuse_a_transfer_and_a_co_referent(login_as):
    from cep.continuity.models import Transfer
    from tests.factories import OperatorFactory

    parcours, _ = ended_level_3_world()
    client = login_as(parcours.referent)
    url = f"/parcours/{parcours.pk}/continuite/"
    transfer = client.post(
        url,
        {
            "action": "transfert",
            "transfert-target_operator": OperatorFactory().pk,
            "transfert-reason": "Déménagement",
            "transfert-categories": ["identite", "situation"],
            "transfert-consent_evidence": "Accord oral",
        },
    )
    assert transfer.status_code == 400 and ENDED in transfer.content.decode()
    colleague = make_membership(operator=parcours.operator)
    co_referent = client.post(url, {"action": "co_referent", "coref-counsellor": colleague.pk})
    assert co_referent.status_code == 400 and ENDED in co_referent.content.decode()
    assert not Transfer.objects.exists()


def flat(body) -> str:
    if isinstance(body, dict):
        return " ".join(flat(v) for v in body.values())
    if isinstance(body, list):
        return " ".join(flat(v) for v in body)
    return str(body)


def test_every_api_write_of_an_ended_parcours_answers_400_with_the_french_message(login_as):
    parcours, objects = ended_level_3_world()
    client = login_as(parcours.referent)
    plan = ActionPlan.objects.get(parcours=parcours)
    today = timezone.localdate().isoformat()
    colleague = make_membership(operator=parcours.operator)
    writes = [
        (
            "/api/v1/services/",
            {
                "parcours": parcours.pk,
                "kind": "entretien_individuel",
                "channel": "sur_site",
                "delivered_on": today,
                "duration_minutes": 45,
            },
        ),
        (
            "/api/v1/demand-clarifications/",
            {
                "parcours": parcours.pk,
                "priorities": "Changer de métier",
                "autonomy": "autonome",
                "project_maturity": "emergent",
            },
        ),
        (
            "/api/v1/held-skills/",
            {
                "parcours": parcours.pk,
                "rome_skill": None,
                "free_label": "Accueil du public",
                "source": "experience",
            },
        ),
        (
            "/api/v1/project-versions/",
            {"parcours": parcours.pk, "project_type": "reconversion", "description": "Boulanger"},
        ),
        (
            "/api/v1/strategy-options/",
            {"parcours": parcours.pk, "kind": "formation", "description": "CAP"},
        ),
        (
            f"/api/v1/strategy-options/{objects['strategyoption_pk']}/retain/",
            {"retained": True},
        ),
        (
            "/api/v1/referent-changes/",
            {"parcours": parcours.pk, "referent": colleague.pk, "reason": "Absence"},
        ),
        (f"/api/v1/action-plans/{plan.pk}/items/?type=step", {"title": "Se former", "order": 2}),
        (
            f"/api/v1/action-plans/{plan.pk}/agreement/",
            {"agreed_on": today, "channel": "a_distance"},
        ),
        (f"/api/v1/action-plans/{plan.pk}/revision/", {"reason": "Nouvelle date"}),
        (f"/api/v1/plan-actions/{objects['action_pk']}/status/", {"status": "faite"}),
        (
            f"/api/v1/funding-requests/{objects['fundingrequest_pk']}/answer/",
            {"status": "accordee", "amount_granted": "100.00", "answered_on": today},
        ),
    ]
    before = row_counts()
    for url, payload in writes:
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code, response.content)
        assert ENDED in flat(response.json()), (url, response.json())
    assert row_counts() == before


def test_a_synthesis_being_rendered_when_the_parcours_ends_still_completes():
    from cep.closure import services as closure
    from tests.synthese.factories import agreed_parcours

    parcours = agreed_parcours()
    document = synthese.request_synthesis(membership=parcours.referent, parcours=parcours)
    assert document.status == SynthesisDocument.Status.QUEUED
    closure.end_parcours(
        membership=parcours.referent,
        parcours=parcours,
        ended_on=timezone.localdate(),
        channel="sur_site",
        reason="projet_realise",
    )
    synthese.render_synthesis(document_id=document.pk)  # what the worker runs afterwards
    document.refresh_from_db()
    assert document.is_ready, document.error
