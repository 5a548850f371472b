"""Fictional level-1 demo data: a directory, routing rules, requests of the day, sessions."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accueil import services
from accueil.models import InformationSession, IntakeRequest, Structure
from cep.dates import shift_years
from cep.models import Beneficiary, Membership, Operator, Service, Site

PARTNERS = [
    ("Centre d'information et d'orientation", Structure.Kind.CIO),
    ("Transitions Pro (antenne régionale)", Structure.Kind.TRANSITIONS_PRO),
]
KIND_OF_OPERATOR = {
    Operator.Kind.FRANCE_TRAVAIL: Structure.Kind.FRANCE_TRAVAIL,
    Operator.Kind.CAP_EMPLOI: Structure.Kind.CAP_EMPLOI,
    Operator.Kind.APEC: Structure.Kind.APEC,
    Operator.Kind.MISSION_LOCALE: Structure.Kind.MISSION_LOCALE,
    Operator.Kind.REGIONAL: Structure.Kind.REGIONAL_CEP,
}
PEOPLE = [
    ("Lucas", "Morvan", "M", 21, "de_a", "6", "Trouver une formation dans la logistique."),
    ("Amina", "Benali", "F", 38, "salarie_cdi", "5", "Je m'ennuie dans mon poste d'assistante."),
    ("Pierre", "Le Goff", "M", 52, "de_b", "3", "Cadre licencié, je veux rebondir."),
    ("Sofia", "Marques", "F", 29, "de_a", "5", "Reprendre un emploi après un congé parental."),
    ("Julien", "Caradec", "M", 44, "artisan", "2", "Vendre mon entreprise et changer de métier."),
    (
        "Clara",
        "Nguyen",
        "F",
        33,
        "agent_contractuel",
        "4",
        "Passer un concours de la fonction publique.",
    ),
]


def seed_accueil(operator: Operator, rng: random.Random) -> None:
    if Structure.objects.exists():
        return
    with transaction.atomic():
        staff = Membership.objects.filter(is_active=True).order_by("pk")
        rank = {Membership.Role.ADMIN: 0, Membership.Role.MANAGER: 1, Membership.Role.CONSEILLER: 2}
        admin = min(staff, key=lambda m: rank[m.role])
        counsellors = list(Membership.objects.filter(role=Membership.Role.CONSEILLER))
        directory = _directory(operator, admin)
        _rules(admin, directory)
        for index, person in enumerate(PEOPLE):
            _intake(counsellors[index % len(counsellors)], person, index)
        _sessions(operator, counsellors)


def _directory(operator: Operator, admin: Membership) -> dict[str, Structure]:
    # Operators are not tenant data: the platform's directory of them is shared on purpose.
    neighbours = list(Operator.objects.filter(region=operator.region).exclude(pk=operator.pk))
    directory = {}
    for neighbour in neighbours:
        kind = KIND_OF_OPERATOR[neighbour.kind]
        directory[kind] = services.save_structure(
            membership=admin, name=neighbour.name, kind=kind, platform_operator=neighbour
        )
    for name, kind in PARTNERS:
        directory[kind] = services.save_structure(membership=admin, name=name, kind=kind)
    for kind, label in [
        (Structure.Kind.MISSION_LOCALE, "Mission locale (partenaire)"),
        (Structure.Kind.CAP_EMPLOI, "Cap emploi (partenaire)"),
        (Structure.Kind.APEC, "Apec — centre régional"),
        (Structure.Kind.REGIONAL_CEP, "Opérateur régional du CEP (partenaire)"),
    ]:
        if kind not in directory:
            directory[kind] = services.save_structure(membership=admin, name=label, kind=kind)
    return directory


def _rules(admin: Membership, directory: dict[str, Structure]) -> None:
    for priority, label, target, conditions in [
        (
            1,
            "Demandeur d'emploi de moins de 26 ans",
            Structure.Kind.MISSION_LOCALE,
            {"status_group": "demandeur_emploi", "max_age": 26},
        ),
        (
            2,
            "Demandeur d'emploi reconnu travailleur handicapé",
            Structure.Kind.CAP_EMPLOI,
            {"status_group": "demandeur_emploi", "requires_rqth": True},
        ),
        (3, "Cadre", Structure.Kind.APEC, {"pcs_group": "3"}),
        (4, "Salarié du privé", Structure.Kind.REGIONAL_CEP, {"status_group": "salarie_prive"}),
    ]:
        services.save_routing_rule(
            membership=admin, priority=priority, label=label, target=directory[target], **conditions
        )


def _intake(counsellor: Membership, person, index: int) -> None:
    first_name, last_name, sex, age, status, pcs, motive = person
    today = timezone.localdate()
    received_on = today - timedelta(days=0 if index < 4 else index)
    intake = services.record_intake(
        membership=counsellor,
        person={
            "first_name": first_name,
            "last_name": last_name,
            "sex": sex,
            "birth_date": shift_years(today, -age) - timedelta(days=40),
            "departement": Site.objects.first().departement,
            "employment_status": status,
            "pcs_group": pcs,
        },
        received_on=received_on,
        channel=[Service.Channel.ON_SITE, Service.Channel.PHONE][index % 2],
        motive=motive,
        heard_from=IntakeRequest.HeardFrom.WORD_OF_MOUTH,
    )
    if index >= 4:
        services.record_information(
            membership=counsellor,
            parcours=intake.parcours,
            delivered_on=received_on,
            channel=Service.Channel.ON_SITE,
            duration_minutes=45,
            themes=["formations", "financement"],
        )
        services.decide_level1_outcome(
            membership=counsellor,
            intake_request=intake,
            outcome=IntakeRequest.Outcome.GO_ON,
            decided_on=received_on,
        )


def _sessions(operator: Operator, counsellors: list[Membership]) -> None:
    site = Site.objects.first()
    now = timezone.localtime()
    for days, theme in [
        (3, "Le conseil en évolution professionnelle, pour qui, pour quoi ?"),
        (10, "Financer sa formation : CPF, Transitions Pro, aides"),
        (17, "Valider son expérience : la VAE"),
    ]:
        services.create_session(
            membership=counsellors[0],
            theme=theme,
            starts_at=now.replace(hour=14, minute=0, second=0, microsecond=0)
            + timedelta(days=days),
            animator=counsellors[days % len(counsellors)],
            site=site,
        )
    first = InformationSession.objects.order_by("starts_at").first()
    for beneficiary in Beneficiary.objects.order_by("pk")[:5]:
        services.register_for_session(
            membership=counsellors[0], session=first, beneficiary=beneficiary
        )
