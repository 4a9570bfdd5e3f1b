"""Cached page fragments, keyed by the change tokens of the partnerships they show.

The busiest pages (dashboard, partnership detail, report list, review queue, partner home,
evaluation results) spend most of their time computing and rendering figures that change far
less often than they are read. Each of those views renders its main content once and keeps the
HTML in the ``fragments`` cache under a key built from:

- who is asking (user id) and how (language, today's date, the full path with its query
  string; the browser's CSRF secret when the fragment holds a form), a digest of the
  templates and catalogues (a deploy never serves old HTML), and
- the ``cache_token`` of every partnership the person may see (``Partnership.cache_token``,
  read in one query by ``partners.selectors.partnership_tokens_for_user``).

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
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import timezone
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


def cached(name: str, parts: Iterable[str], render: Callable[[], str]) -> str:
    """Return ``render()``'s HTML, stored under ``name``, the template digest and ``parts``; rendered only on a miss."""
    key = f"frag:{name}:" + hashlib.sha256("\x1f".join([name, build_id(), *parts]).encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - HTML our own templates rendered, escaped there


def render_fragment(request, name: str, template_name: str, build_context: Callable[[], dict], *,
                    tokens: list[tuple[int, object]], per_browser: bool = False) -> str:
    """Return ``template_name`` rendered with ``build_context()``, from the cache when no partnership changed.

    ``tokens`` are the (id, cache_token) pairs of every partnership the person may see;
    ``build_context`` runs only on a miss, so the queries behind the content run only then.
    ``per_browser`` adds the browser's CSRF secret to the key, for fragments holding a form.
    A person who sees no partnership gets the page rendered afresh (there is nothing to key on).
    """
    def render():
        return render_to_string(template_name, build_context(), request=request)

    if not tokens:
        return mark_safe(render())  # noqa: S308 - as in cached()
    parts = [
        str(request.user.pk), get_language() or "", timezone.localdate().isoformat(), request.get_full_path(),
        ",".join(f"{pk}:{token}" for pk, token in tokens),
    ]
    if per_browser:
        parts.append(request.META.get("CSRF_COOKIE", ""))
    return cached(name, parts, render)
