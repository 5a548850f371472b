"""The one way a person names a ROME job in a form: its title, as they would say it.

An accessible combobox: a DSFR search input tied to a ``<datalist>`` (the browser's own combobox,
announced as such by screen readers and driven from the keyboard) whose options htmx refreshes
as the person types. Without JavaScript it stays a plain search: the text typed is looked up on
submit ("comptable" finds the fiche Comptable), and a name that fits several fiches is answered
with the choices, next to the field. A code still works, but nothing asks for one.
"""

from django import forms
from django.urls import reverse

from cep.referentials import rome
from cep.referentials.models import RomeJob

JOB_HINT = "L'intitulé du métier, par exemple « comptable » ; choisissez dans la liste proposée."
UNKNOWN_JOB = "Aucun métier du ROME ne correspond à « {text} » : essayez un autre intitulé."
SEVERAL_JOBS = "« {text} » peut désigner plusieurs métiers : {choices}. Précisez lequel."


def job_option(job: RomeJob) -> str:
    """How a picked job reads in the field, and is read back (the code closes the text)."""
    return f"{job.label} ({job.code})"


class RomeJobInput(forms.TextInput):
    input_type = "search"
    template_name = "referentials/rome_job_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        element_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"].update(
            {
                "autocomplete": "off",
                "list": f"{element_id}-options",
                "hx-get": reverse("rome_job_options"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": f"#{element_id}-options",
                "hx-sync": "this:replace",
            }
        )
        widget["options"] = []
        return context


class RomeJobField(forms.CharField):
    """A job typed by its title; cleans to a RomeJob (None when left empty and optional)."""

    widget = RomeJobInput
    choices_found: list[RomeJob] = []

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", JOB_HINT)
        kwargs.setdefault("max_length", 300)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return job_option(value) if isinstance(value, RomeJob) else value

    def clean(self, value):
        text = super().clean(value)  # required, length: on the text typed
        if not text:
            return None
        lookup = rome.find_job(text)
        if lookup.job is not None:
            return lookup.job
        self.choices_found = lookup.choices
        if lookup.choices:
            choices = ", ".join(f"« {job_option(job)} »" for job in lookup.choices)
            raise forms.ValidationError(SEVERAL_JOBS.format(text=text, choices=choices))
        raise forms.ValidationError(UNKNOWN_JOB.format(text=text))


class JobLookupForm(forms.Form):
    """A GET form that shows one job (skills of a past job, the gap with a target job)."""

    def __init__(self, data, *, label: str, name: str = "metier"):
        super().__init__(data)
        self.fields[name] = RomeJobField(label=label, required=False)
        self.name = name

    @property
    def choices(self) -> list[RomeJob]:
        """The fiches a name fits, when it fits several (each offered as a link)."""
        if self.is_bound and not self.is_valid():
            return self.fields[self.name].choices_found
        return []

    @property
    def job(self) -> RomeJob | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data[self.name]
        return None
