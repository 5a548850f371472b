from django import template

from accompagnement import costs

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def euros(amount):
    """6 500,00 € (accompagnement.costs.euros)."""
    return costs.euros(amount)
