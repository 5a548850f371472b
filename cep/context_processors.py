from types import SimpleNamespace

from django.conf import settings

from cep import accessibility

# django-dsfr reads SITE_CONFIG from a database row on every request; a constant object says
# the same without a query.
SITE_CONFIG = SimpleNamespace(
    site_title=settings.PLATFORM_NAME,
    site_tagline=settings.PLATFORM_TAGLINE,
    header_brand_html="République<br>Française",
    footer_brand_html="République<br>Française",
    footer_brand="République française",
    footer_description=(
        "Le conseil en évolution professionnelle est gratuit et ouvert à tous les actifs "
        "(article L. 6111-6 du Code du travail)."
    ),
    beta_tag=True,
    mourning=False,
    notice_title="",
    notice_description="",
    operator_logo_file=None,
    operator_logo_alt="",
    accessibility_status=accessibility.STATUS,
)


def platform(request):
    return {"SITE_CONFIG": SITE_CONFIG}
