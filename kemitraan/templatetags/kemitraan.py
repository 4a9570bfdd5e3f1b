"""Template helpers shared by every page: rupiah amounts, status badges, query strings."""
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.safestring import mark_safe
from django.utils.formats import number_format

register = template.Library()

STATUS_CLASSES = {
    "draft": "secondary",
    "submitted": "info",
    "accepted": "success",
    "returned": "warning",
    "scheduled": "secondary",
    "open": "primary",
    "in_progress": "info",
    "closed": "dark",
    "done": "success",
    "cancelled": "secondary",
    "active": "success",
    "paused": "warning",
    "completed": "dark",
    "approved": "success",
    "rejected": "danger",
    "tied": "warning",
    "pending": "secondary",
}


@register.filter
def rupiah(value):
    """Format an amount as rupiah in the active locale: "Rp 1.250.000" (id) or "Rp 1,250,000" (en)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    decimals = 0 if amount == amount.to_integral_value() else 2
    return f"Rp {number_format(amount, decimal_pos=decimals, use_l10n=True, force_grouping=True)}"


@register.filter
def number(value, decimals=0):
    """Format a number with the locale's grouping and ``decimals`` places."""
    if value in (None, ""):
        return ""
    try:
        return number_format(Decimal(value), decimal_pos=int(decimals), use_l10n=True, force_grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def status_class(status):
    """Return the Bootstrap colour for a status value."""
    return STATUS_CLASSES.get(str(status), "secondary")


@register.inclusion_tag("includes/status_badge.html")
def status_badge(obj):
    """Render an object's status as a coloured badge with its translated label."""
    return {"status": obj.status, "label": obj.get_status_display(), "css": STATUS_CLASSES.get(obj.status, "secondary")}


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """Return the current query string with ``kwargs`` replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


# --- the page chrome, cached per person -------------------------------------------------------

class PersonalCacheNode(template.Node):
    """Render the enclosed chrome once per person, language and page name, then serve it from the cache.

    The navigation bar costs more to render than a cached page body; what it shows depends only
    on who is signed in (short name, staff or not, roles), the language and the page's URL name (the
    active menu item), which form the key: not the address, so a query string adds no entry. The
    address it returns to (the language switch's ``next``) and its CSRF tokens are markers, filled
    in on every request (``fragments.fill``), so each response carries its own masked token.
    """

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        from kemitraan import fragments

        request = context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.nodelist.render(context)
        if fragments.is_rendering_for_cache(context):  # inside a page rendered for the cache: it fills the markers in
            return self.nodelist.render(context)

        def render():
            with context.push(fragments.markers().context()):
                return self.nodelist.render(context)

        # The links offered depend on the person's roles (``roles``, from accounts' context processor:
        # one query), part of the key so that a new role shows on the next page.
        roles = getattr(context.get("roles"), "key", "")
        page_name = getattr(request.resolver_match, "url_name", None) or ""  # none on an error page
        html = fragments.cached("chrome", [*fragments.person_parts(request), page_name, roles], render)
        return mark_safe(fragments.fill(html, request))  # noqa: S308 - as in fragments.cached


@register.tag
def personalcache(parser, token):
    """``{% personalcache %}…{% endpersonalcache %}``: see ``PersonalCacheNode``."""
    nodelist = parser.parse(("endpersonalcache",))
    parser.delete_first_token()
    return PersonalCacheNode(nodelist)
