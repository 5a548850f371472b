"""The French formatting filters (cep.formatting, cep.templatetags.cep_format), with hand-written
cases, and the places of issue 21 that use them."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django_scopes import scopes_disabled

from cep import formatting
from cep.models import Membership, ReferentAssignment
from tests.factories import (
    MembershipFactory,
    ParcoursFactory,
    ReferentAssignmentFactory,
)

NNBSP = "\u202f"
NBSP = "\u00a0"
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("6500"), f"6{NNBSP}500,00{NBSP}€"),
        (Decimal("6500.5"), f"6{NNBSP}500,50{NBSP}€"),
        (Decimal("0"), f"0,00{NBSP}€"),
        (Decimal("12.345"), f"12,35{NBSP}€"),  # half up to the cent
        (Decimal("999.99"), f"999,99{NBSP}€"),
        (Decimal("1234567.8"), f"1{NNBSP}234{NNBSP}567,80{NBSP}€"),
        (Decimal("-250"), f"-250,00{NBSP}€"),
        (1500, f"1{NNBSP}500,00{NBSP}€"),
        ("6500.00", f"6{NNBSP}500,00{NBSP}€"),
        (None, "—"),
        ("", "—"),
        ("abc", "—"),
    ],
)
def test_amounts(amount, shown):
    assert formatting.euros(amount) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (date(2026, 3, 12), "12/03/2026"),
        (date(2027, 1, 1), "01/01/2027"),
        # 23:30 in UTC on 31 December is already 1 January in Paris.
        (datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), "01/01/2027"),
        (datetime(2026, 6, 5, 8, 0, tzinfo=PARIS), "05/06/2026"),
        (None, "—"),
    ],
)
def test_dates(value, shown):
    assert formatting.date_fr(value) == shown


@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (0, f"0{NBSP}min"),
        (45, f"45{NBSP}min"),
        (60, f"1{NBSP}h"),
        (90, f"1{NBSP}h{NBSP}30"),
        (125, f"2{NBSP}h{NBSP}05"),
        (600, f"10{NBSP}h"),
        (None, "—"),
    ],
)
def test_durations(minutes, shown):
    assert formatting.duration(minutes) == shown


@pytest.mark.parametrize(
    ("text", "sex", "shown"),
    [
        ("Salarié du privé en CDI", "F", "Salariée du privé en CDI"),
        ("Salarié du privé en CDI", "M", "Salarié du privé en CDI"),
        ("Salarié du privé en CDI", "", "Salarié·e du privé en CDI"),
        ("Salarié du privé en CDI", None, "Salarié·e du privé en CDI"),
        (
            "Demandeur d'emploi inscrit — catégorie A",
            "F",
            "Demandeuse d'emploi inscrite — catégorie A",
        ),
        (
            "Demandeur d'emploi inscrit — catégorie A",
            "",
            "Demandeur·se d'emploi inscrit·e — catégorie A",
        ),
        (
            "Travailleur indépendant, chef d'entreprise",
            "F",
            "Travailleuse indépendante, chef d'entreprise",
        ),
        ("Retraité en cumul emploi-retraite", "F", "Retraitée en cumul emploi-retraite"),
        ("Étudiant sans activité professionnelle", "F", "Étudiante sans activité professionnelle"),
        ("Agent public contractuel", "F", "Agente publique contractuelle"),
        ("Agent public titulaire", "", "Agent·e public·que titulaire"),
        # Words already feminine or inclusive are left alone; part of a longer word too.
        ("Salariée", "F", "Salariée"),
        ("Salarié·e", "", "Salarié·e"),
        ("Élève (scolarité en cours)", "F", "Élève (scolarité en cours)"),
        ("", "F", ""),
    ],
)
def test_words_agree_with_the_person(text, sex, shown):
    assert formatting.agree(text, sex) == shown


def test_the_template_filters():
    template = Template(
        "{% load cep_format %}{{ amount|euros }} | {{ day|date_fr }} | {{ minutes|duree }} | "
        "{{ label|accord:sex }}"
    )
    rendered = template.render(
        Context(
            {
                "amount": Decimal("6500"),
                "day": date(2026, 3, 12),
                "minutes": 90,
                "label": "Salarié intérimaire",
                "sex": "F",
            }
        )
    )
    assert (
        rendered == f"6{NNBSP}500,00{NBSP}€ | 12/03/2026 | 1{NBSP}h{NBSP}30 | Salariée intérimaire"
    )


@pytest.mark.django_db
def test_successive_referents_list_each_change_once_with_its_dates(login_as):
    parcours = ParcoursFactory()
    claire = parcours.referent
    paul = MembershipFactory(operator=parcours.operator)
    with scopes_disabled():
        claire.user.first_name, claire.user.last_name = "Claire", "Martin"
        claire.user.save()
        paul.user.first_name, paul.user.last_name = "Paul", "Durand"
        paul.user.save()
        first = ReferentAssignmentFactory(parcours=parcours, referent=claire)
        again = ReferentAssignmentFactory(parcours=parcours, referent=claire)
        second = ReferentAssignmentFactory(parcours=parcours, referent=paul)
        start = datetime(2026, 2, 2, 10, tzinfo=PARIS)
        for assignment, days in ((first, 0), (again, 10), (second, 40)):
            ReferentAssignment.objects.filter(pk=assignment.pk).update(
                assigned_at=start + timedelta(days=days)
            )
    page = login_as(paul).get(f"/beneficiaires/{parcours.beneficiary_id}/").content.decode()
    assert (
        "Référents successifs :\n                Claire Martin (du 02/02/2026 au 14/03/2026), "
        "Paul Durand (depuis le 14/03/2026)</p>"
    ) in page
    assert page.count("Claire Martin (") == 1


@pytest.mark.django_db
def test_one_referent_designated_twice_is_no_succession(login_as):
    parcours = ParcoursFactory()
    with scopes_disabled():
        ReferentAssignmentFactory(parcours=parcours)
        ReferentAssignmentFactory(parcours=parcours)
    page = (
        login_as(parcours.referent)
        .get(f"/beneficiaires/{parcours.beneficiary_id}/")
        .content.decode()
    )
    assert "Référents successifs" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sex", "shown"),
    [("F", "Salariée du privé en CDI"), ("M", "Salarié du privé en CDI")],
)
def test_the_file_page_agrees_the_situation_with_the_person(login_as, sex, shown):
    parcours = ParcoursFactory(beneficiary__sex=sex, beneficiary__employment_status="salarie_cdi")
    page = (
        login_as(parcours.referent)
        .get(f"/beneficiaires/{parcours.beneficiary_id}/")
        .content.decode()
    )
    assert f'<dd class="fr-ml-0 fr-mb-1w">{shown}</dd>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "linked"),
    [
        (Membership.Role.CONSEILLER, False),
        (Membership.Role.MANAGER, False),
        (Membership.Role.ADMIN, True),
    ],
)
def test_the_api_documentation_is_linked_for_admins_only(login_as, role, linked):
    membership = MembershipFactory(role=role)
    page = login_as(membership).get("/beneficiaires/", follow=True).content.decode()
    assert ("Documentation de l'API" in page) is linked
    assert ('href="/api/docs/"' in page) is linked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sex", "shown", "absent"),
    [
        ("F", "Salariée du privé en CDD", "Salarié du privé"),
        ("M", "Salarié du privé en CDD", "Salariée"),
    ],
)
def test_the_synthesis_pdf_agrees_the_situation_and_gives_durations(
    django_capture_on_commit_callbacks, sex, shown, absent
):
    from cep.models import Beneficiary, Service
    from synthese import services as synthese_services
    from tests.synthese.conftest import pdf_text
    from tests.synthese.factories import agreed_parcours

    parcours = agreed_parcours()
    with scopes_disabled():
        Beneficiary.objects.filter(pk=parcours.beneficiary_id).update(
            sex=sex, employment_status="salarie_cdd"
        )
        Service.objects.filter(parcours=parcours).update(duration_minutes=90)
    with django_capture_on_commit_callbacks(execute=True):
        document = synthese_services.request_synthesis(
            membership=parcours.referent, parcours=parcours
        )
    document.refresh_from_db()
    text = pdf_text(document.file.path)
    assert shown in text
    assert absent not in text
    assert "1 h 30" in text  # pdftotext reads the no-break spaces as spaces
    assert "90 min" not in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sex", "shown"),
    [
        ("F", "Demandeuse d'emploi inscrite — catégorie A"),
        ("M", "Demandeur d'emploi inscrit — catégorie A"),
    ],
)
def test_the_request_page_agrees_the_situation_with_the_person(login_as, sex, shown):
    from django.utils.html import escape

    from tests.accueil.factories import IntakeRequestFactory

    intake = IntakeRequestFactory(
        parcours__beneficiary__sex=sex, parcours__beneficiary__employment_status="de_a"
    )
    page = login_as(intake.parcours.referent).get(f"/accueil/demandes/{intake.pk}/")
    assert page.status_code == 200
    assert f'<dd class="fr-ml-0 fr-mb-1w">{escape(shown)}</dd>' in page.content.decode()
