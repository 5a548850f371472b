from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views import View
from django_scopes import scope

from cep.audit import client_ip
from cep.exports import FORMATS, export_response
from cep.forms import add_service_errors
from indicateurs import dashboard, selectors, services, surveys
from indicateurs.forms import SurveyForm
from indicateurs.models import FollowUpSurvey
from indicateurs.periods import Period, PeriodForm
from indicateurs.registry import INDICATORS, THEMES


@method_decorator(login_not_required, name="dispatch")
class SurveyView(View):
    """The survey link: no account needed; the signature is the right to answer this survey."""

    def dispatch(self, request, token):
        try:
            survey_id, operator_id = surveys.read_token(token)
        except signing.SignatureExpired:
            return render(
                request,
                "indicateurs/survey_closed.html",
                {"title": "Enquête", "message": "Cette enquête est close. Merci de votre aide."},
                status=410,
            )
        except signing.BadSignature:
            raise Http404 from None
        with scope(operator=operator_id):
            self.survey = (
                FollowUpSurvey.objects.select_related("parcours__beneficiary", "operator")
                .filter(pk=survey_id)
                .first()
            )
            if self.survey is None:
                raise Http404
            return super().dispatch(request, token)

    def get(self, request, token, form=None, status=200):
        if self.survey.status == FollowUpSurvey.Status.ANSWERED:
            return self.thanks(request)
        context = {
            "title": "Votre avis",
            "form": form or SurveyForm(),
            "survey": self.survey,
            "operator": self.survey.operator,
        }
        return render(request, "indicateurs/survey.html", context, status=status)

    def post(self, request, token):
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.answer_survey(
                    survey=self.survey, ip_address=client_ip(request), **form.cleaned_data
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    return self.thanks(request)
                add_service_errors(form, error)
            else:
                return self.thanks(request)
        return self.get(request, token, form=form, status=400)

    def thanks(self, request):
        return render(
            request,
            "indicateurs/survey_closed.html",
            {"title": "Merci", "message": "Merci, votre réponse est enregistrée."},
        )


class IndicatorReaderMixin:
    """Managers of an operator (their operator) and coordinators (their region, the nation);
    for anybody else the page does not exist."""

    def dispatch(self, request, *args, **kwargs):
        self.scope = selectors.indicator_scope(request)
        if self.scope is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def period_form(self) -> PeriodForm:
        if "periode" in self.request.GET:
            return PeriodForm(self.request.GET, latest=self.scope.latest_month)
        default = Period(self.scope.latest_month, self.scope.latest_month, "mois")
        form = PeriodForm(initial=default.query(), latest=self.scope.latest_month)
        form.default_period = default
        return form

    def chosen_period(self, form: PeriodForm) -> Period | None:
        if not form.is_bound:
            return form.default_period
        return form.cleaned_data["period"] if form.is_valid() else None


class DashboardView(IndicatorReaderMixin, View):
    template_name = "indicateurs/dashboard.html"

    def get(self, request):
        form = self.period_form()
        period = self.chosen_period(form)
        context = {"title": "Indicateurs", "scope": self.scope, "form": form, "period": period}
        if connection.vendor != "postgresql":
            # The demo's SQLite fallback: the indicators are computed in PostgreSQL's SQL.
            context.update(period=None, needs_postgresql=True)
            return render(request, self.template_name, context)
        if period is None:  # a period refused: the form again, its messages next to the fields
            return render(request, self.template_name, context, status=400)
        figures = selectors.period_figures(
            self.scope, period, by_operator=self.scope.is_coordination
        )
        tables = dashboard.breakdown_tables(figures.current, self.scope)
        withheld = dashboard.withheld_of(figures, self.scope, tables)
        evolution = dashboard.evolution_tables(figures, self.scope)
        coordination = dashboard.coordination_table(figures, self.scope)
        wanted = request.GET.get("export")
        if wanted:
            return self.export(wanted, figures, withheld, tables, evolution, coordination, period)
        context.update(
            key_figures=dashboard.key_figures(figures, self.scope, withheld),
            themes=[(theme, tables[theme]) for theme in THEMES if tables[theme]],
            evolution=evolution,
            coordination=coordination,
            definitions=INDICATORS,
            threshold=dashboard.threshold(),
            period_query=urlencode(period.query()),
        )
        return render(request, self.template_name, context)

    def export(self, wanted, figures, withheld, tables, evolution, coordination, period):
        fmt = self.request.GET.get("format", "csv")
        if fmt not in FORMATS:
            raise Http404
        if wanted == "indicateurs":
            return export_response(
                dashboard.indicators_export(figures, self.scope, withheld),
                fmt=fmt,
                filename=slugify(f"indicateurs-{self.scope.label}-{period.first:%Y-%m}"),
            )
        candidates = [*evolution, *(t for theme in tables.values() for t in theme)]
        if coordination is not None:
            candidates.append(coordination)
        table = next((t for t in candidates if t.code == wanted), None)
        if table is None:
            raise Http404
        return export_response(
            table.export(), fmt=fmt, filename=dashboard.export_name(self.scope, period, table)
        )
