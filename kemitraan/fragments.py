"""Cached page fragments, keyed by the change tokens of the partnerships they show.

The busiest pages (dashboard, partnership detail, report list, review queue, partner home,
evaluation results) spend most of their time computing and rendering figures that change far
less often than they are read. Each of those views renders its page once and keeps the HTML in
the ``fragments`` cache (``render_page``) under a key built from:

- who is asking (user id, short name, staff or not) and how (language, today's date, the full
  path with its query string), a digest of the templates and catalogues (a deploy never serves
  old HTML), and
- the ``cache_token`` of every partnership the person may see (``Partnership.cache_token``,
  read in one query by ``partners.selectors.partnership_scope``).

Cached HTML holds a marker where a CSRF token goes; each response gets its own (``fill_csrf``).

Every save or delete of a record shown on a partnership's pages (membership, report, goal,
cycle, answer, action, ...) replaces that partnership's token in the same transaction
(``partners/signals.py``; writes that send no signal call ``touch()`` themselves). A changed
record therefore changes the key of every fragment that showed it: an old fragment is never
read again and simply expires. As the token is written in the same transaction as the change,
a reader sees either the old data and the old token or the new data and the new token.

The cache must be shared by every web process: Redis in production (``CACHE_URL``). With the
dummy backend (the default when ``CACHE_URL`` is unset) every request renders afresh: never
stale, only slower.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
# Stands for the CSRF token in cached HTML; ``fill_csrf`` puts each response's own token in its place.
CSRF_MARKER = "csrf-token-set-per-request"
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


def cached(name: str, parts: Iterable[str], render: Callable[[], str]) -> str:
    """Return ``render()``'s HTML, stored under ``name``, the template digest and ``parts``; rendered only on a miss."""
    key = f"frag:{name}:" + hashlib.sha256("\x1f".join([name, build_id(), *parts]).encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - HTML our own templates rendered, escaped there


def person_parts(request) -> list[str]:
    """Return the parts of a cache key for what every page shows of its reader and its address:
    the person (id, short name, staff or not: the navigation bar), the language and the full path."""
    user = request.user
    return [str(user.pk), user.get_short_name(), str(user.is_staff), get_language() or "", request.get_full_path()]


def fill_csrf(html: str, request) -> str:
    """Return cached ``html`` with this response's own masked CSRF token where it holds ``CSRF_MARKER``.

    Cached HTML never holds a token: forms and the htmx header were rendered with the marker, so
    every response carries a fresh masked token of the browser's own secret (as a rendered page
    does), and one cached page serves every browser of the person.
    """
    if CSRF_MARKER not in html:
        return html
    return html.replace(CSRF_MARKER, get_token(request))


def render_page(request, name: str, template_name: str, build_context: Callable[[], dict], *,
                tokens: list[tuple[int, object]]) -> HttpResponse:
    """Return the page ``template_name`` rendered with ``build_context()``, from the cache when no partnership changed.

    The whole page is cached, navigation bar included, so a hit runs no template at all.
    ``tokens`` are the (id, cache_token) pairs of every partnership the person may see
    (``partners.selectors.partnership_scope``); ``build_context`` runs only on a miss, so the
    queries behind the page run only then. The key holds what else the page shows: the person
    (id, short name, staff or not), the language, today's date and the full path.

    Rendered afresh and not kept: a page for a person who sees no partnership (nothing to key
    on), and a page with messages to show (they are shown once, and follow a change anyway).
    """
    if not tokens or len(get_messages(request)):
        return render(request, template_name, build_context())

    def render_cached():
        return render_to_string(template_name, {**build_context(), "csrf_token": CSRF_MARKER}, request=request)

    parts = [*person_parts(request), timezone.localdate().isoformat(), ",".join(f"{pk}:{token}" for pk, token in tokens)]
    return HttpResponse(fill_csrf(cached(name, parts, render_cached), request))
