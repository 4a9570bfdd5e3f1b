"""Cached pages, keyed by what they read and by the change tokens of the partnerships they show.

The busiest pages (dashboard, partnership detail, report list, review queue, partner home,
evaluation results) spend most of their time computing and rendering figures that change far
less often than they are read. Each of those views renders its page once and keeps the HTML in
the ``fragments`` cache (``render_page``) under a key built from:

- who is asking (user id, short name, staff or not), the language and today's date;
- the page's address in its normal form (``asked_query``): the view's own path, and only the GET
  parameters the page reads (the fields of its filter and forms: filter, sort, page number),
  trimmed, sorted, without empty values and defaults. The page is rendered from that address
  (its links and forms carry nothing else), and kept only when the forms find those values valid
  and write them the same way (``_is_normal``) and the page number is not past the last page. A
  parameter the page does not read, another spelling of the same filter, an invalid value or a
  page number past the last page therefore adds no entry: nobody fills the cache by varying a
  query string. Every valid filter is still an entry of its own (a search text, a date): the
  cache's Redis has a memory limit and evicts the least recently used entries (README,
  Deployment);
- a digest of the templates and catalogues (a deploy never serves old HTML), and
- the ``cache_token`` of every partnership the person may see (``Partnership.cache_token``,
  read in one query by ``partners.access.partnership_scope``).

The navigation bar of the pages that are not cached whole is kept on its own (``cached``, from the
``personalcache`` template tag), keyed by the person, the language and the name of the page (the
active menu item): not by the address.

Cached HTML holds markers where each response puts its own values (``fill``): the CSRF token (so
every response carries a fresh masked token of the browser's own secret, as a rendered page does)
and the address the language switch returns to. A marker is an HTML comment holding a secret
derived from ``SECRET_KEY`` (``markers``): text a person typed can never hold one, as escaping
turns its ``<`` into ``&lt;`` (and nobody knows the secret); every process of a deployment makes
the same markers, so any of them fills a page another one cached.

Every save or delete of a record shown on a partnership's pages (membership, report, goal,
cycle, answer, action, a person, ...) replaces that partnership's token in the same transaction
(``partners/signals.py``; writes that send no signal call ``touch()`` themselves). A changed
record therefore changes the key of every page that showed it: an old page is never read again
and simply expires. As the token is written in the same transaction as the change, a reader sees
either the old data and the old token or the new data and the new token.

The cache must be shared by every web process: Redis in production (``CACHE_URL``). With the
dummy backend (the default when ``CACHE_URL`` is unset) every request renders afresh: never
stale, only slower.
"""
from __future__ import annotations

import copy
import datetime
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import django_filters
from django import forms
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.paginator import Page
from django.core.validators import EMPTY_VALUES
from django.db import models
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
TIMEOUT = 60 * 60 * 24  # a fragment is keyed by today's date too, so a day is its natural life

_build_id: str | None = None


def build_id() -> str:
    """Return a digest of the templates and compiled catalogues, so a deploy never serves old HTML.

    Computed once per process, but on every request with DEBUG on, where templates change
    under a running server.
    """
    global _build_id
    if _build_id is None or settings.DEBUG:
        digest = hashlib.sha256()
        for root in (Path(settings.BASE_DIR) / "templates", Path(settings.BASE_DIR) / "locale"):
            for path in sorted(root.rglob("*")):
                if path.suffix in (".html", ".txt", ".mo"):
                    stat = path.stat()
                    digest.update(f"{path.relative_to(root)}:{stat.st_mtime_ns}:{stat.st_size};".encode())
        digest.update(os.environ.get("KEMITRAAN_RELEASE", "").encode())
        _build_id = digest.hexdigest()[:16]
    return _build_id


# --- markers: where each response puts its own values ------------------------------------------


@dataclass(frozen=True)
class Markers:
    """The markers cached HTML holds: ``csrf`` for the CSRF token, ``path`` for the address asked."""

    secret: str
    csrf: str
    path: str
    pattern: re.Pattern

    def context(self) -> dict:
        """The template context that renders the markers: ``{% csrf_token %}`` and ``page_path`` (base.html)."""
        return {"csrf_token": mark_safe(self.csrf), "page_path": mark_safe(self.path)}  # noqa: S308 - our constants


@functools.cache
def _markers_for(secret_key: str) -> Markers:
    secret = salted_hmac("kemitraan.fragments.markers", "markers", secret=secret_key, algorithm="sha256").hexdigest()[:32]
    return Markers(secret, f"<!--{secret}:csrf-->", f"<!--{secret}:path-->", re.compile(f"<!--{secret}:(csrf|path)-->"))


def markers() -> Markers:
    """Return this deployment's markers: the same in every process (derived from ``SECRET_KEY``), unknown to users."""
    return _markers_for(settings.SECRET_KEY)


def is_rendering_for_cache(context) -> bool:
    """Tell whether the template ``context`` renders a page for the cache (with the markers in it)."""
    return context.get("csrf_token") == markers().csrf


def fill(html: str, request) -> str:
    """Return cached ``html`` with this response's own values where it holds markers: a fresh masked
    CSRF token of the browser's secret, and the address asked (escaped), in one pass over the page."""
    values = {}

    def value(match):
        name = match.group(1)
        if name not in values:
            values[name] = get_token(request) if name == "csrf" else escape(request.get_full_path())
        return values[name]

    return markers().pattern.sub(value, html)


# --- keys -------------------------------------------------------------------------------------


def _key(name: str, parts: Iterable[str]) -> str:
    joined = "\x1f".join([name, build_id(), markers().secret, *parts])
    return f"frag:{name}:" + hashlib.sha256(joined.encode()).hexdigest()


def cached(name: str, parts: Iterable[str], render: Callable[[], str]) -> str:
    """Return ``render()``'s HTML, stored under ``name``, the template digest and ``parts``; rendered only on a miss."""
    key = _key(name, parts)
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - HTML our own templates rendered, escaped there


def person_parts(request) -> list[str]:
    """Return the parts of a cache key for what every page shows of its reader: the person (id, short
    name, staff or not: the navigation bar) and the language."""
    user = request.user
    return [str(user.pk), user.get_short_name(), str(user.is_staff), get_language() or ""]


class PageForm(forms.Form):
    """The page number of a paginated page (``?page=``): the first page unless given."""

    page = forms.IntegerField(min_value=1, required=False, initial=1)


# What reads a page's GET parameters: a form class, or a django-filter FilterSet class (its form).
ParamsClass = type[forms.Form] | type[django_filters.FilterSet]


@functools.cache
def _defaults(params: tuple[ParamsClass, ...]) -> dict[str, str]:
    """Return {name: default} of every GET parameter ``params`` read ("" where none is given)."""
    defaults = {}
    for params_class in params:
        if issubclass(params_class, django_filters.FilterSet):
            defaults.update(dict.fromkeys(params_class.base_filters, ""))
        else:
            defaults.update({name: "" if field.initial is None else str(field.initial)
                             for name, field in params_class.base_fields.items()})
    return defaults


def asked_query(data: QueryDict, params: Iterable[ParamsClass]) -> QueryDict:
    """Return the GET parameters that ``params`` read, as asked, in their normal form: sorted by name,
    trimmed, without empty values and defaults, and without any parameter they do not read.

    Only names and strings, so it costs nothing on a cached page; whether the values are valid,
    and written as the page writes them, is checked once, before a page is kept (``_is_normal``).
    """
    query = QueryDict(mutable=True)
    for name, default in sorted(_defaults(tuple(params)).items()):
        value = (data.get(name) or "").strip()
        if value and value != default:
            query[name] = value
    return QueryDict(query.urlencode())


def _as_parameter(value) -> str:
    """Return a cleaned form value as a query string writes it."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):  # django-filter's comma-separated fields (ordering)
        return ",".join(_as_parameter(item) for item in value)
    return str(value)


def _is_normal(request, params: Iterable[ParamsClass], query: QueryDict) -> bool:
    """Tell whether ``query`` is valid for the forms of ``params`` and written as they would write
    their cleaned values: one spelling of each filter (``partnership=5``, not ``05``; a date as
    ``2026-05-01``) is kept, any other is rendered but not kept."""
    cleaned = QueryDict(mutable=True)
    for params_class in params:
        if issubclass(params_class, django_filters.FilterSet):
            form = params_class(request.GET, request=request).form
        else:
            form = params_class(request.GET)
        if not form.is_valid():
            return False
        for name, value in form.cleaned_data.items():
            if value not in EMPTY_VALUES and value != form.fields[name].initial:
                cleaned[name] = _as_parameter(value)
    return sorted(cleaned.items()) == sorted(query.items())


def _at_normal_address(request, query: QueryDict):
    """Return a copy of ``request`` at the page's normal address: the view's own path with ``query``."""
    match = request.resolver_match
    page_request = copy.copy(request)
    page_request.path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    page_request.GET = query
    page_request.META = {**request.META, "QUERY_STRING": query.urlencode()}
    return page_request


def _shows_page_asked(context: dict, query: QueryDict) -> bool:
    """Tell whether every paginated list in ``context`` shows the page number asked: past the last
    page the paginator shows the last one, and such a number is not kept."""
    asked = int(query.get("page", 1))
    return all(value.number == asked for value in context.values() if isinstance(value, Page))


def render_page(request, name: str, template_name: str, build_context: Callable[[object], dict], *,
                tokens: list[tuple[int, object]], params: Iterable[ParamsClass] = ()) -> HttpResponse:
    """Return the page ``template_name`` rendered with ``build_context(request)``, from the cache when no partnership changed.

    The whole page is cached, navigation bar included, so a hit runs no template at all.
    ``tokens`` are the (id, cache_token) pairs of every partnership the person may see
    (``partners.access.partnership_scope``); ``params`` the classes of the forms and filters
    that read the page's GET parameters (none: it reads none). ``build_context`` runs only on a
    miss, so the queries behind the page run only then, and it gets the request at the page's
    normal address (``asked_query``): it reads the parameters as the key holds them. The key
    holds what else the page shows: the person (id, short name, staff or not), the language and
    today's date.

    Rendered afresh and not kept: a page for a person who sees no partnership (nothing to key
    on), a page with messages to show (they are shown once, and follow a change anyway), a page
    whose parameters are invalid (it shows what is wrong with them) or spelt otherwise than the
    page writes them, and a page number past the last page.
    """
    if not tokens or len(get_messages(request)):
        return render(request, template_name, build_context(request))

    params = tuple(params)
    query = asked_query(request.GET, params)
    page_request = _at_normal_address(request, query)
    key = _key(name, [*person_parts(request), page_request.get_full_path(), timezone.localdate().isoformat(),
                      ",".join(f"{pk}:{token}" for pk, token in tokens)])
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        context = build_context(page_request)
        html = render_to_string(template_name, {**context, **markers().context()}, request=page_request)
        if _is_normal(page_request, params, query) and _shows_page_asked(context, query):
            cache.set(key, html, TIMEOUT)
    return HttpResponse(fill(html, request))
