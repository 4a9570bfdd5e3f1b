"""The machinery of the hostile input tests (``test_hostile_input.py``, ``test_hostile_uploads.py``):
the hostile values, reading a page's forms, snapshots of every row, the world both partnerships
live in, and the check of one answer (never a 500, a clear answer, nothing partly saved, nothing
echoed unescaped). What each check means is in ``test_hostile_input.py``'s docstring.
"""
import datetime
import os
import re
import traceback
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.security.test_access_matrix import EXPECTED, kwargs_for, url_names

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
RANDOM = os.environ.get("HOSTILE_RANDOM") == "1"
DEBUG = os.environ.get("HOSTILE_DEBUG") == "1"
SETTINGS = hsettings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow 'explain' tracing
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- the hostile values ------------------------------------------------------------------

XSS = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(1)</script>", "onerror=alert(1)>")
SQL = "'; DROP TABLE partners_organisation; --"
HUGE = 100_000
NASTY = [
    "", " ", "\t\r\n", XSS, XSS_ATTR, SQL, "1' OR '1'='1", "%' OR 1=1 --", "\\", "%", "_",
    # numbers of the wrong kind and size
    "-1", "0", "-0", "1e30", "-1e30", "1e309", "-1e309", "NaN", "nan", "Infinity", "-Infinity", "inf",
    "1.5", "0.0001", "1,5", "1.000.000", "0x1A", "１２", "²", "١٢", "99999999999999999999",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483648",
    "12345678901234567890.123456789",
    # dates and times out of range or malformed
    "2026-02-30", "2026-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "1900-01-01",
    "31/12/2026", "9999-12-31T23:59", "0001-01-01T00:00", "2026-01-01T25:61", "2026-01-01 10:00",
    # other types
    "true", "false", "null", "None", "[]", "{}", '{"a": 1}', "[1, 2]",
    # unicode: right-to-left marks, zero-width, emoji, combining marks, NUL and other control bytes
    "\x00", "a\x00b", "\x00" * 10, "\u202eevil\u202c", "\u200f\u200e\u200b", "😀" * 50, "👩‍👩‍👧‍👦",
    "Z̴̡͓̮a̷l̶g̴o̵", "\ufeff", "\x1b[31m", "\x7f\x08", "\u2028\u2029", "İ", "ß" * 300, "中文" * 200,
    # template, path and URL tricks
    "{{ 7|add:7 }}", "{% debug %}", "../../etc/passwd", "..\\..\\boot.ini", "javascript:alert(1)",
    "//evil.example/", "https://evil.example/x", "/\\evil.example", "mailto:a@b",
    "a@b", "x" * 255 + "@example.org", "@", "a@", "  A@EXAMPLE.ORG  ",
    # huge
    "A" * HUGE, "1" * HUGE, "<b>" * (HUGE // 3), "\x00" * HUGE,
]
# Query-string keys tried on every GET page, besides the page's own filter fields.
QUERY_KEYS = [
    "page", "ordering", "sort", "status", "kind", "type", "partnership", "organisation",
    "period_from", "period_to", "period_start", "period_end", "q", "format", "membership",
    "finding", "next", "language", "organisation_q",
]


def _text():
    # Lone surrogates cannot be encoded into an HTTP request at all: left out.
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def hostile_value(ids):
    """One hostile value: a listed one, random text, a number of any size, or another object's id."""
    return st.one_of(
        st.sampled_from(NASTY),
        _text(),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.sampled_from(ids).map(str),
    )


# --- reading the forms of a page -------------------------------------------------------------


class FormReader(HTMLParser):
    """Collect each <form>'s method, action and fields (with their values/options) from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                          "fields": {}}
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["options"].append(value)
            if "selected" in attrs:
                self._select["value"] = value
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        fields = self._form["fields"]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            field = fields.setdefault(name, {"type": kind, "options": [], "value": None})
            value = attrs.get("value", "")
            if kind in ("radio", "checkbox"):
                field["options"].append(value or "on")
                if "checked" in attrs:
                    field["value"] = value or "on"
            else:
                field["value"] = value
        elif tag == "button" and (attrs.get("type") or "submit").lower() == "submit":
            fields.setdefault(name, {"type": "button", "options": [attrs.get("value", "")], "value": None})
        elif tag == "select":
            self._select = fields.setdefault(
                name, {"type": "select", "options": [], "value": None, "multiple": "multiple" in attrs}
            )
        elif tag == "textarea":
            self._textarea = fields.setdefault(name, {"type": "textarea", "options": [], "value": ""})

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data


def page_forms(html, path):
    reader = FormReader()
    reader.feed(html)
    post = [f for f in reader.forms if f["method"] == "post" and (f["action"] in ("", path)
                                                                   or urlsplit(f["action"]).path == path)]
    get = [f for f in reader.forms if f["method"] == "get" and (f["action"] in ("", path)
                                                                 or urlsplit(f["action"]).path == path)]
    return post, get


PLAIN_DEFAULTS = {
    "number": "1", "email": "uji@example.org", "password": "Kata-sandi-Kuat-9876",
    "url": "https://example.org/", "tel": "0812345678",
}
# Fields whose sensible value depends on their meaning, not only on their input type.
NAMED_DEFAULTS = {"baseline": "0", "target": "100"}
FUTURE_DATE_FIELDS = ("due_date", "target_date", "closes_at", "commitment_end", "planned_end_date")


def plausible_value(name, field):
    """A value that would pass on its own: the page's own value, else the first option, else a sensible one."""
    if field["type"] in ("radio", "select", "button"):
        choices = [o for o in field["options"] if o]
        return field["value"] or (choices[0] if choices else "")
    if field["type"] == "checkbox":
        return field["value"]  # None: left unticked
    if field["type"] == "hidden":
        return field["value"] or ""
    if field["value"] and field["value"].strip():
        return field["value"].removeprefix("\n") if field["type"] == "textarea" else field["value"]
    base = name.split("-")[-1]
    if base in NAMED_DEFAULTS:
        return NAMED_DEFAULTS[base]
    if field["type"] in ("date", "datetime-local"):
        today = timezone.localdate()
        day = today + datetime.timedelta(days=60) if base in FUTURE_DATE_FIELDS else today.replace(day=1)
        return f"{day:%Y-%m-%d}T10:00" if field["type"] == "datetime-local" else f"{day:%Y-%m-%d}"
    if field["type"] in PLAIN_DEFAULTS:
        return PLAIN_DEFAULTS[field["type"]]
    if "email" in name:
        return PLAIN_DEFAULTS["email"]
    if "password" in name:
        return PLAIN_DEFAULTS["password"]
    return "Uji isian"


# --- the state of the database ---------------------------------------------------------------

SNAPSHOT_APPS = ("partners", "evaluations", "accounts")


def snapshot():
    """Every row of every model of our apps (history and many-to-many tables included), by model and pk."""
    state = {}
    for app in SNAPSHOT_APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            # last_login moves with every sign-in of the test itself, not with the request under test;
            # cache_token is the page cache's bookkeeping (kemitraan/fragments.py), not data.
            names = [field.attname for field in model._meta.concrete_fields
                     if field.attname not in ("last_login", "cache_token")]
            rows = model._base_manager.order_by("pk").values_list(*names)
            pk_index = names.index(model._meta.pk.attname)
            state[model._meta.label] = {row[pk_index]: dict(zip(names, row)) for row in rows}
    return state


WRITE_SQL = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(partners|evaluations|accounts)_', re.IGNORECASE)


def baseline(world_state):
    """The rows of the world before any request: every request runs in a savepoint rolled back afterwards,
    so this is also the state before each of them (taken once, it spares two snapshots per request)."""
    if "baseline" not in world_state:
        world_state["baseline"] = snapshot()
    return world_state["baseline"]


def diff(before, after):
    """Return [(model label, pk, 'new'/'changed'/'deleted')] between two snapshots."""
    changes = []
    for label, rows in after.items():
        old = before.get(label, {})
        for pk, row in rows.items():
            if pk not in old:
                changes.append((label, pk, "new"))
            elif old[pk] != row:
                changes.append((label, pk, "changed"))
        changes.extend((label, pk, "deleted") for pk in old if pk not in rows)
    return changes


def foreign_references(after, changes, foreign):
    """Rows new or changed in ``changes`` that point at a row of the other partnership."""
    bad = []
    for label, pk, kind in changes:
        if kind == "deleted":
            continue
        model = apps.get_model(label)
        row = after[label][pk]
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                target = field.related_model._meta.label
                if row.get(field.attname) in foreign.get(target, ()):
                    bad.append((label, pk, field.name, target, row[field.attname]))
    return bad


# --- the world -------------------------------------------------------------------------------


ROLE_PREFERENCE = ["coordinator", "partner_a", "other_coordinator", "partner_b", "partner_c", "outsider", "admin"]


def acting_role(answers):
    """The role that exercises a URL: anonymous for public pages, else the first allowed named role."""
    if answers.get("anonymous") == "ok":
        return "anonymous"
    for role in ROLE_PREFERENCE:
        if answers.get(role) == "ok":
            return role
    return None


class HostileWorld(dict):
    """The world's objects; printed short, so hypothesis's failure reports stay readable."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def __repr__(self):
        return "<hostile world>"


def sign_in(client, user):
    client.logout()
    client.cookies.clear()
    if user is not None:
        client.force_login(user)


# --- checking one answer ---------------------------------------------------------------------


def body_of(response):
    if getattr(response, "streaming", False):
        # The test client closes the response once its content is consumed; closing it again
        # would fire request_finished and close the database connection inside the savepoint.
        return b"".join(response.streaming_content)
    return response.content


def has_form_errors(response):
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    seen = []
    for context in contexts:
        values = context.flatten().values() if hasattr(context, "flatten") else context.values()
        for value in values:
            seen.append(value)
            if isinstance(value, (list, tuple)):
                for item in value:
                    seen.extend(item if isinstance(item, (list, tuple)) else
                                item.values() if isinstance(item, dict) else [item])
    for value in seen:
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            return True
        if isinstance(value, BaseFormSet) and value.is_bound and value.total_error_count():
            return True
    return False


def warning_messages(response):
    return [m for m in get_messages(response.wsgi_request) if m.level >= message_levels.WARNING]


def is_login_redirect(response):
    return response.status_code in (301, 302, 303) and urlsplit(response["Location"]).path == reverse("accounts:login")


ALLOWED_STATUS = {200, 301, 302, 303, 400, 404, 405, 410, 413}
# A sign-in form hit again and again may be locked by django-axes (429 with a message): a clear answer too.
ALLOWED_STATUS_BY_NAME = {"accounts:login": {429}, "health": {503}}


def rendered_by_browser(response):
    """True unless the answer is a download (CSV/XLSX export, attachment), which no browser renders as a page."""
    disposition = response.get("Content-Disposition", "")
    content_type = response.get("Content-Type", "text/html")
    return not disposition.startswith("attachment") and content_type.split(";")[0].strip() in (
        "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "")


def assert_no_raw_script(response, body, where):
    if not rendered_by_browser(response):
        return
    for marker in RAW_MARKERS:
        assert marker.encode() not in body, f"unescaped {marker!r} in the answer: {where}"
    assert b'href="javascript:' not in body.lower(), f"javascript: link in the answer: {where}"


def describe(method, path, payload):
    shown = {}
    for key, value in (payload or {}).items():
        text = repr(value)
        shown[key] = text if len(text) < 120 else f"{text[:60]}…({len(text)} chars)…{text[-20:]}"
    return f"{method} {path} payload={shown}"


def send(client, method, path, payload):
    """Send one request; a view's exception becomes a test failure that names the payload."""
    try:
        if method == "GET":
            response = client.get(path, payload)
        elif method == "RAW":  # an url-encoded body sent exactly as given
            response = client.post(path, payload, content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(path, payload)
        body = body_of(response)
    except Exception as error:  # noqa: BLE001 - any exception is the 500 we are looking for
        summary = "".join(traceback.format_exception(type(error), error, error.__traceback__)[-6:])
        pytest.fail(f"500: {describe(method, path, payload)}\n{type(error).__name__}: {error}\n{summary}",
                    pytrace=False)
    return response, body


def check_answer(client, name, method, path, payload, world_state, before, has_form):
    """Send one request and check every rule of the module docstring; ``before`` is the state it starts from."""
    with CaptureQueriesContext(connection) as queries:
        response, body = send(client, method, path, payload)
    wrote = any(WRITE_SQL.match(query["sql"]) for query in queries.captured_queries)
    where = describe(method, path, payload)
    if DEBUG:
        print(f"\nHOSTILE {response.status_code} {where[:300]}")
    allowed = ALLOWED_STATUS | ALLOWED_STATUS_BY_NAME.get(name, set())
    assert response.status_code in allowed, f"status {response.status_code}: {where}"
    assert_no_raw_script(response, body, where)

    after = snapshot() if wrote else before
    changes = diff(before, after) if wrote else []
    redirect = response.status_code in (301, 302, 303)
    refused = warning_messages(response) if redirect else None
    success = redirect and not refused
    if method == "GET":
        assert not changes, f"a GET changed {changes[:5]}: {where}"
    elif not success:
        assert not changes, f"refused ({response.status_code}, {refused}) but saved {changes[:5]}: {where}"
    if method == "POST" and response.status_code == 200 and has_form:
        assert has_form_errors(response) or warning_messages(response), (
            f"200 after POST without a form error or message: {where}"
        )
    touched_foreign = [c for c in changes if c[1] in world_state["foreign"].get(c[0], ())]
    assert not touched_foreign, f"the other partnership's rows changed {touched_foreign}: {where}"
    pointing = foreign_references(after, changes, world_state["foreign"])
    assert not pointing, f"saved rows point at the other partnership {pointing}: {where}"

    if success and not is_login_redirect(response):
        location = response["Location"]
        if urlsplit(location).netloc in ("", "testserver"):
            follow, follow_body = send(client, "GET", location, None)
            assert_no_raw_script(follow, follow_body, f"after the redirect of {where}")
    return response


def run_isolated(client, name, method, path, payload, world_state, has_form=False):
    """Run one request (and its redirect) in a savepoint rolled back afterwards."""
    before = baseline(world_state)
    with transaction.atomic():
        try:
            check_answer(client, name, method, path, payload, world_state, before, has_form)
        finally:
            transaction.set_rollback(True)


# --- which URLs ------------------------------------------------------------------------------


def targets(method):
    names = []
    for name in url_names():
        key, get_answers, post_answers = EXPECTED[name]
        answers = get_answers if method == "GET" else post_answers
        if acting_role(answers) is not None:
            names.append(name)
    return names


POST_URLS = targets("POST")
GET_URLS = targets("GET")


def setup_page(client, hostile_world, name, method):
    """Sign in as the acting role; return the path and the page's POST and GET forms (read once per world)."""
    key, get_answers, post_answers = EXPECTED[name]
    role = acting_role(get_answers if method == "GET" else post_answers)
    sign_in(client, hostile_world["users"][role])
    cache_key = ("page", name, method)
    if cache_key not in hostile_world:
        path = reverse(name, kwargs=kwargs_for(key, hostile_world["objects"]))
        forms_post, forms_get = [], []
        if get_answers.get(role) == "ok":
            with transaction.atomic():
                page = client.get(path)
                transaction.set_rollback(True)
            if page.status_code == 200 and "html" in page.get("Content-Type", ""):
                forms_post, forms_get = page_forms(page.content.decode(), path)
        hostile_world[cache_key] = (path, forms_post, forms_get)
    return hostile_world[cache_key]


# --- bugs not fixed yet: the random tests steer around them (each has a strictly xfailed case) -----

# (url name, method, field, predicate on the value, only on this database or None): the random
# and boundary tests do not send these. Empty: every bug found so far is fixed (see FIXED_BUG_CASES).
# An entry looks like ("partners:report_create", "GET", "membership", lambda v: not v.isdecimal(), None).
KNOWN_BUGS = []


def known_bug_fields(name, method, payload):
    """The fields of ``payload`` that would trigger a bug listed in ``KNOWN_BUGS``."""
    fields = set()
    for bug_name, bug_method, field, predicate, only_on in KNOWN_BUGS:
        if bug_name != name or bug_method != method or (only_on and only_on != connection.vendor):
            continue
        values = payload.get(field)
        for value in values if isinstance(values, list) else [values]:
            if value is not None and predicate(str(value)):
                fields.add(field)
    return fields


def known_bug(name, method, payload):
    return bool(known_bug_fields(name, method, payload))


def without_known_bugs(name, method, payload):
    """``payload`` without the fields that would trigger a known bug (their own strict xfail covers them)."""
    bad = known_bug_fields(name, method, payload)
    return {key: value for key, value in payload.items() if key not in bad}
