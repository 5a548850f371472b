"""The options of the ROME job combobox (cep.referentials.forms), as an htmx fragment."""

from django.shortcuts import render
from django.views import View

from cep.mixins import OperatorPermissionRequiredMixin
from cep.referentials import rome

OPTIONS = 10


class RomeJobOptionsView(OperatorPermissionRequiredMixin, View):
    def get(self, request):
        # The combobox sends its own value under its field's name, whichever it is.
        text = next((value for value in request.GET.values() if value.strip()), "")[:100]
        seen: set[str] = set()
        options = []
        for row in rome.search_jobs(text, limit=30):
            option = f"{row['label']} ({row['job_code']})"
            if option not in seen:
                seen.add(option)
                options.append(option)
        return render(request, "referentials/rome_job_options.html", {"options": options[:OPTIONS]})
