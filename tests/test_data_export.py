"""The person's data export (RGPD right of access): every record about them, nothing about anyone
else, in a number of queries that does not grow with their file."""

import io
import json
import re
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accompagnement.models import ActionPlan, PlanVersion
from accueil.models import InformationDelivery
from cep.models import Consent, Service
from cep.person_data import person_data
from cep.registries import data_sections
from conseil.models import ProjectVersion, StrategyOption
from synthese.models import SynthesisDocument
from tests.accompagnement.factories import (
    ContactLogFactory,
    DeclaredFactsFactory,
    ExternalServiceFactory,
)
from tests.accueil.factories import (
    InformationDeliveryFactory,
    InformationSessionFactory,
    IntakeRequestFactory,
    RoutingFactory,
    RoutingStatusChangeFactory,
    SessionRegistrationFactory,
)
from tests.conseil.factories import (
    DemandClarificationFactory,
    HeldSkillFactory,
    RomeJobFactory,
    RomeSkillFactory,
    TrainingNeedFactory,
)
from tests.factories import (
    BeneficiaryAccountFactory,
    BeneficiaryRequestFactory,
    InvitationFactory,
    OperatorFactory,
)
from tests.synthese.factories import SynthesisDocumentFactory, agreed_parcours

pytestmark = pytest.mark.django_db

SHA = "a1" * 32


def build_person(*, operator, session, first_name, last_name, email, tag):
    """A person with a record of every kind; free texts carry `tag` so a leak is visible."""
    parcours = agreed_parcours(operator=operator, email=email)
    beneficiary = parcours.beneficiary
    beneficiary.first_name, beneficiary.last_name = first_name, last_name
    beneficiary.save()
    services = list(Service.objects.filter(parcours=parcours).order_by("pk"))
    consent = Consent.objects.get(beneficiary=beneficiary)
    project = ProjectVersion.objects.get(parcours=parcours)
    project.description = f"Projet {tag} : devenir technicienne de maintenance."
    project.save()
    job = RomeJobFactory(label=f"Métier visé {tag}")
    project.target_jobs.add(job)
    strategy = StrategyOption.objects.get(parcours=parcours)
    plan = ActionPlan.objects.get(parcours=parcours)
    version = PlanVersion.objects.get(plan=plan)
    step = version.steps.get()
    action = version.actions.get()
    training = version.trainings.get()
    cost_line = version.cost_lines.get()
    funding = version.funding_requests.get()

    intake = IntakeRequestFactory(parcours=parcours, motive=f"Motif {tag} : changer de métier.")
    delivery = InformationDeliveryFactory(
        service=services[0],
        themes=[InformationDelivery.Theme.TRAINING, InformationDelivery.Theme.FUNDING],
        resources=f"Ressources {tag}",
    )
    routing = RoutingFactory(parcours=parcours, reason=f"Orientation {tag}")
    change = RoutingStatusChangeFactory(routing=routing, status="acceptee", note=f"Suite {tag}")
    registration = SessionRegistrationFactory(session=session, beneficiary=beneficiary)

    clarification = DemandClarificationFactory(parcours=parcours, priorities=f"Priorités {tag}")
    free_skill = HeldSkillFactory(
        parcours=parcours, rome_skill=None, free_label=f"Compétence libre {tag}"
    )
    rome_skill = HeldSkillFactory(parcours=parcours, rome_skill=RomeSkillFactory())
    need = TrainingNeedFactory(parcours=parcours, target_job=job)

    external = ExternalServiceFactory(version=version, expected_results=f"Résultats {tag}")
    facts = DeclaredFactsFactory(
        parcours=parcours, months_salaried_total=84, cpf_balance=Decimal("1200.00")
    )
    contact = ContactLogFactory(plan=plan, notes=f"Échange {tag}")
    document = SynthesisDocumentFactory(
        parcours=parcours,
        number=1,
        project_version=project,
        plan_version=version,
        status=SynthesisDocument.Status.READY,
        ready_at=timezone.now(),
        sha256=SHA,
        page_count=3,
    )
    records = [
        beneficiary,
        parcours,
        *services,
        consent,
        intake,
        delivery,
        routing,
        change,
        registration,
        clarification,
        free_skill,
        rome_skill,
        need,
        project,
        strategy,
        plan,
        version,
        step,
        action,
        training,
        external,
        cost_line,
        funding,
        facts,
        contact,
        document,
    ]
    return beneficiary, records


def pairs_of(objects) -> set[tuple[str, int]]:
    return {(str(o._meta.verbose_name), o.pk) for o in objects}


def exported(result) -> dict[tuple[str, int], dict]:
    return {
        (r["élément"], r["numéro"]): r
        for section in result["sections"]
        for r in section["enregistrements"]
    }


@pytest.fixture
def three_people():
    operator, other_operator = OperatorFactory(), OperatorFactory()
    # Two people of the same operator share a collective session: only the registration differs.
    session = InformationSessionFactory(operator=operator, theme="Le CEP, pour qui ?")
    other_session = InformationSessionFactory(operator=other_operator, theme="Session Zoé")
    me = build_person(
        operator=operator,
        session=session,
        first_name="Maëlle",
        last_name="Kerbrat",
        email="maelle.kerbrat@exemple.invalid",
        tag="MOI",
    )
    neighbour = build_person(
        operator=operator,
        session=session,
        first_name="Théophane",
        last_name="Brocéliande",
        email="theophane@exemple.invalid",
        tag="VOISIN",
    )
    stranger = build_person(
        operator=other_operator,
        session=other_session,
        first_name="Ysoline",
        last_name="Quimperlé",
        email="ysoline@exemple.invalid",
        tag="ETRANGER",
    )
    return me, neighbour, stranger, session


def test_the_export_holds_every_record_of_the_person(three_people):
    (beneficiary, records), _, _, session = three_people
    by_kind = {}
    for obj in records:
        by_kind.setdefault(str(obj._meta.verbose_name), []).append(obj.pk)

    data = person_data(beneficiary)
    result = exported(data)

    # Written out by hand: the export names each kind of record in French.
    expected_kinds = {
        "bénéficiaire": 1,
        "parcours": 1,
        "prestation": 2,
        "demande": 1,
        "information délivrée": 1,
        "orientation": 1,
        "changement de statut d'une orientation": 1,
        "inscription à une session": 1,
        "clarification de la demande": 1,
        "compétence détenue": 2,
        "besoin de formation": 1,
        "version du projet": 1,
        "piste de stratégie": 1,
        "plan d'action": 1,
        "version du plan d'action": 1,
        "étape": 1,
        "action": 1,
        "parcours de formation": 1,
        "prestation externe": 1,
        "ligne de coût": 1,
        "demande de financement": 1,
        "faits déclarés pour le financement": 1,
        "contact financeur ou organisme": 1,
        "document de synthèse": 1,
        "consentement": 1,
    }
    assert {kind: len(pks) for kind, pks in by_kind.items()} == expected_kinds
    expected_pairs = {(kind, pk) for kind, pks in by_kind.items() for pk in pks}
    assert expected_pairs <= set(result)
    # Nothing else: a record of a kind we did not create would be someone else's or a stray.
    assert set(result) == expected_pairs

    def one(kind):
        (pk,) = by_kind[kind]
        return result[(kind, pk)]

    assert one("version du projet")["le projet, dans les mots de la personne"] == (
        "Projet MOI : devenir technicienne de maintenance."
    )
    (target_job,) = one("version du projet")["métiers visés"]
    assert target_job.endswith(" — Métier visé MOI")
    assert one("version du projet")["validé"] == "En présence, lors d'un entretien"
    assert one("demande")["motif, dans les mots de la personne"] == "Motif MOI : changer de métier."
    assert one("information délivrée")["thèmes abordés"] == ["Formations", "Financement"]
    assert one("information délivrée")["ressources indiquées"] == "Ressources MOI"
    assert one("orientation")["motif de l'orientation"] == "Orientation MOI"
    assert one("changement de statut d'une orientation")["commentaire"] == "Suite MOI"
    assert one("inscription à une session")["session"] == (
        f"Le CEP, pour qui ? — {timezone.localtime(session.starts_at):%d/%m/%Y}"
    )
    assert one("inscription à une session")["présence"] == "Inscrit"
    assert one("clarification de la demande")["priorités, telles que la personne les exprime"] == (
        "Priorités MOI"
    )
    skills = [result[("compétence détenue", pk)] for pk in by_kind["compétence détenue"]]
    assert sorted(s["compétence (texte libre)"] for s in skills) == ["", "Compétence libre MOI"]
    assert one("version du plan d'action")["statut"] == "Validé par la personne"
    assert one("étape")["étape"] == "Vérifier le projet auprès de professionnels"
    assert one("action")["étape"] == "Vérifier le projet auprès de professionnels"
    assert one("parcours de formation")["certification visée"] == (
        "Titre professionnel technicien de maintenance d'éoliennes"
    )
    assert one("parcours de formation")["organisme choisi par la personne"] is True
    assert one("prestation externe")["résultats attendus, discutés avec la personne"] == (
        "Résultats MOI"
    )
    assert one("ligne de coût")["coût"] == "6200.00"
    assert one("demande de financement")["financeur sollicité"] == (
        "Projet de transition professionnelle (PTP)"
    )
    assert one("demande de financement")["montant accordé"] == "5000.00"
    assert one("faits déclarés pour le financement")["mois de travail salarié (total)"] == 84
    assert one("faits déclarés pour le financement")["solde CPF déclaré"] == "1200.00"
    contact = one("contact financeur ou organisme")
    assert contact["élément"] == "contact financeur ou organisme"
    assert contact["objet"] == "Coût"
    assert contact["échange"] == "Échange MOI"
    document = one("document de synthèse")
    assert document["empreinte SHA-256"] == SHA
    assert document["pages"] == 3
    assert document["statut"] == "Prête"
    assert document["plan d'action"] == "Plan d'action, version 1"


def test_a_consent_record_says_what_it_is():
    parcours = agreed_parcours(email="maelle@exemple.invalid")
    consent = Consent.objects.get(beneficiary=parcours.beneficiary)

    assert ("consentement", consent.pk) in exported(person_data(parcours.beneficiary))


def test_the_export_holds_nothing_about_anyone_else(three_people):
    (beneficiary, _), (_, neighbour_records), (_, stranger_records), _ = three_people

    result = person_data(beneficiary)

    others = pairs_of(neighbour_records) | pairs_of(stranger_records)
    assert not others & set(exported(result))
    dump = json.dumps(result, ensure_ascii=False)
    assert "Kerbrat" in dump
    for leak in [
        "Théophane",
        "Brocéliande",
        "theophane@exemple.invalid",
        "VOISIN",
        "Ysoline",
        "Quimperlé",
        "ysoline@exemple.invalid",
        "ETRANGER",
        "Session Zoé",
    ]:
        assert leak not in dump, leak


def test_the_export_sections_are_the_core_and_every_level():
    result = person_data(agreed_parcours().beneficiary)

    assert [(s["cle"], s["categorie"]) for s in result["sections"]] == [
        ("identite", "identite"),
        ("parcours", "situation"),
        ("services", "situation"),
        ("accueil", "situation"),
        ("conseil", "projet"),
        ("plan", "plan"),
        ("financement", "financement"),
        ("syntheses", "syntheses"),
        ("consentements", "identite"),
    ]


LEVEL_SECTIONS = ["accueil", "conseil", "plan", "financement", "syntheses"]


def queries_by_section(services: int) -> dict[str, int]:
    """A person with `services` services, each with its information delivered, and as many
    actions in their plan: the queries of each section of their export."""
    parcours = agreed_parcours(services=services, actions=services)
    for service in Service.objects.filter(parcours=parcours):
        InformationDeliveryFactory(service=service)
    beneficiary = parcours.beneficiary
    counts = {}
    for section in data_sections():
        with CaptureQueriesContext(connection) as queries:
            section.export(beneficiary)
        counts[section.key] = len(queries)
    return counts


def test_the_level_sections_do_not_grow_with_the_file():
    one, ten = queries_by_section(1), queries_by_section(10)

    assert {key: ten[key] for key in LEVEL_SECTIONS} == {key: one[key] for key in LEVEL_SECTIONS}
    assert {key: one[key] for key in LEVEL_SECTIONS} == {
        "accueil": 5,
        "conseil": 6,
        "plan": 7,  # the drafts' history (corrections) included
        "financement": 4,
        "syntheses": 1,
    }


def test_the_export_does_not_grow_with_the_file():
    def queries_for(services: int) -> int:
        parcours = agreed_parcours(services=services, actions=services)
        for service in Service.objects.filter(parcours=parcours):
            InformationDeliveryFactory(service=service)
        with CaptureQueriesContext(connection) as queries:
            person_data(parcours.beneficiary)
        return len(queries)

    assert queries_for(1) == queries_for(10)


def test_a_person_without_level_records_has_empty_level_sections():
    parcours = agreed_parcours(services=0)

    result = person_data(parcours.beneficiary)

    sections = {s["cle"]: s["enregistrements"] for s in result["sections"]}
    assert sections["accueil"] == []
    assert sections["syntheses"] == []
    assert [r["élément"] for r in sections["conseil"]] == [
        "version du projet",
        "piste de stratégie",
    ]


# French keys, readable values

# Written by hand: English words a key derived from a field name would carry. French words that
# are also English ("date", "type", "action", "session", "version", "note", "message",
# "structure", "description", "source", "contact") are not in the list.
ENGLISH_WORDS = {
    "id",
    "at",
    "on",
    "by",
    "of",
    "from",
    "created",
    "updated",
    "changed",
    "registered",
    "recorded",
    "requested",
    "handled",
    "expires",
    "used",
    "given",
    "withdrawn",
    "agreed",
    "agreement",
    "account",
    "status",
    "cost",
    "line",
    "name",
    "first",
    "last",
    "birth",
    "phone",
    "email",
    "level",
    "kind",
    "channel",
    "reason",
    "amount",
    "granted",
    "step",
    "order",
    "title",
    "goal",
    "due",
    "outcome",
    "suggested",
    "consent",
    "routing",
    "skill",
    "job",
    "target",
    "training",
    "funding",
    "scheme",
    "provider",
    "hours",
    "number",
    "count",
    "page",
    "ready",
    "evidence",
}


def all_keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


@pytest.fixture
def full_person(three_people):
    (beneficiary, _), _, _, _ = three_people
    # The two kinds of record the other fixture leaves out.
    InvitationFactory(operator=beneficiary.operator, beneficiary=beneficiary)
    BeneficiaryRequestFactory(operator=beneficiary.operator, beneficiary=beneficiary)
    return beneficiary


def test_no_key_of_the_export_is_english(full_person):
    data = person_data(full_person)
    kinds = {r["élément"] for s in data["sections"] for r in s["enregistrements"]}
    assert {"invitation à l'espace bénéficiaire", "demande de la personne"} <= kinds

    keys = all_keys(data)
    record_keys = {k for s in data["sections"] for r in s["enregistrements"] for k in r}
    for key in record_keys:
        assert "_" not in key, key  # a field's name, not its label
    for key in keys:
        words = set(re.findall(r"[a-zà-ÿœæ0-9]+", key.lower()))
        assert not words & ENGLISH_WORDS, key
    assert "type" not in keys and "id" not in keys


def test_the_keys_are_the_french_labels(full_person):
    records = [r for s in person_data(full_person)["sections"] for r in s["enregistrements"]]

    def keys_of(kind: str) -> set[str]:
        (item,) = [r for r in records if r["élément"] == kind]
        return set(item)

    assert {"élément", "numéro", "fiche créée le", "fiche modifiée le", "prénom"} <= keys_of(
        "bénéficiaire"
    )
    assert {"statut", "créée le", "validation enregistrée par", "validé le"} <= keys_of(
        "version du plan d'action"
    )
    assert {"ligne de coût", "statut", "montant demandé"} <= keys_of("demande de financement")
    assert {"étape", "statut"} <= keys_of("action")
    assert {"métier visé", "compétence à acquérir", "enregistré le"} <= keys_of(
        "besoin de formation"
    )
    assert {"orientation", "statut", "date du changement"} <= keys_of(
        "changement de statut d'une orientation"
    )
    assert {"structure suggérée", "enregistrée le"} <= keys_of("demande")
    assert "date d'inscription" in keys_of("inscription à une session")
    assert "créée le" in keys_of("invitation à l'espace bénéficiaire")
    assert "envoyée le" in keys_of("demande de la personne")
    assert "statut" in keys_of("document de synthèse")


def test_the_json_keeps_iso_dates_and_choice_labels(full_person):
    records = [r for s in person_data(full_person)["sections"] for r in s["enregistrements"]]
    (person,) = [r for r in records if r["élément"] == "bénéficiaire"]
    assert person["date de naissance"] == "1985-04-12"
    assert person["sexe"] == "Femme"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*", person["fiche créée le"])
    (funding,) = [r for r in records if r["élément"] == "demande de financement"]
    assert funding["statut"] == "Accordée"
    assert funding["ligne de coût"] == "Formation"


def test_the_readable_page_is_in_french(client, full_person):
    account = BeneficiaryAccountFactory(operator=full_person.operator, beneficiary=full_person)
    client.force_login(account.user)
    response = client.get("/mon-espace/mes-donnees/archive/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    html = archive.read("mes-donnees.html").decode()

    def row(label: str, value: str) -> str:
        return f'<tr><th scope="row">{label}</th><td>{value}</td></tr>'

    assert row("Date de naissance", "12/04/1985") in html
    assert row("Sexe", "Femme") in html
    assert row("Statut", "Validé par la personne") in html
    assert row("Organisme choisi par la personne", "Oui") in html
    assert row("Transférable", "Non") in html
    assert row("Thèmes abordés", "Formations, Financement") in html
    assert row("Coût", "6\u202f200,00") in html
    assert row("Clos le", "—") in html
    assert "<caption>Bénéficiaire n° " in html
    assert re.search(r"Archive créée le \d{2}/\d{2}/\d{4} à \d{2}:\d{2}\.", html)
    # No ISO date, no Python value, no field name.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", html)
    for raw in (">True<", ">False<", ">None<", "['", "created at", "status"):
        assert raw not in html, raw
