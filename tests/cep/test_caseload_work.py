"""Issue 21 §2: a caseload to work from. Sorting by name, level, last contact and next due
action, filters and sort kept in the URL, a next-action column, the alerts "sans activité" and
"en retard" for the counsellor, keyset pages and a fixed query count (5 and 300 rows)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accompagnement import services as plans
from cep import selectors
from cep.models import Parcours
from tests.factories import (
    BeneficiaryFactory,
    OperatorFactory,
    ParcoursFactory,
    ServiceFactory,
    make_membership,
)

pytestmark = pytest.mark.django_db


def with_agreed_action(parcours: Parcours, due_in_days: int) -> None:
    """An agreed plan whose one action falls due `due_in_days` from today."""
    plan = plans.ensure_plan(membership=parcours.referent, parcours=parcours)
    step = plans.add_item(
        membership=parcours.referent, plan=plan, item_type="step", title="Démarches", order=1
    )
    plans.add_item(
        membership=parcours.referent,
        plan=plan,
        item_type="action",
        step=step,
        description="Envoyer le dossier",
        actor="beneficiaire",
        due_date=timezone.localdate() + timedelta(days=due_in_days),
    )
    plans.record_plan_agreement(
        membership=parcours.referent,
        plan=plan,
        agreed_on=timezone.localdate(),
        channel="en_presence",
    )


class Caseload:
    """Four parcours written by hand (days relative to today):

    name                level  opened  last contact  next due action
    ARNAUD Bérénice       2     -30        -3           —
    ZOLA Émile            1    -100         —           —            (sans activité)
    MARTIN Chloé          3     -60       -10          -2            (en retard)
    ÉTIENNE Denis         3     -20        -1          +5
    """

    def __init__(self):
        today = timezone.localdate()
        self.operator = OperatorFactory()
        self.counsellor = make_membership(operator=self.operator)

        def parcours(last, first, level, opened, contact):
            return ParcoursFactory(
                operator=self.operator,
                referent=self.counsellor,
                beneficiary=BeneficiaryFactory(
                    operator=self.operator, last_name=last, first_name=first
                ),
                entry_level=level,
                current_level=level,
                opened_on=today - timedelta(days=opened),
                last_contact_on=None if contact is None else today - timedelta(days=contact),
            )

        self.arnaud = parcours("Arnaud", "Bérénice", 2, 30, 3)
        self.zola = parcours("Zola", "Émile", 1, 100, None)
        self.martin = parcours("Martin", "Chloé", 3, 60, 10)
        self.etienne = parcours("Étienne", "Denis", 3, 20, 1)
        with_agreed_action(self.martin, -2)
        with_agreed_action(self.etienne, 5)
        # Another counsellor's parcours never shows.
        ParcoursFactory(
            operator=self.operator,
            referent=make_membership(operator=self.operator),
            beneficiary=BeneficiaryFactory(operator=self.operator, last_name="Autre"),
        )


@pytest.fixture
def caseload():
    return Caseload()


NAMES = ["ARNAUD", "ZOLA", "MARTIN", "ÉTIENNE", "AUTRE"]


def order_on(page: str) -> list[str]:
    """The surnames in the order the table shows them."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    found = [(body.find(f"{name} "), name) for name in NAMES if f"{name} " in body]
    return [name for _, name in sorted(found)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["ÉTIENNE", "ARNAUD", "MARTIN", "ZOLA"]),  # newest opened first, as before
        ("nom", ["ARNAUD", "ÉTIENNE", "MARTIN", "ZOLA"]),  # accents do not count
        ("-nom", ["ZOLA", "MARTIN", "ÉTIENNE", "ARNAUD"]),
        ("niveau", ["ZOLA", "ARNAUD", "MARTIN", "ÉTIENNE"]),  # level 3 tie: in creation order
        ("-niveau", ["ÉTIENNE", "MARTIN", "ARNAUD", "ZOLA"]),
        ("-contact", ["ÉTIENNE", "ARNAUD", "MARTIN", "ZOLA"]),  # never contacted: last
        ("contact", ["MARTIN", "ARNAUD", "ÉTIENNE", "ZOLA"]),  # never contacted: last
        ("echeance", ["MARTIN", "ÉTIENNE", "ARNAUD", "ZOLA"]),  # nothing due: last
        ("-echeance", ["ÉTIENNE", "MARTIN", "ZOLA", "ARNAUD"]),
        ("n'importe", ["ÉTIENNE", "ARNAUD", "MARTIN", "ZOLA"]),  # unknown sort: the default
    ],
)
def test_the_caseload_sorts_by_each_column(caseload, login_as, sort, expected):
    client = login_as(caseload.counsellor)
    page = client.get(reverse("caseload"), {"tri": sort} if sort else {}).content.decode()
    assert order_on(page) == expected


def test_next_action_column_and_alerts_for_the_counsellor(caseload, login_as):
    client = login_as(caseload.counsellor)
    page = client.get(reverse("caseload")).content.decode()
    assert "Prochaine action" in page
    day = (timezone.localdate() - timedelta(days=2)).strftime("%d/%m/%Y")
    assert f"Envoyer le dossier — échéance du {day}" in page
    assert "Premier entretien à fixer" in page  # Zola: never seen
    rows = {name: row for row in page.split("<tr>")[2:] for name in NAMES if f"{name} " in row}
    assert "En retard" in rows["MARTIN"] and "Sans activité" not in rows["MARTIN"]
    assert "Sans activité" in rows["ZOLA"] and "En retard" not in rows["ZOLA"]
    assert "En retard" not in rows["ÉTIENNE"] and "Sans activité" not in rows["ARNAUD"]
    late = client.get(reverse("caseload"), {"alerte": "en-retard"}).content.decode()
    assert order_on(late) == ["MARTIN"]
    stale = client.get(reverse("caseload"), {"alerte": "sans-activite"}).content.decode()
    assert order_on(stale) == ["ZOLA"]
    # The "À traiter" block counts them and links to those lists.
    assert 'href="/beneficiaires/?alerte=sans-activite">Parcours sans activité : 1<' in page
    assert 'href="/beneficiaires/?alerte=en-retard">Parcours en retard : 1<' in page


def test_sort_and_filters_stay_in_the_url(caseload, login_as):
    client = login_as(caseload.counsellor)
    page = client.get(reverse("caseload"), {"niveau": 3, "tri": "nom", "q": "i"}).content.decode()
    assert order_on(page) == ["ÉTIENNE", "MARTIN"]
    # The current column is marked and its link reverses it, with the filters kept.
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a href="\?q=i&amp;etat=open&amp;'
        r'niveau=3&amp;tri=-nom"',
        page,
    )
    # Another column's link keeps the filters too.
    assert 'href="?q=i&amp;etat=open&amp;niveau=3&amp;tri=echeance"' in page
    # The filter form carries the sort.
    assert '<input type="hidden" name="tri" value="nom">' in page
    reversed_page = client.get(reverse("caseload"), {"niveau": 3, "tri": "-nom", "q": "i"})
    assert order_on(reversed_page.content.decode()) == ["MARTIN", "ÉTIENNE"]
    assert 'aria-sort="descending"' in reversed_page.content.decode()


def test_keyset_pages_follow_the_sort(caseload):
    today = timezone.localdate()
    seen = []
    cursor = None
    for _ in range(3):
        page = selectors.caseload(
            membership=caseload.counsellor,
            today=today,
            sort="echeance",
            after=cursor,
            page_size=3,
        )
        seen += [p.pk for p in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    expected = [caseload.martin, caseload.etienne, caseload.arnaud, caseload.zola]
    assert seen == [p.pk for p in expected]
    # A cursor that does not fit the sort (edited by hand) restarts at the first page.
    page = selectors.caseload(
        membership=caseload.counsellor,
        today=today,
        sort="niveau",
        after=selectors.CaseloadCursor.decode("pas-un-niveau_12"),
    )
    assert len(page.rows) == 4


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("sort", ["nom", "-contact", "echeance", "niveau"])
def test_caseload_query_count_is_fixed_at_5_and_300_rows(login_as, sort):
    operator = OperatorFactory()
    counsellor = make_membership(operator=operator)
    client = login_as(counsellor)

    def add(n):
        for _ in range(n):
            ServiceFactory(parcours=ParcoursFactory(operator=operator, referent=counsellor))

    add(5)
    url = f"{reverse('caseload')}?tri={sort}&alerte="
    with_five = count_queries(client, url)
    add(295)
    assert count_queries(client, url) == with_five
    # Walk every page through its "Page suivante" link: 300 rows, each once.
    seen, pages = [], 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert len(queries) == with_five
        pages += 1
        seen += re.findall(r'<td><a href="/beneficiaires/(\d+)/">', page)
        found = re.search(r'href="(\?[^"]*apres=[^"]*)">Page suivante', page)
        url = reverse("caseload") + found.group(1).replace("&amp;", "&") if found else None
    assert pages == 6 and len(seen) == 300 and len(set(seen)) == 300
