"""A query on a tenant model made outside an operator scope raises instead of reading every row."""

import pytest
from django.apps import apps
from django.conf import settings
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError

from cep.models import Beneficiary, Operator, Service
from tests.factories import BeneficiaryFactory, OperatorFactory, ParcoursFactory, ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.scoped]


def project_apps() -> set[str]:
    """The labels of the product's apps: those whose code lives in this repository."""
    root = str(settings.BASE_DIR)
    return {config.label for config in apps.get_app_configs() if config.path.startswith(root)}


PROJECT_APPS = project_apps()


def tenant_models():
    """Every project model with an operator column is a tenant model."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and any(field.name == "operator" for field in model._meta.fields)
    ]


def test_every_tenant_model_is_scoped():
    assert tenant_models(), "no tenant model found: the discovery itself is broken"
    for model in tenant_models():
        with pytest.raises(ScopeError):
            list(model.objects.all())
        with pytest.raises(ScopeError):
            model.objects.filter(pk=1).exists()
        with pytest.raises(ScopeError):
            model.objects.count()


def test_a_scope_shows_only_its_operator_rows():
    with scopes_disabled():
        mine, theirs = OperatorFactory(), OperatorFactory()
        kept = BeneficiaryFactory(operator=mine)
        BeneficiaryFactory(operator=theirs)
        ServiceFactory(parcours=ParcoursFactory(beneficiary=BeneficiaryFactory(operator=theirs)))
    with scope(operator=mine.pk):
        assert list(Beneficiary.objects.all()) == [kept]
        assert Service.objects.count() == 0
        # The operator itself is not tenant data: it is the tenant.
        assert Operator.objects.count() == 2
