"""National-scale fictional data, loaded with PostgreSQL COPY.

Operators of every kind over every region, their sites, counsellors and managers (with their
roles), beneficiaries with plausible profiles for their operator's public, parcours at every
level over three years (requests, services, agreed projects and strategies, action plans with a
cost line and a funding request, follow-up surveys). Everything is drawn from one seeded random
generator, in a fixed order, with ids counted from the tables' current maximum: the same seed on
the same empty database gives the same rows.

It lives in the dev-data package, which may import every level and which nothing in the
product imports.
"""

import hashlib
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

from accompagnement.models import Action, ActionPlan, CostLine, FundingRequest, PlanVersion, Step
from accueil.models import IntakeRequest
from cep.models import (
    Beneficiary,
    Membership,
    Operator,
    OperatorUserPermission,
    Parcours,
    ReferentAssignment,
    Service,
    Site,
    normalize_for_search,
)
from cep.nomenclatures import DEPARTEMENTS, Region
from cep.roles import ROLE_PERMISSIONS
from conseil.models import ProjectVersion, StrategyOption
from indicateurs.models import FollowUpSurvey

PASSWORD = "scale-cep-2026!"
DAYS = 3 * 365  # parcours open over three years

FIRST_NAMES = {
    "F": ["Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Nadia", "Aïcha",
          "Sophie", "Claire", "Laura", "Marine", "Fatou", "Élodie", "Maëlle", "Anaïs"],
    "M": ["Lucas", "Hugo", "Thomas", "Karim", "Nicolas", "Julien", "Mehdi", "Antoine", "Yann",
          "Romain", "Kevin", "Maxime", "Samir", "Loïc", "Bastien", "Théo", "Adrien", "Malik"],
}  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Le Gall", "Kerbrat", "Benali", "Nguyen", "Traoré", "Da Silva",
]  # fmt: skip
MOTIVES = [
    "Je voudrais changer de métier, je ne me sens plus à ma place.",
    "Je cherche une formation pour évoluer dans mon entreprise.",
    "Je veux reprendre un emploi après un congé parental.",
    "J'ai un projet de création d'entreprise et je voudrais être accompagnée.",
    "Mon poste va être supprimé, je veux anticiper.",
    "Des problèmes de santé m'obligent à envisager une reconversion.",
]
PROJECTS = [
    ("reconversion", "Devenir aide-soignant(e) après une formation en institut."),
    ("mobilite_interne", "Évoluer vers un poste de cheffe d'équipe dans mon entreprise."),
    ("mobilite_externe", "Rejoindre une entreprise du secteur de l'énergie."),
    ("creation_reprise", "Reprendre une boulangerie dans ma commune."),
    ("retour_emploi", "Retrouver un emploi de comptable à temps partiel."),
    ("insertion", "Trouver un premier emploi stable dans la logistique."),
]
STATUSES_BY_KIND = {
    "france_travail": ["de_a", "de_a", "de_a", "de_b", "de_c", "de_d", "de_e"],
    "cap_emploi": ["de_a", "de_b", "salarie_cdi", "salarie_cdd"],
    "apec": ["salarie_cdi", "salarie_cdi", "de_a", "independant"],
    "mission_locale": ["de_a", "de_non_inscrit", "salarie_cdd", "salarie_interim"],
    "operateur_regional": [
        "salarie_cdi",
        "salarie_cdi",
        "salarie_cdd",
        "salarie_interim",
        "independant",
    ],
}


@dataclass(frozen=True)
class Sizes:
    operators: int = 6
    beneficiaries: int = 600
    services: int = 3000
    seed: int = 2026


def _default(field: models.Field):
    if field.has_default() and not callable(field.default):
        return field.default
    if field.null:
        return None
    if isinstance(field, models.JSONField):
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return ""
    return None


class Copier:
    """COPY rows into a model's table; every column the rows omit takes its field's default."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.counts: dict[str, int] = {}

    def first_id(self, model) -> int:
        self.cursor.execute(f'SELECT COALESCE(max(id), 0) + 1 FROM "{model._meta.db_table}"')
        return self.cursor.fetchone()[0]

    def copy(self, model, rows: Iterable[dict]) -> int:
        fields = list(model._meta.concrete_fields)
        columns = ", ".join(f'"{f.column}"' for f in fields)
        defaults = [_default(f) for f in fields]
        json_fields = [isinstance(f, models.JSONField) for f in fields]
        names = [f.attname for f in fields]
        count = 0
        table = model._meta.db_table
        # PostgreSQL refuses COPY into a table whose row-level security applies to the role
        # (cep.rls): the application's role then copies into a temporary table and inserts
        # from it, under the policies; the tables' owner copies directly.
        self.cursor.execute("SELECT row_security_active(%s::regclass)", [table])
        through_temporary = self.cursor.fetchone()[0]
        destination = table
        if through_temporary:
            destination = f"copy_{table}"
            self.cursor.execute(f'CREATE TEMPORARY TABLE "{destination}" (LIKE "{table}")')
        raw = self.cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f'COPY "{destination}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                values = []
                for name, default, is_json in zip(names, defaults, json_fields, strict=True):
                    value = row.get(name, default)
                    values.append(Jsonb(value) if is_json and value is not None else value)
                copy.write_row(values)
                count += 1
        if through_temporary:
            self.cursor.execute(
                f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM "{destination}"'
            )
            self.cursor.execute(f'DROP TABLE "{destination}"')
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + count
        return count

    def reset_sequences(self, models_: list) -> None:
        for model in models_:
            table = model._meta.db_table
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT max(id) FROM "{table}"), 1))'
            )


def moment(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(9), rng.randrange(60))))


class Generator:
    """Rows in a fixed order from one seeded generator; ids from given starting points."""

    def __init__(self, sizes: Sizes, today: date, first_ids: dict[str, int]):
        self.sizes = sizes
        self.today = today
        self.rng = random.Random(sizes.seed)
        self.ids = dict(first_ids)
        self.digest = hashlib.sha256()

    def new_id(self, label: str) -> int:
        value = self.ids[label]
        self.ids[label] = value + 1
        return value

    def note(self, *values) -> None:
        self.digest.update(repr(values).encode())

    # --- operators and their staff

    def operators(self) -> list[dict]:
        kinds = [k for k in Operator.Kind.values]
        regions = [code for code, _ in Region.choices]
        rows = []
        for index in range(self.sizes.operators):
            kind = kinds[index % len(kinds)]
            region = regions[(index * 7) % len(regions)]
            label = dict(Operator.Kind.choices)[kind]
            rows.append(
                {
                    "id": self.new_id("operator"),
                    "name": f"{label} — {Region(region).label} n° {index + 1} (données générées)",
                    "kind": kind,
                    "region": region,
                    "siret": f"{10_000_000_000_000 + index:014d}",
                    "delivers_training": False,
                    "created_at": timezone.now(),
                }
            )
            self.note(rows[-1]["name"], kind, region)
        return rows

    def operator_sizes(self) -> list[int]:
        # A large operator (France Travail's weight) and the others alike.
        n, total = self.sizes.operators, self.sizes.beneficiaries
        if n == 1:
            return [total]
        largest = max(1, total // 10)
        others = [(total - largest) // (n - 1)] * (n - 1)
        others[-1] += total - largest - sum(others)
        return [largest, *others]


def departements_of(region: str) -> list[str]:
    return [code for code, (_, r) in DEPARTEMENTS.items() if r == region] or ["75"]


def generate(sizes: Sizes, *, today: date | None = None, stdout=None) -> dict:
    """Load the data; returns the row counts per model and a digest of the generated content."""
    today = today or timezone.localdate()
    user_model = get_user_model()
    all_models = {
        "operator": Operator,
        "site": Site,
        "user": user_model,
        "membership": Membership,
        "operator_perm": OperatorUserPermission,
        "beneficiary": Beneficiary,
        "parcours": Parcours,
        "assignment": ReferentAssignment,
        "service": Service,
        "intake": IntakeRequest,
        "project": ProjectVersion,
        "strategy": StrategyOption,
        "plan": ActionPlan,
        "plan_version": PlanVersion,
        "step": Step,
        "action": Action,
        "cost": CostLine,
        "funding": FundingRequest,
        "survey": FollowUpSurvey,
    }
    permission_ids = {
        f"cep.{codename}": pk
        for codename, pk in Permission.objects.filter(content_type__app_label="cep").values_list(
            "codename", "pk"
        )
    }
    password = make_password(PASSWORD, salt="scale")
    now = timezone.now()

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    with connection.cursor() as cursor:
        copier = Copier(cursor)
        first_ids = {label: copier.first_id(model) for label, model in all_models.items()}
        gen = Generator(sizes, today, first_ids)
        rng = gen.rng
        operators = gen.operators()
        copier.copy(Operator, operators)
        operator_sizes = gen.operator_sizes()

        # Staff: a manager and an admin per operator, and counsellors (one per 400 people).
        sites, users, memberships, perms, staff = [], [], [], [], {}
        for operator, size in zip(operators, operator_sizes, strict=True):
            depts = departements_of(operator["region"])
            for n in range(1 + rng.randrange(3)):
                dept = depts[rng.randrange(len(depts))]
                sites.append(
                    {
                        "id": gen.new_id("site"),
                        "operator_id": operator["id"],
                        "name": f"Site {n + 1} — {operator['name'][:120]}",
                        "postcode": f"{dept[:2]}000" if dept[:2].isdigit() else "",
                        "commune": f"Commune {dept}",
                        "departement": dept,
                    }
                )
            roles = ["manager", "admin"] + ["conseiller"] * max(2, size // 400)
            staff[operator["id"]] = []
            for n, role in enumerate(roles):
                sex = rng.choice("FM")
                user_id = gen.new_id("user")
                users.append(
                    {
                        "id": user_id,
                        "username": f"gen-{operator['id']}-{n}",
                        "password": password,
                        "first_name": rng.choice(FIRST_NAMES[sex]),
                        "last_name": rng.choice(LAST_NAMES),
                        "email": f"gen-{operator['id']}-{n}@exemple.invalid",
                        "is_active": True,
                        "is_staff": False,
                        "is_superuser": False,
                        "date_joined": now,
                    }
                )
                membership_id = gen.new_id("membership")
                memberships.append(
                    {
                        "id": membership_id,
                        "user_id": user_id,
                        "operator_id": operator["id"],
                        "role": role,
                        "is_active": True,
                        "created_at": now,
                    }
                )
                for permission in sorted(ROLE_PERMISSIONS[role]):
                    perms.append(
                        {
                            "id": gen.new_id("operator_perm"),
                            "permission_id": permission_ids[permission],
                            "user_id": user_id,
                            "content_object_id": operator["id"],
                        }
                    )
                if role == "conseiller":
                    staff[operator["id"]].append(membership_id)
        copier.copy(Site, sites)
        copier.copy(user_model, users)
        copier.copy(Membership, memberships)
        copier.copy(OperatorUserPermission, perms)
        say(f"  {len(operators)} opérateurs, {len(memberships)} habilitations")

        # People and their parcours, operator by operator; the services of each parcours follow.
        services_left = sizes.services
        parcours_total = sizes.beneficiaries
        for index, (operator, size) in enumerate(zip(operators, operator_sizes, strict=True)):
            people, paths, assignments, services, intakes = [], [], [], [], []
            projects, strategies, plans, versions, steps, actions = [], [], [], [], [], []
            costs, fundings, surveys = [], [], []
            depts = departements_of(operator["region"])
            counsellors = staff[operator["id"]]
            kind = operator["kind"]
            statuses = STATUSES_BY_KIND.get(kind, STATUSES_BY_KIND["operateur_regional"])
            share = size / parcours_total if parcours_total else 0
            operator_services = (
                services_left if index == len(operators) - 1 else round(sizes.services * share)
            )
            services_left -= operator_services
            per_parcours = operator_services / size if size else 0
            given = 0
            for n in range(size):
                sex = "F" if rng.random() < 0.54 else "M"
                age = (
                    18 + int(rng.triangular(0, 46, 14))
                    if kind != "mission_locale"
                    else 16 + rng.randrange(10)
                )
                opened = today - timedelta(days=rng.randrange(DAYS))
                birth = opened - timedelta(days=age * 365 + rng.randrange(365))
                status = rng.choice(statuses)
                first, last = rng.choice(FIRST_NAMES[sex]), rng.choice(LAST_NAMES)
                beneficiary_id = gen.new_id("beneficiary")
                people.append(
                    {
                        "id": beneficiary_id,
                        "operator_id": operator["id"],
                        "first_name": first,
                        "last_name": last,
                        "search_name": normalize_for_search(f"{last} {first}"),
                        "sex": sex,
                        "birth_date": birth,
                        "email": f"{first[0].lower()}.{beneficiary_id}@exemple.invalid"
                        if rng.random() < 0.6
                        else "",
                        "phone": "",
                        "postcode": "",
                        "departement": rng.choice(depts),
                        "employment_status": status,
                        "pcs_group": rng.choice("3455566"),
                        "diploma_level": rng.choice("3344556"),
                        "rqth": kind == "cap_emploi" or rng.random() < 0.06,
                        "qpv_resident": rng.random() < 0.1,
                        "created_at": moment(opened, rng),
                        "updated_at": moment(opened, rng),
                    }
                )
                entry = rng.choices([1, 2, 3], weights=[55, 35, 10])[0]
                age_days = (today - opened).days
                current = entry
                level_2_on = opened if entry == 2 else None
                level_3_on = opened if entry == 3 else None
                if entry == 1 and age_days > 20 and rng.random() < 0.6:
                    current, level_2_on = 2, opened + timedelta(days=rng.randrange(5, 21))
                if current == 2 and age_days > 90 and rng.random() < 0.3:
                    current = 3
                    level_3_on = max(level_2_on, opened) + timedelta(days=rng.randrange(30, 90))
                    level_3_on = min(level_3_on, today)
                closed_on, reason = None, ""
                last_level_day = level_3_on or level_2_on or opened
                if age_days > 120 and rng.random() < 0.55:
                    closed_on = min(today, last_level_day + timedelta(days=rng.randrange(20, 300)))
                    reason = rng.choices(
                        ["projet_realise", "oriente", "arret", "sans_nouvelles"],
                        weights=[6, 2, 1, 1],
                    )[0]
                parcours_id = gen.new_id("parcours")
                referent = counsellors[rng.randrange(len(counsellors))]
                end = closed_on or today
                paths.append(
                    {
                        "id": parcours_id,
                        "operator_id": operator["id"],
                        "beneficiary_id": beneficiary_id,
                        "referent_id": referent,
                        "entry_level": entry,
                        "current_level": current,
                        "autonomy": rng.choice(["autonome", "appui", "renforce"]),
                        "project_maturity": rng.choice(["emergent", "en_construction", "mature"]),
                        "opened_on": opened,
                        "closed_on": closed_on,
                        "closing_reason": reason,
                        "last_contact_on": end,
                        "level_2_on": level_2_on,
                        "level_3_on": level_3_on,
                    }
                )
                gen.note(beneficiary_id, first, last, opened, entry, current, closed_on)
                assignments.append(
                    {
                        "id": gen.new_id("assignment"),
                        "operator_id": operator["id"],
                        "parcours_id": parcours_id,
                        "referent_id": referent,
                        "assigned_by_id": referent,
                        "assigned_at": moment(opened, rng),
                        "reason": "Ouverture du parcours",
                    }
                )
                # Services: as many as the operator's share asks, more at higher levels.
                wanted = per_parcours * (0.6, 1.2, 1.6)[current - 1]
                count = int(wanted) + (rng.random() < wanted - int(wanted))
                if n == size - 1:
                    count = operator_services - given
                count = max(0, min(count, operator_services - given))
                span = max(1, (end - opened).days)
                days = sorted(rng.randrange(span) for _ in range(count))
                for k, offset in enumerate(days):
                    day = opened + timedelta(days=offset)
                    level = (
                        3
                        if level_3_on and day >= level_3_on
                        else 2
                        if level_2_on and day >= level_2_on
                        else entry
                    )
                    services.append(
                        {
                            "id": gen.new_id("service"),
                            "operator_id": operator["id"],
                            "parcours_id": parcours_id,
                            "level": level,
                            "kind": "entretien_individuel"
                            if k == 0
                            else rng.choices(
                                [
                                    "entretien_individuel",
                                    "atelier_collectif",
                                    "information_collective",
                                    "prestation_externe",
                                ],
                                weights=[8, 2, 2, 1],
                            )[0],
                            "channel": rng.choices(
                                ["sur_site", "telephone", "visio", "ecrit"], weights=[6, 3, 2, 1]
                            )[0],
                            "delivered_on": day,
                            "duration_minutes": rng.choice([30, 45, 60, 90]),
                            "counsellor_id": referent,
                            "notes": "",
                            "created_at": moment(day, rng),
                        }
                    )
                given += count
                if entry == 1:
                    outcome = (
                        "niveau_2" if current >= 2 else ("oriente" if reason == "oriente" else "")
                    )
                    intakes.append(
                        {
                            "id": gen.new_id("intake"),
                            "operator_id": operator["id"],
                            "parcours_id": parcours_id,
                            "received_on": opened - timedelta(days=rng.randrange(15)),
                            "channel": rng.choice(["sur_site", "telephone", "visio", "ecrit"]),
                            "heard_from": rng.choice(
                                ["france_travail", "internet", "bouche_a_oreille"]
                            ),
                            "motive": rng.choice(MOTIVES),
                            "eligibility_reason": "Personne active : le CEP lui est ouvert.",
                            "received_by_id": referent,
                            "outcome": outcome,
                            "outcome_on": level_2_on
                            if outcome == "niveau_2"
                            else (closed_on if outcome else None),
                            "created_at": moment(opened, rng),
                        }
                    )
                if current >= 2 and level_2_on and rng.random() < 0.7:
                    agreed_on = min(today, level_2_on + timedelta(days=rng.randrange(10, 60)))
                    project_type, description = rng.choice(PROJECTS)
                    projects.append(
                        {
                            "id": gen.new_id("project"),
                            "operator_id": operator["id"],
                            "parcours_id": parcours_id,
                            "number": 1,
                            "status": "valide",
                            "agreed_on": agreed_on,
                            "agreement_channel": "en_presence",
                            "agreement_recorded_by_id": referent,
                            "created_by_id": referent,
                            "created_at": moment(agreed_on, rng),
                            "project_type": project_type,
                            "description": description,
                        }
                    )
                    strategy = rng.choice(["formation", "vae", "bilan", "creation"])
                    strategies.append(
                        {
                            "id": gen.new_id("strategy"),
                            "operator_id": operator["id"],
                            "parcours_id": parcours_id,
                            "kind": strategy,
                            "description": "Piste retenue avec la personne.",
                            "retained": True,
                            "retained_on": agreed_on,
                            "created_by_id": referent,
                            "created_at": moment(agreed_on, rng),
                        }
                    )
                    if current == 3 and level_3_on:
                        plan_id, version_id = gen.new_id("plan"), gen.new_id("plan_version")
                        plans.append(
                            {
                                "id": plan_id,
                                "operator_id": operator["id"],
                                "parcours_id": parcours_id,
                                "created_at": moment(level_3_on, rng),
                                "updated_at": moment(level_3_on, rng),
                            }
                        )
                        versions.append(
                            {
                                "id": version_id,
                                "operator_id": operator["id"],
                                "plan_id": plan_id,
                                "number": 1,
                                "status": "valide",
                                "agreed_on": level_3_on,
                                "agreement_channel": "en_presence",
                                "agreement_recorded_by_id": referent,
                                "created_by_id": referent,
                                "created_at": moment(level_3_on, rng),
                            }
                        )
                        step_id = gen.new_id("step")
                        item = {"operator_id": operator["id"], "version_id": version_id}
                        steps.append(
                            {
                                **item,
                                "id": step_id,
                                "key": uuid.UUID(int=rng.getrandbits(128)),
                                "order": 1,
                                "title": "Valider le projet auprès de professionnels",
                                "target_date": level_3_on + timedelta(days=60),
                            }
                        )
                        for description in (
                            "Réaliser une immersion",
                            "Constituer le dossier de financement",
                        ):
                            actions.append(
                                {
                                    **item,
                                    "id": gen.new_id("action"),
                                    "key": uuid.UUID(int=rng.getrandbits(128)),
                                    "step_id": step_id,
                                    "description": description,
                                    "actor": rng.choice(["beneficiaire", "conseiller"]),
                                    "due_date": level_3_on + timedelta(days=rng.randrange(20, 90)),
                                    "status": rng.choice(["a_faire", "en_cours", "faite"]),
                                }
                            )
                        cost_id = gen.new_id("cost")
                        amount = Decimal(rng.randrange(1500, 9000))
                        costs.append(
                            {
                                **item,
                                "id": cost_id,
                                "key": uuid.UUID(int=rng.getrandbits(128)),
                                "kind": "formation",
                                "label": "Formation certifiante",
                                "amount": amount,
                            }
                        )
                        granted = rng.random() < 0.5
                        fundings.append(
                            {
                                **item,
                                "id": gen.new_id("funding"),
                                "key": uuid.UUID(int=rng.getrandbits(128)),
                                "cost_line_id": cost_id,
                                "scheme": "cpf",
                                "amount_requested": amount,
                                "amount_granted": amount if granted else None,
                                "status": "accordee" if granted else "demandee",
                                "contacted_on": level_3_on + timedelta(days=10),
                            }
                        )
                if closed_on and rng.random() < 0.4:
                    answered = min(today, closed_on + timedelta(days=rng.randrange(1, 20)))
                    surveys.append(
                        {
                            "id": gen.new_id("survey"),
                            "operator_id": operator["id"],
                            "parcours_id": parcours_id,
                            "moment": "fin",
                            "due_on": closed_on,
                            "status": "repondue",
                            "sent_at": moment(closed_on, rng),
                            "answered_at": moment(answered, rng),
                            "satisfaction": rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 6, 5])[
                                0
                            ],
                        }
                    )
            for model, rows in (
                (Beneficiary, people),
                (Parcours, paths),
                (ReferentAssignment, assignments),
                (Service, services),
                (IntakeRequest, intakes),
                (ProjectVersion, projects),
                (StrategyOption, strategies),
                (ActionPlan, plans),
                (PlanVersion, versions),
                (Step, steps),
                (Action, actions),
                (CostLine, costs),
                (FundingRequest, fundings),
                (FollowUpSurvey, surveys),
            ):
                copier.copy(model, rows)
            if index % 10 == 0 or index == len(operators) - 1:
                say(f"  opérateur {index + 1}/{len(operators)} : {size} bénéficiaires")
        copier.reset_sequences(list(all_models.values()))
    return {"counts": copier.counts, "digest": gen.digest.hexdigest()}
