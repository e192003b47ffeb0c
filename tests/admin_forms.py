"""Build the POST data of an admin change page from its GET response, as a browser would."""


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else ""
    return value


def admin_form_data(response) -> dict:
    """The data the page would submit unchanged: main form, inline forms, management forms."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = _value(form[name])
        if value != "":
            data[form.add_prefix(name)] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                value = _value(inline_form[name])
                if value != "":
                    data[inline_form.add_prefix(name)] = value
    return {k: v for k, v in data.items() if v not in ("", [])}
