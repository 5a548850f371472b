"""Forms of the continuity of support: a transfer, a co-référent, a liaison file, a decision."""

from django import forms
from dsfr.forms import DsfrBaseForm

from cep.continuity import selectors
from cep.forms import choose_among_colleagues
from cep.models import Membership, Parcours
from cep.registries import CATEGORIES, REQUIRED_FOR_TRANSFER

CATEGORY_CHOICES = list(CATEGORIES.items())


CATEGORY_HELP = (
    "L'identité et la situation sont toujours transmises : sans elles, l'opérateur d'accueil ne "
    "peut ouvrir le dossier. Les notes confidentielles des conseillers ne le sont jamais."
)


class CategoriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            label="Données à partager",
            choices=CATEGORY_CHOICES,
            help_text=CATEGORY_HELP,
            error_messages={
                "required": "Choisissez les données à partager.",
                "invalid_choice": "Choisissez les données dans la liste proposée.",
            },
            initial=list(REQUIRED_FOR_TRANSFER),
            **kwargs,
        )


class TransferForm(DsfrBaseForm):
    target_operator = forms.ModelChoiceField(
        label="Opérateur d'accueil",
        queryset=None,
        error_messages={
            "required": "Choisissez l'opérateur qui accueillera la personne.",
            "invalid_choice": "Choisissez un opérateur dans la liste.",
        },
    )
    reason = forms.CharField(
        label="Motif du transfert",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif du transfert."},
    )
    categories = CategoriesField()
    consent_evidence = forms.CharField(
        label="Accord de la personne (comment il a été recueilli)",
        required=False,
        max_length=300,
        help_text=(
            "Par exemple : « accord oral en entretien le 12/03 ». Laissez vide pour demander "
            "l'accord à la personne dans son espace : rien ne part avant."
        ),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_operator"].queryset = selectors.transfer_targets(membership)


class CoReferentForm(DsfrBaseForm):
    counsellor = forms.ModelChoiceField(
        label="Co-référent",
        queryset=None,
        error_messages={
            "required": "Choisissez un conseiller.",
            "invalid_choice": "Choisissez un conseiller de votre structure.",
        },
    )

    def __init__(self, *args, parcours: Parcours, **kwargs):
        super().__init__(*args, **kwargs)
        choose_among_colleagues(self.fields["counsellor"], exclude=parcours.referent_id)


class LiaisonExportForm(DsfrBaseForm):
    recipient = forms.CharField(
        label="Structure destinataire (hors plateforme)",
        max_length=200,
        error_messages={"required": "Indiquez la structure qui recevra le dossier."},
    )
    categories = CategoriesField()
    consent_evidence = forms.CharField(
        label="Accord de la personne (comment il a été recueilli)",
        max_length=300,
        error_messages={
            "required": "Transmettre le dossier demande l'accord de la personne : indiquez "
            "comment il a été recueilli."
        },
    )


class AcceptForm(DsfrBaseForm):
    referent = forms.ModelChoiceField(
        label="Conseiller référent",
        queryset=None,
        error_messages={
            "required": "Choisissez le conseiller qui suivra la personne.",
            "invalid_choice": "Choisissez un conseiller de votre structure.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_among_colleagues(self.fields["referent"])


class RefuseForm(DsfrBaseForm):
    reason = forms.CharField(
        label="Motif du refus",
        max_length=300,
        error_messages={"required": "Indiquez le motif du refus."},
    )
