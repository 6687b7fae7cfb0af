"""{% sso_buttons %}: "Sign in with <institution>" for each institution whose single sign-on is on."""

from django import template

from tenants.saml import sso_institutions_for_login

register = template.Library()


@register.inclusion_tag("tenants/_sso_buttons.html", takes_context=True)
def sso_buttons(context) -> dict:
    request = context.get("request")
    return {"institutions": list(sso_institutions_for_login()), "next": request.GET.get("next", "") if request else ""}
