"""`{% morning_dashboard as board %}` for the admin's front page (templates/admin/index.html)."""

from django import template

from ..dashboard import morning_dashboard as build

register = template.Library()


@register.simple_tag
def morning_dashboard():
    """Today's issue, its counts, the gate's problems and the time left before the deadline."""
    return build()
