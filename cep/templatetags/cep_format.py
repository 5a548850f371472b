"""The French formatting filters (cep.formatting): ``{% load cep_format %}`` then
``{{ amount|euros }}``, ``{{ day|date_fr }}``, ``{{ minutes|duree }}`` and
``{{ label|accord:beneficiary.sex }}``."""

from django import template

from cep import formatting

register = template.Library()


@register.filter
def euros(amount):
    return formatting.euros(amount)


@register.filter
def date_fr(value):
    return formatting.date_fr(value)


@register.filter
def duree(minutes):
    return formatting.duration(minutes)


@register.filter
def accord(text, sex):
    return formatting.agree(text, sex)


@register.filter
def referents_successifs(assignments):
    return formatting.referent_changes(assignments)
