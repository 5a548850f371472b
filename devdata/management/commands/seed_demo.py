"""Fictional demo data: operators in two regions, their staff, ~200 beneficiaries with services.

Idempotent: operators and users are found by name, and an operator that already has
beneficiaries gets no more. Every name is invented; no real person is described.
"""

import io
import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from cep import services
from cep.closure import services as closure
from cep.continuity import services as continuity_services
from cep.continuity.models import Transfer
from cep.models import Beneficiary, Coordinator, Membership, Operator, Parcours, Service, Site
from cep.nomenclatures import (
    DEPARTEMENTS,
    DiplomaLevel,
    EmploymentStatus,
    PcsGroup,
    check_eligibility,
)
from cep.referentials.rome import current_release, import_release
from devdata import DEMO_PASSWORD
from devdata.accompagnement import seed_accompagnement
from devdata.accueil import seed_accueil
from devdata.conseil import seed_conseil
from devdata.synthese import seed_synthese

OPERATORS = [
    {
        "name": "France Travail — agence de Lyon Part-Dieu (démo)",
        "kind": Operator.Kind.FRANCE_TRAVAIL,
        "region": "84",
        "siret": "00000000000018",
        "sites": [("Agence Lyon Part-Dieu", "69003", "Lyon", "69")],
        "staff": [
            ("claire.martin", "Claire", "Martin", Membership.Role.CONSEILLER),
            ("hugo.bernard", "Hugo", "Bernard", Membership.Role.CONSEILLER),
            ("nadia.robert", "Nadia", "Robert", Membership.Role.MANAGER),
            ("paul.admin-ft", "Paul", "Richard", Membership.Role.ADMIN),
        ],
        "beneficiaries": 70,
    },
    {
        "name": "Cap emploi du Rhône (démo)",
        "kind": Operator.Kind.CAP_EMPLOI,
        "region": "84",
        "siret": "00000000000026",
        "sites": [("Cap emploi Villeurbanne", "69100", "Villeurbanne", "69")],
        "staff": [
            ("julie.petit", "Julie", "Petit", Membership.Role.CONSEILLER),
            ("marc.durand", "Marc", "Durand", Membership.Role.MANAGER),
        ],
        "beneficiaries": 40,
    },
    {
        "name": "Évolution Pro Bretagne (démo)",
        "kind": Operator.Kind.REGIONAL,
        "region": "53",
        "siret": "00000000000034",
        "sites": [
            ("Espace Rennes Colombier", "35000", "Rennes", "35"),
            ("Antenne de Brest", "29200", "Brest", "29"),
        ],
        "staff": [
            ("lea.moreau", "Léa", "Moreau", Membership.Role.CONSEILLER),
            ("yann.le-gall", "Yann", "Le Gall", Membership.Role.CONSEILLER),
            ("sophie.laurent", "Sophie", "Laurent", Membership.Role.MANAGER),
        ],
        "beneficiaries": 60,
    },
    {
        "name": "Mission locale du Pays de Rennes (démo)",
        "kind": Operator.Kind.MISSION_LOCALE,
        "region": "53",
        "siret": "00000000000042",
        "sites": [("Mission locale Rennes centre", "35000", "Rennes", "35")],
        "staff": [
            ("karim.simon", "Karim", "Simon", Membership.Role.CONSEILLER),
            ("emma.michel", "Emma", "Michel", Membership.Role.MANAGER),
        ],
        "beneficiaries": 30,
    },
]
# Coordinators see the indicators of their region (Auvergne-Rhône-Alpes) or of the nation.
COORDINATORS = [
    ("coord.aura", "Inès", "Garnier", Coordinator.Level.REGION, "84"),
    ("coord.nationale", "Bruno", "Lefèvre", Coordinator.Level.NATION, ""),
]

# One counsellor works for two operators, to show the membership switcher.
SHARED_STAFF = ("sam.multi", "Sam", "Lefebvre", [0, 1])
PLATFORM_ADMIN = "admin.plateforme"

FIRST_NAMES = {
    "F": [
        "Anaïs",
        "Camille",
        "Chloé",
        "Élodie",
        "Fatou",
        "Inès",
        "Laura",
        "Manon",
        "Océane",
        "Sarah",
        "Zoé",
        "Nathalie",
        "Isabelle",
        "Sandrine",
        "Aurélie",
        "Yasmine",
        "Maëlle",
    ],
    "M": [
        "Adrien",
        "Bastien",
        "Cédric",
        "Damien",
        "Étienne",
        "Florian",
        "Gaëtan",
        "Jérôme",
        "Kévin",
        "Loïc",
        "Mehdi",
        "Nicolas",
        "Olivier",
        "Quentin",
        "Thibault",
        "Yanis",
    ],
}
LAST_NAMES = [
    "Aubert",
    "Barbier",
    "Carré",
    "Delorme",
    "Étienne",
    "Fabre",
    "Garnier",
    "Hamon",
    "Imbert",
    "Joly",
    "Kerhervé",
    "Lacroix",
    "Marchand",
    "Noël",
    "Ollivier",
    "Perrot",
    "Quéré",
    "Renaud",
    "Saulnier",
    "Tessier",
    "Vidal",
    "Weber",
    "Yilmaz",
    "Zimmer",
]
ELIGIBLE_STATUSES = [s for s in EmploymentStatus.values if check_eligibility(s).eligible]


# Level by level, upward: each one builds on what the one below seeded.
SEEDERS = (seed_accueil, seed_conseil, seed_accompagnement, seed_synthese)


class Command(BaseCommand):
    help = "Crée les données de démonstration (fictives) et affiche les identifiants."

    def handle(self, *args, **options):
        rng = random.Random(2026)
        if current_release() is None:
            self.stdout.write("Chargement du ROME (référentiel des métiers)…")
            import_release()
        with scopes_disabled():
            operators = [self.ensure_operator(spec) for spec in OPERATORS]
            self.ensure_shared_staff(operators)
            self.ensure_platform_admin()
            self.ensure_coordinators()
        for operator, spec in zip(operators, OPERATORS, strict=True):
            with scope(operator=operator.pk):
                self.ensure_beneficiaries(operator, spec["beneficiaries"], rng)
                if operator == operators[0]:
                    self.ensure_duplicate_pair(operator)
                for seeder in SEEDERS:
                    seeder(operator, rng)
        self.ensure_transfer(operators[0], operators[1])
        # The closed months of the demo, consolidated as the nightly job would have done. The
        # indicators are computed in PostgreSQL's SQL: the SQLite demo fallback has none.
        if connection.vendor == "postgresql":
            call_command("rebuild_indicators", recent=18, stdout=io.StringIO())
        self.print_logins()

    def ensure_transfer(self, origin: Operator, target: Operator) -> None:
        """One transfer waiting for the receiving manager's decision (marc.durand)."""
        with scope(operator=origin.pk):
            if Transfer.objects.exists():
                return
            parcours = (
                Parcours.objects.open()
                .filter(current_level=2, referent__isnull=False, beneficiary__account=None)
                .select_related("referent", "beneficiary")
                .order_by("pk")
                .first()
            )
            if parcours is None:
                return
            continuity_services.propose_transfer(
                membership=parcours.referent,
                parcours=parcours,
                target_operator=target,
                reason="La personne s'installe à Villeurbanne et souhaite poursuivre son "
                "accompagnement près de chez elle.",
                categories=["identite", "situation", "projet"],
                consent_evidence="Accord oral en entretien (démonstration)",
            )

    def ensure_coordinators(self):
        for username, first_name, last_name, level, region in COORDINATORS:
            user = self.ensure_user(username, first_name, last_name)
            services.appoint_coordinator(user=user, level=level, region=region)

    def ensure_user(self, username, first_name, last_name):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.cep.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    @transaction.atomic
    def ensure_operator(self, spec) -> Operator:
        operator, _ = Operator.objects.get_or_create(
            name=spec["name"],
            defaults={"kind": spec["kind"], "region": spec["region"], "siret": spec["siret"]},
        )
        for name, postcode, commune, departement in spec["sites"]:
            Site.objects.get_or_create(
                operator=operator,
                name=name,
                defaults={"postcode": postcode, "commune": commune, "departement": departement},
            )
        for username, first_name, last_name, role in spec["staff"]:
            user = self.ensure_user(username, first_name, last_name)
            services.grant_membership(operator=operator, user=user, role=role)
        return operator

    def ensure_shared_staff(self, operators):
        username, first_name, last_name, indexes = SHARED_STAFF
        user = self.ensure_user(username, first_name, last_name)
        for index in indexes:
            services.grant_membership(
                operator=operators[index], user=user, role=Membership.Role.CONSEILLER
            )

    def ensure_platform_admin(self):
        user = self.ensure_user(PLATFORM_ADMIN, "Équipe", "Plateforme")
        if not user.is_superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])

    def ensure_beneficiaries(self, operator: Operator, count: int, rng: random.Random):
        if Beneficiary.objects.exists():
            return
        counsellors = list(
            Membership.objects.filter(role=Membership.Role.CONSEILLER).select_related("operator")
        )
        departements = [
            code for code, (_, region) in DEPARTEMENTS.items() if region == operator.region
        ]
        today = timezone.localdate()
        for _ in range(count):
            self.create_one(operator, rng, counsellors, departements, today)

    @transaction.atomic
    def ensure_duplicate_pair(self, operator: Operator) -> None:
        """Two files of one person, for the managers' list of likely duplicates: the second was
        typed before the duplicate check existed (so it was never warned), with an accent and
        the phone written another way. The first file's parcours has ended: they can be merged."""
        if Beneficiary.objects.filter(last_name__in=["LEMOINE", "LÉMOINE"]).exists():
            return
        counsellor = Membership.objects.filter(
            operator=operator, role=Membership.Role.CONSEILLER
        ).order_by("pk")[0]
        today = timezone.localdate()
        birth_date = today.replace(year=today.year - 41, day=14)
        first = services.create_beneficiary(
            membership=counsellor,
            first_name="Karine",
            last_name="LEMOINE",
            sex="F",
            birth_date=birth_date,
            departement="69",
            employment_status=ELIGIBLE_STATUSES[0],
            phone="06 12 34 56 78",
            opened_on=today - timedelta(days=400),
        )
        closure.end_parcours(
            membership=counsellor,
            parcours=Parcours.objects.get(beneficiary=first),
            ended_on=today - timedelta(days=300),
            reason=Parcours.ClosingReason.values[0],
            channel=Service.Channel.ON_SITE,
            check_permission=False,
        )
        second = Beneficiary(
            operator=operator,
            first_name="Karine",
            last_name="LÉMOINE",
            sex="F",
            birth_date=birth_date,
            departement="69",
            employment_status=ELIGIBLE_STATUSES[0],
            phone="+33612345678",
        )
        second.save()
        services.open_parcours(
            membership=counsellor,
            beneficiary=second,
            entry_level=1,
            opened_on=today - timedelta(days=20),
        )

    @transaction.atomic
    def create_one(self, operator, rng, counsellors, departements, today):
        counsellor = rng.choice(counsellors)
        sex = rng.choice(["F", "M"])
        opened_on = today - timedelta(days=rng.randint(5, 540))
        entry_level = rng.choices([1, 2, 3], weights=[5, 3, 1])[0]
        beneficiary = services.create_beneficiary(
            membership=counsellor,
            first_name=rng.choice(FIRST_NAMES[sex]),
            last_name=rng.choice(LAST_NAMES),
            sex=sex,
            birth_date=today - timedelta(days=rng.randint(18 * 365, 62 * 365)),
            departement=rng.choice(departements),
            employment_status=rng.choice(ELIGIBLE_STATUSES),
            email="",
            pcs_group=rng.choice(PcsGroup.values),
            diploma_level=rng.choice(DiplomaLevel.values[2:]),
            rqth=rng.random() < 0.08,
            qpv_resident=rng.random() < 0.12,
            entry_level=entry_level,
            opened_on=opened_on,
        )
        parcours = Parcours.objects.get(beneficiary=beneficiary)
        span = (today - opened_on).days
        days = sorted(rng.sample(range(span + 1), k=min(span + 1, rng.randint(1, 6))))
        for day in days:
            services.record_service(
                membership=counsellor,
                parcours=parcours,
                kind=rng.choices(Service.Kind.values, weights=[8, 2, 2, 1])[0],
                channel=rng.choices(Service.Channel.values, weights=[6, 3, 2, 1])[0],
                delivered_on=opened_on + timedelta(days=day),
                duration_minutes=rng.choice([30, 45, 60, 90]),
                notes="Entretien de démonstration : données fictives.",
            )
        if span > 300 and rng.random() < 0.5:
            closure.end_parcours(
                membership=counsellor,
                parcours=parcours,
                ended_on=opened_on + timedelta(days=days[-1]),
                reason=rng.choice(Parcours.ClosingReason.values[:4]),
                channel=Service.Channel.ON_SITE,
                check_permission=False,
            )

    def print_logins(self):
        out = self.stdout
        out.write(self.style.SUCCESS("Données de démonstration prêtes (toutes fictives)."))
        out.write(f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}")
        for spec in OPERATORS:
            out.write(f"  {spec['name']}")
            for username, _, _, role in spec["staff"]:
                out.write(f"    {username:<18} {role}")
        out.write(f"  Deux structures : {SHARED_STAFF[0]} (conseiller)")
        out.write(f"  Administration de la plateforme (/admin/) : {PLATFORM_ADMIN}")
        out.write("  Espace bénéficiaire (/mon-espace/) : beneficiaire.demo")
        out.write("  Un transfert attend la décision de marc.durand (/transferts/)")
        for username, _, _, level, _ in COORDINATORS:
            out.write(f"  Coordination ({level}, indicateurs seulement) : {username}")
