from django.shortcuts import redirect
from django.views.generic import TemplateView

from cep.mixins import OperatorPermissionRequiredMixin
from cep.search import selectors


class SearchView(OperatorPermissionRequiredMixin, TemplateView):
    """The header search's results, grouped. From the header (`premier=1`, set by its script),
    Enter opens the first result; without the script, or when nothing is found, this page."""

    template_name = "search/results.html"

    def get(self, request, *args, **kwargs):
        results = selectors.search(membership=request.membership, text=request.GET.get("q", ""))
        if request.GET.get("premier") == "1" and results.first is not None:
            return redirect(results.first.url)
        return self.render_to_response(
            self.get_context_data(title="Recherche", results=results, query=results.query.text)
        )
