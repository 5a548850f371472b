"""Cross-tenant walk: every URL and API route, as every role of operator A (and the coordinator
of its region), against operator B.

The URL list comes from walking the resolver, so a route added later is walked without editing
this file. Path parameters are filled with the ids of operator B's objects; such a URL must answer
404 to A's staff. Every answer, whatever its status, must not contain any of B's identifying
strings. Each URL is also requested with B's ids in the query string, where list filters read them.
"""

import importlib
import pkgutil
import re
from dataclasses import dataclass
from datetime import timedelta

import factory
import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scope

import tests
from cep import services
from cep.continuity import services as continuity_services
from cep.continuity.models import Transfer
from cep.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY
from cep.models import Beneficiary, Membership, Operator, Parcours, Service
from tests.cep.test_scope_guard import project_apps
from tests.factories import (
    BeneficiaryAccountFactory,
    CoordinatorFactory,
    OperatorFactory,
    make_membership,
)
from tests.second_factor import verify_second_factor

pytestmark = pytest.mark.django_db

PROJECT_APPS = project_apps()
METHODS = ("get", "post", "patch", "delete")
ROLES = [Membership.Role.CONSEILLER, Membership.Role.MANAGER, Membership.Role.ADMIN]
BENEFICIARY = "beneficiary"  # a person logged in to their own space
COORDINATOR = "coordinator"  # the regional coordinator of operator A's region: indicators only

# Parameters that name no object; anything else must be an object of B (or the test fails).
LITERAL_PARAMS = {
    "format": "json",
    "uidb64": "MQ",
    "token": "cf1-0123456789abcdef",
    "app_label": "cep",
    "url": "cep/",
    "content_type_id": "1",
    # Admin paths of models outside the project (users, groups) and the r/ shortcut.
    "object_id": "1",
    "object_pk": "1",
    "user_id": "1",
    "group_id": "1",
    "id": "1",
}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    template: str  # the concatenated pattern text, e.g. "beneficiaires/<int:beneficiary_pk>/"
    pattern: URLPattern

    @property
    def params(self) -> list[str]:
        return [m.group("name") or m.group("rname") for m in PARAM.finditer(self.template)]


def walk(patterns, prefix: str = ""):
    for entry in patterns:
        text = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield Route(template=prefix + text, pattern=entry)


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def view_model(route: Route):
    """The model a bare `pk` refers to: a DRF view's serializer model, or a Django view's model."""
    func = route.pattern.callback
    view_class = getattr(func, "cls", None) or getattr(func, "view_class", None)
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(view_class, "serializer_class", None)
    if serializer is not None and hasattr(serializer, "Meta"):
        return serializer.Meta.model
    return getattr(view_class, "model", None)


def model_named(name: str):
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS and model._meta.model_name == name:
            return model
    return None


def object_model(route: Route, param: str):
    if param == "pk":
        return view_model(route)
    if param in ("object_id", "object_pk"):  # admin: .../<app_label>/<model_name>/<object_id>/
        match = re.search(r"(\w+)/(\w+)/<(?:path:)?object_(?:id|pk)>", route.template)
        if match and match.group(1) in PROJECT_APPS:
            model = apps.get_model(match.group(1), match.group(2))
            # Shared referentials and parameters belong to no operator: nothing of B's there.
            return model if is_tenant_model(model) else None
        return None
    if param.endswith("_pk"):
        return model_named(param.removesuffix("_pk").replace("_", ""))
    return None


def concrete_url(route: Route, b_objects: dict, missing: bool = False) -> tuple[str, bool]:
    """The route's URL with B's ids (or ids that exist nowhere, when `missing`); the flag says
    whether it names an object."""
    names_an_object = False

    def fill(match):
        nonlocal names_an_object
        name = match.group("name") or match.group("rname")
        model = object_model(route, name)
        if model is not None:
            assert model in b_objects, f"{route.template}: no object of {model} for operator B"
            names_an_object = True
            return "999999999" if missing else str(b_objects[model].pk)
        if name == "pk" and route.template.startswith("admin/"):
            # An admin view of a model outside the project (django-otp's device setup): the
            # admin answers 404 to everyone but platform staff anyway, and the walk checks it.
            return "1"
        assert name in LITERAL_PARAMS, (
            f"{route.template}: unknown path parameter {name!r}. Name object parameters "
            "<model>_pk (or pk on a view with a model), or add a literal filler here."
        )
        return LITERAL_PARAMS[name]

    url = PARAM.sub(fill, route.template)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + url.lstrip("/"), names_an_object


def factories_by_model() -> dict:
    """Every model factory of the test suite: tests/factories.py and tests/<app>/factories.py."""
    modules = [importlib.import_module("tests.factories")]
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                modules.append(importlib.import_module(f"tests.{info.name}.factories"))
            except ModuleNotFoundError:
                continue
    found = {}
    for module in modules:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, factory.django.DjangoModelFactory)
                and not value._meta.abstract
                and value._meta.model is not None
            ):
                found.setdefault(value._meta.model, value)
    return found


def is_tenant_model(model) -> bool:
    return model._meta.app_label in PROJECT_APPS and any(
        field.name == "operator" for field in model._meta.fields
    )


def build_in_operator(b_objects: dict, operator) -> None:
    """One object of every tenant model in `operator`, hung on the objects already built.

    A new tenant model only needs a factory (declaring `operator`) to be walked.
    """
    factories = factories_by_model()
    pending = [
        model for model in apps.get_models() if is_tenant_model(model) and model not in b_objects
    ]
    while pending:
        progressed = False
        for model in list(pending):
            # Tenant parents come first; shared referentials (ROME) come from the factories.
            required = [
                f
                for f in model._meta.fields
                if f.is_relation and not f.null and is_tenant_model(f.related_model)
            ]
            if any(f.related_model not in b_objects for f in required if f.name != "operator"):
                continue
            factory_class = factories.get(model)
            assert factory_class is not None, f"no factory for {model}: add one to tests/"
            declared = factory_class._meta.declarations
            kwargs = {"operator": operator}
            for field in model._meta.fields:
                # Another operator named by the row (a transfer's target, a liaison file's
                # origin) is not the one being filled: the factory makes its own.
                other_operator = field.related_model is Operator and field.name != "operator"
                if (
                    field.is_relation
                    and field.related_model in b_objects
                    and field.name in declared
                    and not other_operator
                ):
                    kwargs[field.name] = b_objects[field.related_model]
            kwargs["operator"] = operator
            b_objects[model] = factory_class(**kwargs)
            pending.remove(model)
            progressed = True
        assert progressed, f"cannot order the creation of {pending}"


@pytest.fixture
def world():
    """Operator A with staff in every role and its own file; operator B with one of everything."""
    operator_a = OperatorFactory(name="Opérateur Alpha")
    # Operators are public bodies and the platform's directory of them is shared on purpose (a
    # routing or transfer names its target): B's name is not among the secrets below.
    operator_b = OperatorFactory(name="Opérateur Bêta", regional=True)
    staff_a = {role: make_membership(operator=operator_a, role=role) for role in ROLES}
    staff_b = make_membership(operator=operator_b)
    identity = {
        "sex": "F",
        "birth_date": timezone.localdate() - timedelta(days=40 * 365),
        "departement": "35",
        "employment_status": "salarie_cdi",
        "opened_on": timezone.localdate() - timedelta(days=30),
    }
    with scope(operator=operator_a.pk):
        alphonsine = services.create_beneficiary(
            membership=staff_a[Membership.Role.CONSEILLER],
            first_name="Alphonsine",
            last_name="Alphaville",
            **identity,
        )
    # The "beneficiary" role: Alphonsine in her own space.
    account_a = BeneficiaryAccountFactory(beneficiary=alphonsine)
    with scope(operator=operator_b.pk):
        beneficiary = services.create_beneficiary(
            membership=staff_b,
            first_name="Zéphyrine",
            last_name="Bétanoir",
            email="zephyrine.betanoir@exemple.invalid",
            phone="06 98 76 54 32",
            **identity,
        )
        parcours = Parcours.objects.get(beneficiary=beneficiary)
        service = services.record_service(
            membership=staff_b,
            parcours=parcours,
            kind=Service.Kind.INDIVIDUAL_INTERVIEW,
            channel=Service.Channel.PHONE,
            delivered_on=timezone.localdate(),
            duration_minutes=45,
            notes="Note confidentielle Bétanoir",
        )
    # A transfer from B to a third operator, waiting for its decision: C's manager may read it,
    # nobody of A may.
    operator_c = OperatorFactory(name="Opérateur Gamma")
    make_membership(operator=operator_c, role=Membership.Role.MANAGER)
    with scope(operator=operator_b.pk):
        pending_transfer = continuity_services.propose_transfer(
            membership=staff_b,
            parcours=parcours,
            target_operator=operator_c,
            reason="Déménagement de Zéphyrine Bétanoir",
            categories=["identite", "situation", "projet", "plan", "financement", "syntheses"],
            consent_evidence="Accord oral en entretien",
        )
    assert pending_transfer.status == Transfer.Status.PENDING
    b_objects = {
        Operator: operator_b,
        Membership: staff_b,
        Beneficiary: beneficiary,
        Parcours: parcours,
        Service: service,
        Transfer: pending_transfer,
    }
    build_in_operator(b_objects, operator_b)
    secrets = [
        "Zéphyrine",
        "Bétanoir",
        "zephyrine.betanoir",
        "06 98 76 54 32",
        "Note confidentielle",
    ]
    # A neighbour: another person of operator A, with one of everything. Alphonsine must not
    # reach any of it from her space, whatever the URL.
    with scope(operator=operator_a.pk):
        neighbour = services.create_beneficiary(
            membership=staff_a[Membership.Role.CONSEILLER],
            first_name="Népomucène",
            last_name="Voisinet",
            **identity,
        )
        neighbour_parcours = Parcours.objects.get(beneficiary=neighbour)
    neighbour_objects = {
        Operator: operator_a,
        Membership: staff_a[Membership.Role.CONSEILLER],
        Beneficiary: neighbour,
        Parcours: neighbour_parcours,
    }
    build_in_operator(neighbour_objects, operator_a)
    return {
        "staff_a": staff_a,
        "account_a": account_a,
        BENEFICIARY: account_a,
        COORDINATOR: CoordinatorFactory(region=operator_a.region),
        "b_objects": b_objects,
        "secrets": secrets,
        "neighbour_objects": neighbour_objects,
        "neighbour_secrets": ["Népomucène", "Voisinet"],
    }


def leaked(response, secrets) -> list[str]:
    # Case-insensitive: pages print surnames in capitals.
    body = response.content.decode(errors="replace").lower()
    return [secret for secret in secrets if secret.lower() in body]


class Identities:
    """One test client per identity, logged in once; logged in again only when a request
    (logout, a switch of membership) changed its session."""

    def __init__(self, world):
        self.world = world
        self.clients: dict = {}

    def _fresh(self, role) -> Client:
        client = Client()
        if role in (BENEFICIARY, COORDINATOR):
            client.force_login(self.world[role].user)
        elif role is not None:
            membership = self.world["staff_a"][role]
            client.force_login(membership.user)
            session = client.session
            session[ACTIVE_MEMBERSHIP_SESSION_KEY] = membership.pk
            verify_second_factor(session, membership.user)
            session.save()
        return client

    def client(self, role) -> Client:
        client = self.clients.get(role)
        if client is None or (role is not None and not self._intact(client, role)):
            client = self.clients[role] = self._fresh(role)
        return client

    def _intact(self, client, role) -> bool:
        session = client.session
        if role in (BENEFICIARY, COORDINATOR):
            return str(self.world[role].user.pk) == session.get("_auth_user_id")
        membership = self.world["staff_a"][role]
        return (
            str(membership.user.pk) == session.get("_auth_user_id")
            and session.get(ACTIVE_MEMBERSHIP_SESSION_KEY) == membership.pk
        )


def test_every_url_hides_operator_b_from_operator_a(world):
    routes = all_routes()
    assert len(routes) > 40, "the resolver walk found too few routes"
    b_objects, secrets = world["b_objects"], world["secrets"]
    assert len(b_objects) >= 9, "operator B should own one object of every tenant model"
    query = "&".join(
        f"{model._meta.model_name}={obj.pk}"
        for model, obj in b_objects.items()
        if model._meta.app_label in PROJECT_APPS
    )
    identities = [*ROLES, BENEFICIARY, COORDINATOR, None]  # None: anonymous
    clients = Identities(world)
    walked, failures = 0, []
    for route in routes:
        url, names_an_object = concrete_url(route, b_objects)
        nowhere_url, _ = concrete_url(route, b_objects, missing=True)
        for role in identities:
            for method in METHODS:
                # B's ids in the query string matter to list filters, which GET reads.
                targets = (url, f"{url}?{query}") if method == "get" else (url,)
                for target in targets:
                    client = clients.client(role)
                    response = getattr(client, method)(target)
                    walked += 1
                    who = role or "anonymous"
                    if leak := leaked(response, secrets):
                        failures.append(f"{method.upper()} {target} as {who}: shows {leak}")
                    status = response.status_code
                    if status == 405:
                        # A method the route refuses whatever the id says nothing about B: the
                        # same request on an id that exists nowhere must be refused alike.
                        client = clients.client(role)
                        if getattr(client, method)(nowhere_url).status_code == 405:
                            continue
                    if names_an_object and role is not None and status != 404:
                        failures.append(
                            f"{method.upper()} {target} as {who}: {response.status_code}, not 404"
                        )
                    if role is None and names_an_object:
                        login = response.status_code == 302 and "/connexion/" in response.url
                        if not (login or response.status_code in (401, 403, 404)):
                            failures.append(
                                f"{method.upper()} {target} anonymous: {response.status_code}"
                            )
    assert not failures, "\n".join(failures)
    assert walked >= len(routes) * (len(METHODS) + 1) * len(identities)


def test_a_beneficiary_reaches_nothing_of_a_neighbour_in_the_same_operator(client, world):
    """Every URL, with the ids of another person of the same operator, as a beneficiary: 404
    wherever an object is named, and the neighbour's name nowhere."""
    neighbour_objects, secrets = world["neighbour_objects"], world["neighbour_secrets"]
    client.force_login(world["account_a"].user)
    failures, walked = [], 0
    for route in all_routes():
        url, names_an_object = concrete_url(route, neighbour_objects)
        for method in METHODS:
            response = getattr(client, method)(url)
            walked += 1
            if leak := leaked(response, secrets):
                failures.append(f"{method.upper()} {url}: shows {leak}")
            if names_an_object and response.status_code not in (404, 405):
                failures.append(f"{method.upper()} {url}: {response.status_code}, not 404")
    assert not failures, "\n".join(failures)
    assert walked >= len(all_routes()) * len(METHODS)


def test_a_beneficiary_reaches_their_own_space(client, world):
    """Counter-check: the same client opens its own space, which names the person."""
    client.force_login(world["account_a"].user)
    response = client.get("/mon-espace/")
    assert response.status_code == 200
    assert "Alphonsine" in response.content.decode()
    assert client.get("/beneficiaires/").status_code == 404


def test_the_walk_reaches_real_pages(client, login_as, world):
    """The walk can fail: A's own file is on A's caseload, and B's id is there in the URL list."""
    client = login_as(world["staff_a"][Membership.Role.CONSEILLER])
    assert "alphaville" in client.get("/beneficiaires/?etat=all").content.decode().lower()
    templates = {route.template for route in all_routes()}
    assert "beneficiaires/<int:beneficiary_pk>/" in templates
    assert any(t.startswith("api/v1/^beneficiaries/(?P<pk>") for t in templates)


def test_operator_b_sees_its_own_file(client, login_as, world):
    """Counter-check of the walk: the same URL with B's own staff answers 200."""
    beneficiary, staff_b = world["b_objects"][Beneficiary], world["b_objects"][Membership]
    response = login_as(staff_b).get(f"/beneficiaires/{beneficiary.pk}/")
    assert response.status_code == 200
    assert "Zéphyrine" in response.content.decode()


def test_every_staff_page_leaves_one_audit_event(world):
    """Audit coverage, by the same resolver walk: every page a staff member opens writes exactly
    one audit event in the operator's trail, whether the view writes its own (a download, a
    reading of the access log) or the middleware its generic READ: of the record the URL names,
    or of the page itself (a list shows people as much as a file does)."""
    from cep.models import AuditEvent

    own = world["neighbour_objects"]
    operator = own[Operator]
    manager = world["staff_a"][Membership.Role.MANAGER]
    client = Client()
    client.force_login(manager.user)
    session = client.session
    session[ACTIVE_MEMBERSHIP_SESSION_KEY] = manager.pk
    verify_second_factor(session, manager.user)
    session.save()
    checked, failures = [], []
    lists = 0
    for route in all_routes():
        url, names_an_object = concrete_url(route, own)
        before = AuditEvent.objects.filter(operator=operator).count()
        response = client.get(url)
        if response.status_code != 200:  # a form's POST, or a page of another kind of user
            continue
        written = AuditEvent.objects.filter(operator=operator).count() - before
        checked.append(url)
        lists += not names_an_object
        if written != 1:
            failures.append(f"GET {url}: {written} audit events")
    assert len(checked) >= 40 and lists >= 15, checked
    assert not failures, "\n".join(failures)
    # The caseload, for one, is in the trail as the page it is.
    client.get("/beneficiaires/?q=Dupont")
    event = AuditEvent.objects.filter(operator=operator).latest("chain_index")
    assert (event.object_type, event.object_id) == ("page", "caseload")
    assert event.details == {"page": "/beneficiaires/?q=Dupont"}
