"""Hostile input: random and malicious values posted to every form and query string.

The property-based tests walk the URL configuration exactly like the access matrix
(``tests/security/test_access_matrix.py``): for every URL a role may use, the page is fetched,
its ``<form method="post">`` fields are read with ``html.parser``, and hypothesis posts
huge strings, wrong types, negative and huge numbers, HTML and script, SQL-looking text,
mixed unicode, NUL bytes, missing fields and the ids of another partnership's objects.
GET pages get the same treatment on their query string (page, ordering, sort, status,
date filters, format, search...). For each answer:

- never a 500 (the test client raises a view's exception; it is caught and reported
  with the payload);
- a clear answer: 200 re-rendering the form with an error (or an error message), a
  redirect, or 400/404/405/410/413;
- nothing partly saved: unless the answer is a success redirect, every row of every
  model of partners, evaluations and accounts (history tables and many-to-many tables
  included) is exactly as before; a GET never changes anything; rows of the other
  partnership never change, and no new or changed row points at one of them;
- nothing echoed unescaped: the raw ``<script>alert(1)</script>`` and
  ``onerror=alert(1)>`` never appear in a page (downloads such as the CSV export are
  not pages), nor in the page a success redirect leads to.

Random examples rarely build a form that is valid except for one boundary value, so
fixed cases follow: each field in turn with its boundary values, script in every text
field, every id field with the other partnership's ids, every query key at once, ids
past bigint in the address, an empty POST body, several-step flows, and uploads
(disguised, oversize, empty, path-like names). After a successful change that stores a
boundary value, the pages that show stored data and the daily jobs are run again.

Each request runs in a savepoint that is rolled back, so every request starts from the
same rows; the rows are compared only when the request wrote to one of our tables.
``HOSTILE_EXAMPLES`` sets the examples per URL (default 12), ``HOSTILE_RANDOM=1``
explores new random examples instead of the fixed, derandomised ones CI runs, and
``HOSTILE_DEBUG=1`` prints every request (with ``-s``).

A bug found here and not yet fixed goes into ``KNOWN_BUGS`` (the random tests then steer
around it) with a deterministic case marked ``xfail(strict=True)``, so it shows until fixed
and fails loudly once fixed. The bugs already fixed stay as regression cases in
``FIXED_BUG_CASES``.
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
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from evaluations.models import EvaluationCycle
from partners.models import Attachment, ContributionReport
from tests import factories as f
from tests.security.test_access_matrix import EXPECTED, kwargs_for, url_names
from tests.security.test_access_matrix import world  # noqa: F401  (a fixture, used by hostile_world)

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


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


ROLE_PREFERENCE = ["coordinator", "partner_a", "other_coordinator", "partner_b", "partner_c", "outsider", "admin"]


def acting_role(answers):
    """The role that exercises a URL: anonymous for public pages, else the first allowed named role."""
    if answers.get("anonymous") == "ok":
        return "anonymous"
    for role in ROLE_PREFERENCE:
        if answers.get(role) == "ok":
            return role
    return None


@pytest.fixture
def hostile_world(world, other_partnership,  # noqa: F811
                   membership_c, org_c, partner_c, other_coordinator):
    """The access matrix's world plus objects of the OTHER partnership, whose ids are posted as hostile values."""
    objects, users = world
    # An organisation of the coordinator's second partnership, without representatives: the one the
    # coordinator may add as a member of P and invite people for (accounts.selectors).
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(users["coordinator"])
    f.MembershipFactory(partnership=second, organisation=f.OrganisationFactory(name="Yayasan Kedua"))
    goal = f.SharedGoalFactory(partnership=other_partnership)
    other = {
        "partnership": other_partnership,
        "membership": membership_c,
        "pledge": f.PledgeFactory(membership=membership_c),
        "goal": goal,
        "indicator": f.IndicatorFactory(goal=goal),
        "report": f.ContributionReportFactory(membership=membership_c, status=ContributionReport.Status.SUBMITTED,
                                              submitted_at=timezone.now()),
        "draft": f.ContributionReportFactory(membership=membership_c),
        "cycle": f.EvaluationCycleFactory(partnership=other_partnership, status=EvaluationCycle.Status.OPEN,
                                          due_date=datetime.date(2099, 1, 1)),
        "action": f.FollowUpActionFactory(partnership=other_partnership, owner_organisation=org_c),
        "decision": f.DecisionFactory(partnership=other_partnership),
    }
    other["finding"] = f.FindingFactory(cycle=other["cycle"])
    foreign = {}
    for obj in other.values():
        foreign.setdefault(obj._meta.label, set()).add(obj.pk)
    own_ids = [obj.pk for obj in objects.values()]
    ids = sorted({*own_ids, *(obj.pk for obj in other.values()), org_c.pk, partner_c.pk, other_coordinator.pk})
    return HostileWorld(objects=objects, users=users, other=other, foreign=foreign, ids=ids)


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


def _targets(method):
    names = []
    for name in url_names():
        key, get_answers, post_answers = EXPECTED[name]
        answers = get_answers if method == "GET" else post_answers
        if acting_role(answers) is not None:
            names.append(name)
    return names


POST_URLS = _targets("POST")
GET_URLS = _targets("GET")


def _setup(client, hostile_world, name, method):
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


def _known_bug_fields(name, method, payload):
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


def _known_bug(name, method, payload):
    return bool(_known_bug_fields(name, method, payload))


def _without_known_bugs(name, method, payload):
    """``payload`` without the fields that would trigger a known bug (their own strict xfail covers them)."""
    bad = _known_bug_fields(name, method, payload)
    return {key: value for key, value in payload.items() if key not in bad}


# --- the property-based tests ----------------------------------------------------------------


# A formset's management fields: a forged TOTAL_FORMS makes Django build up to absolute_max forms (see
# test_forged_total_forms_builds_no_more_pledge_forms_than_allowed); the other tests leave them valid.
MANAGEMENT_FIELD = re.compile(r"-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$")


def _draw_payload(data, url_name, fields, ids, extra_names=()):
    """Draw a form payload: one hostile field in a plausible form, all fields hostile, or fields left out."""
    names = sorted(name for name in fields if name != "csrfmiddlewaretoken")  # a browser always sends it
    plausible = {name: plausible_value(name, fields[name]) for name in names}
    plausible.update({k: v for k, v in PLAUSIBLE_OVERRIDES.get(url_name, {}).items() if k in plausible})
    mode = data.draw(st.sampled_from(["one", "one", "all", "missing", "ids", "multi"]), label="mode")
    buttons = [name for name in names if fields[name]["type"] == "button"]
    payload = {name: value for name, value in plausible.items() if value is not None and name not in buttons}
    if "csrfmiddlewaretoken" in fields:
        payload["csrfmiddlewaretoken"] = fields["csrfmiddlewaretoken"]["value"]
    if buttons:  # a press on one of the submit buttons, or none
        pressed = data.draw(st.sampled_from([None, *buttons]), label="button")
        if pressed:
            payload[pressed] = plausible[pressed]
    candidates = [name for name in names if not MANAGEMENT_FIELD.search(name)] + list(extra_names)
    if mode == "one" and candidates:
        name = data.draw(st.sampled_from(candidates), label="field")
        payload[name] = data.draw(hostile_value(ids), label="value")
    elif mode == "all":
        for name in candidates:
            choice = data.draw(st.sampled_from(["hostile", "keep", "drop"]), label=f"{name}?")
            if choice == "hostile":
                payload[name] = data.draw(hostile_value(ids), label=name)
            elif choice == "drop":
                payload.pop(name, None)
    elif mode == "missing" and names:
        dropped = data.draw(st.sets(st.sampled_from(names), min_size=1), label="dropped")  # a missing one is fine
        for name in dropped:
            payload.pop(name, None)
    elif mode == "ids":
        for name in candidates:
            if name not in fields:
                continue
            if fields[name]["type"] in ("select", "hidden", "radio", "checkbox", "number"):
                payload[name] = str(data.draw(st.sampled_from(ids), label=name))
    elif mode == "multi" and candidates:
        name = data.draw(st.sampled_from(candidates), label="field")
        payload[name] = data.draw(st.lists(hostile_value(ids), min_size=2, max_size=3), label="values")
    return payload


@pytest.mark.parametrize("name", POST_URLS)
@SETTINGS
@given(data=st.data())
def test_hostile_post_never_500_nor_partly_saved(client, hostile_world, name, data):
    path, forms_post, _forms_get = _setup(client, hostile_world, name, "POST")
    fields = {}
    for form in forms_post:
        fields.update(form["fields"])
    payload = _draw_payload(data, name, fields, hostile_world["ids"], extra_names=["next", "id", "pk"])
    payload = _without_known_bugs(name, "POST", payload)
    run_isolated(client, name, "POST", path, payload, hostile_world, has_form=bool(fields))


@pytest.mark.parametrize("name", GET_URLS)
@SETTINGS
@given(data=st.data())
def test_hostile_query_string_never_500_nor_changes_anything(client, hostile_world, name, data):
    path, _forms_post, forms_get = _setup(client, hostile_world, name, "GET")
    keys = set(QUERY_KEYS)
    for form in forms_get:
        keys.update(form["fields"])
    keys = sorted(keys)
    chosen = data.draw(st.sets(st.sampled_from(keys), min_size=1, max_size=4), label="keys")
    payload = {}
    for key in sorted(chosen):
        if data.draw(st.booleans(), label=f"{key} twice?"):
            payload[key] = data.draw(st.lists(hostile_value(hostile_world["ids"]), min_size=2, max_size=2), label=key)
        else:
            payload[key] = data.draw(hostile_value(hostile_world["ids"]), label=key)
    payload = _without_known_bugs(name, "GET", payload)
    run_isolated(client, name, "GET", path, payload, hostile_world)


# --- deterministic cases ----------------------------------------------------------------------
#
# Random examples rarely build a form that is valid except for one boundary value, and a
# value that is stored and only breaks OTHER pages later is invisible to a request on its
# own. These cases are fixed: each field of each form in turn gets the values most likely
# to pass validation and break something further on, and after a success every page that
# shows the stored data is read back.

# Pages that show stored data, read after a successful change: (role, URL name, kwargs key, query).
READERS = [
    ("coordinator", "workspace:home", None, {}),
    ("coordinator", "partners:partnership_list", None, {}),
    ("coordinator", "workspace:partnership_detail", "partnership", {}),
    ("coordinator", "partners:pledge_summary", "partnership", {}),
    ("coordinator", "partners:indicator_detail", "indicator", {}),
    ("coordinator", "partners:review_queue", None, {}),
    ("coordinator", "partners:report_detail", "submitted", {}),
    ("coordinator", "evaluations:cycle_create", "partnership_pk", {}),
    ("coordinator", "evaluations:partnership_cycles", "partnership_pk", {}),
    ("coordinator", "evaluations:cycle_detail", "open_cycle", {}),
    ("coordinator", "evaluations:partnership_actions", "partnership_pk", {}),
    ("coordinator", "evaluations:action_detail", "action", {}),
    ("coordinator", "evaluations:decision_detail", "decision", {}),
    ("coordinator", "accounts:invitation_list", None, {}),
    ("partner_a", "workspace:partner_home", None, {}),
    ("partner_a", "partners:report_list", None, {}),
    ("partner_a", "partners:report_export", None, {"format": "csv"}),
    ("partner_a", "partners:report_export", None, {"format": "xlsx"}),
    ("partner_a", "partners:report_create", None, {"membership": "membership"}),
    ("partner_a", "partners:report_detail", "draft", {}),
    ("partner_a", "partners:indicatorvalue_entry", "membership", {}),
    ("partner_a", "evaluations:my_actions", None, {}),
    ("partner_a", "evaluations:cycle_list", None, {}),
    ("partner_a", "evaluations:decision_list", None, {}),
]


def read_back(client, world_state, where):
    """Read every page that shows stored data, as the coordinator and as org A's partner: no 500, no raw script."""
    objects, users = world_state["objects"], world_state["users"]
    current = None
    for role, name, key, query in READERS:
        if role != current:
            sign_in(client, users[role])
            current = role
        query = {k: (objects[v].pk if v in objects else v) for k, v in query.items()}
        path = reverse(name, kwargs=kwargs_for(key, objects))
        response, body = send(client, "GET", path, query)
        assert response.status_code in (200, 302), f"{name} answered {response.status_code} after {where}"
        assert_no_raw_script(response, body, f"{name} after {where}")
    run_daily_jobs(where)


def run_daily_jobs(where):
    """The scheduled jobs read the same stored data: a dry run of the reminders and the cycle advance."""
    from evaluations import reminders, services

    today = timezone.localdate()
    try:
        reminders.send_due_reminders(today=today, dry_run=True, on_item=lambda line, state: None)
        with transaction.atomic():
            services.cycles_advance(today=today)
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001
        summary = "".join(traceback.format_exception(type(error), error, error.__traceback__)[-6:])
        pytest.fail(f"a daily job failed after {where}\n{type(error).__name__}: {error}\n{summary}", pytrace=False)


# Where the page's own value is no change at all, a value that is one.
PLAUSIBLE_OVERRIDES = {"evaluations:action_status": {"status": "in_progress"}}


def post_plausible(client, world_state, name, overrides, *, read=False):
    """POST the page's plausible payload with ``overrides``; check the answer; read back stored data on success.

    Return "success", "refused" or "error" (a 200 with the form's errors).
    """
    path, forms_post, _forms_get = _setup(client, world_state, name, "POST")
    fields = {}
    for form in forms_post:
        fields.update(form["fields"])
    payload = {n: plausible_value(n, fl) for n, fl in fields.items() if fl["type"] != "button"}
    payload = {k: v for k, v in payload.items() if v is not None}
    payload.update(PLAUSIBLE_OVERRIDES.get(name, {}))
    payload.update(overrides)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = baseline(world_state)
    with transaction.atomic():
        try:
            response = check_answer(client, name, "POST", path, payload, world_state, before, bool(fields))
            redirect = response.status_code in (301, 302, 303)
            outcome = ("refused" if warning_messages(response) else "success") if redirect else (
                "error" if response.status_code == 200 else "refused")
            if read and outcome == "success":
                read_back(client, world_state, describe("POST", path, payload))
        finally:
            transaction.set_rollback(True)
    return outcome


def form_fields(client, world_state, name):
    _path, forms_post, _ = _setup(client, world_state, name, "POST")
    fields = {}
    for form in forms_post:
        fields.update(form["fields"])
    fields.pop("csrfmiddlewaretoken", None)
    return fields


# Forms whose plausible payload is refused on purpose (a wrong password, no file, an unusable link).
PLAUSIBLE_REFUSED = {"accounts:login", "accounts:password_change", "accounts:password_reset_confirm",
                     "partners:attachment_add"}


@pytest.mark.parametrize("name", POST_URLS)
def test_plausible_payload_reaches_the_service(client, hostile_world, name):
    """The harness's own check: a form filled with its plausible values is accepted, so the hostile
    variants below really reach the services and not only the form's first validation."""
    fields = form_fields(client, hostile_world, name)
    if not fields:
        pytest.skip("no form on this page")
    outcome = post_plausible(client, hostile_world, name, {})
    assert outcome == ("error" if name in PLAUSIBLE_REFUSED else "success"), outcome


# The values most likely to pass a field's validation and break what comes after it.
BOUNDARY_BY_TYPE = {
    "date": ["9999-12-31", "0001-01-01"],
    "datetime-local": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "number": ["99999999999999.9999", "1e309", "NaN", "-1"],
    "text": ["a\x00b", "A" * HUGE, XSS_ATTR],
    "search": ["a\x00b"],
    "email": ["a\x00b@example.org", "x" * 250 + "@example.org"],
    "textarea": ["a\x00b", "A" * HUGE],
    "password": ["a\x00b" * 4],
    "select": ["99999999999999999999", "²"],
    "radio": ["99999999999999999999", "²"],
    "checkbox": ["99999999999999999999"],
    "hidden": ["99999999999999999999", "²"],
}


@pytest.mark.parametrize("name", POST_URLS)
def test_each_field_takes_its_boundary_values_without_500(client, hostile_world, name):
    """One field at a time gets a boundary value while the rest of the form is valid; after a success the
    pages that show the stored data are read back (a year-9999 date stored today must not break tomorrow)."""
    fields = form_fields(client, hostile_world, name)
    for field_name, field in sorted(fields.items()):
        if MANAGEMENT_FIELD.search(field_name):
            continue
        for value in BOUNDARY_BY_TYPE.get(field["type"], []):
            if _known_bug(name, "POST", {field_name: value}):
                continue
            post_plausible(client, hostile_world, name, {field_name: value},
                           read=field["type"] == "datetime-local")
    # Every date of the form at once, so start/end pairs move together past their cross-checks, then
    # everything that shows stored dates is read back.
    dates = [n for n, fl in fields.items() if fl["type"] == "date"]
    if dates:
        for value in ("9999-12-31", "0001-01-01"):
            post_plausible(client, hostile_world, name, dict.fromkeys(dates, value), read=True)
    # A body that is no UTF-8 at all (a lone surrogate's encoding, 0xFF) in every field.
    if fields:
        path, _forms_post, _forms_get = _setup(client, hostile_world, name, "POST")
        body = "&".join(f"{field_name}=%ED%A0%80%FF" for field_name in sorted(fields) + ["csrfmiddlewaretoken"])
        with transaction.atomic():
            try:
                response, _body = send(client, "RAW", path, body)
                assert response.status_code in ALLOWED_STATUS, response.status_code
            finally:
                transaction.set_rollback(True)


@pytest.mark.parametrize("name", POST_URLS)
def test_every_text_field_with_script_is_shown_escaped_everywhere(client, hostile_world, name):
    """All text fields of a form get HTML and script at once; once saved, no page shows it raw."""
    fields = form_fields(client, hostile_world, name)
    text = {n: f"{XSS}{XSS_ATTR}" for n, fl in fields.items()
            if fl["type"] in ("text", "textarea") and n not in ("q",)}
    if not text:
        pytest.skip("no text field")
    post_plausible(client, hostile_world, name, text, read=True)


@pytest.mark.parametrize("name", POST_URLS)
def test_ids_of_the_other_partnership_are_refused(client, hostile_world, name):
    """Every id-carrying field in turn gets each id of the other partnership's objects; nothing saved may
    point at them (``check_answer`` compares every new or changed row with the other partnership's rows)."""
    fields = form_fields(client, hostile_world, name)
    foreign_ids = sorted({pk for pks in hostile_world["foreign"].values() for pk in pks}
                         | {hostile_world["other"]["membership"].organisation_id})
    for field_name, field in sorted(fields.items()):
        if field["type"] not in ("select", "radio", "checkbox", "hidden") or MANAGEMENT_FIELD.search(field_name):
            continue
        for pk in foreign_ids:
            post_plausible(client, hostile_world, name, {field_name: str(pk)})


QUERY_VALUE_CLASSES = {
    "nul": "a\x00b",
    "superscript_digit": "²",
    "huge_int": "99999999999999999999",
    "far_date": "9999-12-31",
    "script": XSS,
    "huge": "A" * 20_000,
}


@pytest.mark.parametrize("name", GET_URLS)
def test_every_query_key_at_once(client, hostile_world, name):
    """Every known query key (the page's own filters and the common ones) set to one hostile value, for
    each kind of value in turn."""
    path, _forms_post, forms_get = _setup(client, hostile_world, name, "GET")
    keys = set(QUERY_KEYS)
    for form in forms_get:
        keys.update(form["fields"])
    for value in QUERY_VALUE_CLASSES.values():
        payload = {key: value for key in sorted(keys)}
        if name == "partners:report_export":
            payload["format"] = "csv"  # else the export stops at the format and never reads the filters
        payload = _without_known_bugs(name, "GET", payload)
        run_isolated(client, name, "GET", path, payload, hostile_world)
    # Bytes that are no UTF-8 at all (a lone surrogate's encoding, 0xFF), straight in the query string.
    raw = "&".join(f"{key}=%ED%A0%80%FF" for key in sorted(keys) if key != "format")
    run_isolated(client, name, "GET", f"{path}?{raw}", None, hostile_world)


def _int_kwargs_paths(name, objects):
    key = EXPECTED[name][0]
    kwargs = kwargs_for(key, objects)
    if not kwargs or not all(isinstance(v, int) for v in kwargs.values()):
        return []
    return [reverse(name, kwargs={k: 2**63 for k in kwargs}), reverse(name, kwargs={k: 10**30 for k in kwargs})]


@pytest.mark.parametrize("name", [n for n in url_names() if EXPECTED[n][0] not in (None, "reset", "token")])
def test_ids_beyond_every_integer_type_in_the_address_answer_404(client, hostile_world, name):
    """``/laporan/9223372036854775808/`` (past bigint) is an object nobody has: 404 for GET and POST, never a
    500 from an integer the database cannot hold."""
    key, get_answers, post_answers = EXPECTED[name]
    for method, answers in (("GET", get_answers), ("POST", post_answers)):
        role = acting_role(answers) or "coordinator"
        sign_in(client, hostile_world["users"][role])
        for path in _int_kwargs_paths(name, hostile_world["objects"]):
            with transaction.atomic():
                response, _body = send(client, method, path, {})
                transaction.set_rollback(True)
            assert response.status_code == 404, f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize("token", ["a\x00b", "A" * 5000, XSS, "../../etc/passwd", "\u202e😀", "%00", "..%2F.."])
def test_hostile_tokens_in_the_address(client, hostile_world, token):
    """Invitation and password-reset links carrying junk: a clear 404/410 or the 'invalid link' page."""
    from urllib.parse import quote

    client.logout()
    paths = [
        "/accounts/invite/" + quote(token, safe="") + "/",
        "/accounts/password/reset/" + quote(token, safe="") + "/" + quote(token, safe="") + "/",
    ]
    for path in paths:
        for method in ("GET", "POST"):
            with transaction.atomic():
                before = baseline(hostile_world)
                check_answer(client, "token", method, path, {} if method == "GET" else {"x": "1"},
                             hostile_world, before, has_form=False)
                transaction.set_rollback(True)


# --- several steps: hostile values that only bite once they are submitted ------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("period_end", "9999-12-31"),  # used to break every deadline page with OverflowError; now refused
    ("period_end", "2999-12-31"),
    ("period_start", "0001-01-01"),
    ("description", "A" * HUGE),
    ("value", "99999999999999.99"),
    ("unit", XSS_ATTR[:40]),
])
def test_submitted_report_with_boundary_values_breaks_no_page(client, hostile_world, field, value):
    """A draft changed to a boundary value, submitted, then accepted by the coordinator: every page and the
    daily jobs still answer (a report counts for the next period owed only once it is submitted)."""
    objects, users = hostile_world["objects"], hostile_world["users"]
    draft = objects["draft"]
    payload = {"period_start": "2026-01-01", "period_end": "2026-03-31", "kind": "funds", "quantity": "1",
               "unit": "paket", "value": "1000", "description": "Dana."}
    payload[field] = value
    with transaction.atomic():
        try:
            sign_in(client, users["partner_a"])
            response, _ = send(client, "POST", reverse("partners:report_edit", kwargs={"pk": draft.pk}), payload)
            assert response.status_code in (200, 302)
            send(client, "POST", reverse("partners:report_submit", kwargs={"pk": draft.pk}), {})
            read_back(client, hostile_world, f"submitting a report with {field}={value[:40]!r}")
            sign_in(client, users["coordinator"])
            send(client, "POST", reverse("partners:report_accept", kwargs={"pk": draft.pk}), {})
            read_back(client, hostile_world, f"accepting a report with {field}={value[:40]!r}")
        finally:
            transaction.set_rollback(True)


# --- uploads -------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>'
SHELL = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
ZIP_BOMBISH = b"PK\x03\x04" + b"\x00" * 200


def _attachment_url(hostile_world):
    return reverse("partners:attachment_add", kwargs={"pk": hostile_world["objects"]["draft"].pk})


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload_refused(client, hostile_world, settings, data, *, expect_words=()):
    """POST an upload as org A's partner; it must be refused with a message, nothing stored."""
    sign_in(client, hostile_world["users"]["partner_a"])
    count, files = Attachment.objects.count(), _stored_files(settings)
    before = baseline(hostile_world)
    with transaction.atomic():
        response = check_answer(client, "partners:attachment_add", "POST", _attachment_url(hostile_world), data,
                                hostile_world, before, has_form=True)
        transaction.set_rollback(True)
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors.get("file")
    assert errors, "no message next to the file field"
    text = " ".join(errors).lower()
    for word in expect_words:
        assert word in text, text
    assert Attachment.objects.count() == count
    assert _stored_files(settings) == files, "a refused upload left a file behind"
    return text


@pytest.mark.parametrize(("name", "data"), [
    ("report.pdf", ELF),
    ("report.pdf", EXE),
    ("report.pdf", HTML),
    ("report.pdf", SVG),
    ("report.pdf", SHELL),
    ("report.pdf", ZIP_BOMBISH),
    ("report.PDF", EXE),
    ("report.png", PDF),
    ("report.docx", PDF),
    ("report.html", HTML),
    ("report.svg", SVG),
    ("report.exe", EXE),
    ("report.pdf.exe", PDF),
    ("report.sh", SHELL),
    ("report", PDF),
    ("report.pdf\x00.exe", PDF),
    (".htaccess", b"Options +ExecCGI\n"),
    ("report.txt", EXE),
    ("report.csv", b"a,b\n\x00\x01\x02"),
])
def test_upload_disguised_by_its_name_is_refused_with_a_message(client, hostile_world, settings, name, data):
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile(name, data)})


def test_upload_over_the_size_limit_is_refused_with_a_message(client, hostile_world, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    big = PDF + b"%" + b"0" * 2048
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("besar.pdf", big)})


def test_upload_larger_than_the_memory_buffer_is_refused_from_its_temporary_file(client, hostile_world, settings):
    """A file over FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file: the checks read that one too."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.ATTACHMENT_MAX_BYTES = 4096
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("x.pdf", EXE + b"\x00" * 3000)})
    _upload_refused(client, hostile_world, settings, {"file": SimpleUploadedFile("x.pdf", PDF + b"0" * 5000)})


@pytest.mark.parametrize("data", [
    {"file": SimpleUploadedFile("kosong.pdf", b"")},
    {},
    {"file": "not a file"},
    {"file": ["a", "b"]},
], ids=["empty", "missing", "text", "two-texts"])
def test_empty_or_missing_upload_is_refused_with_a_message(client, hostile_world, settings, data):
    _upload_refused(client, hostile_world, settings, {"csrfmiddlewaretoken": "token", **data})


def _raw_multipart(filename, content, content_type="application/pdf"):
    """A multipart body as a browser sends it: the form's token, then the file under its name as written."""
    boundary = "----kemitraan-hostile-boundary"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\ntoken\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("filename", [
    "../../etc/passwd.pdf", "..\\..\\x.pdf", "/etc/passwd.pdf", "C:\\Windows\\win.ini.pdf",
    "....//....//x.pdf", "%2e%2e%2fx.pdf", "..", "../", "laporan/../../../x.pdf",
])
@pytest.mark.parametrize("content", [PDF, SHELL], ids=["pdf", "shell"])
def test_path_like_upload_names_never_leave_the_media_folder(client, hostile_world, settings, filename, content):
    """The browser's file name is sent as written (the test client would strip the folders itself).

    Django's multipart parser keeps only the last part of the name before the app sees it, so a
    real PDF called ``../../etc/passwd.pdf`` arrives as ``passwd.pdf``: it may be accepted, but it is
    stored under a server-made name inside MEDIA_ROOT and shown with a clean name. Content that is no
    allowed type, or a name that is only dots, is refused with a message and leaves nothing behind."""
    sign_in(client, hostile_world["users"]["partner_a"])
    body, content_type = _raw_multipart(filename, content)
    root = settings.MEDIA_ROOT.resolve()
    count, files = Attachment.objects.count(), _stored_files(settings)
    with transaction.atomic():
        try:
            response = client.post(_attachment_url(hostile_world), data=body, content_type=content_type)
            created = list(Attachment.objects.order_by("-pk")[: Attachment.objects.count() - count])
            if response.status_code == 302:
                assert content == PDF and len(created) == 1, "only a real PDF may be accepted"
                attachment = created[0]
                stored = (root / attachment.file.name).resolve()
                assert stored.is_relative_to(root) and stored.is_file()
                for bad in ("/", "\\", ".."):
                    assert bad not in attachment.original_name, attachment.original_name
                assert not attachment.file.name.endswith(filename), "the stored name must be the server's"
            else:
                assert response.status_code == 200 and response.context["form"].errors.get("file")
                assert not created and _stored_files(settings) == files
        finally:
            transaction.set_rollback(True)
    assert not any(not str(p).startswith(str(root)) for p in map(str, _stored_files(settings)))


def test_too_many_files_or_fields_or_too_large_a_body_is_a_400(client, hostile_world):
    """Request limits (DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES, DATA_UPLOAD_MAX_MEMORY_SIZE): a 400, not a 500."""
    sign_in(client, hostile_world["users"]["partner_a"])
    url = reverse("partners:report_edit", kwargs={"pk": hostile_world["objects"]["draft"].pk})
    cases = [
        {f"f{i}": "x" for i in range(1100)},
        {"description": "A" * 3_000_000},
    ]
    for data in cases:
        with transaction.atomic():
            response, _ = send(client, "POST", url, data)
            transaction.set_rollback(True)
        assert response.status_code == 400, response.status_code
    files = {f"file{i}": SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(110)}
    with transaction.atomic():
        response, _ = send(client, "POST", _attachment_url(hostile_world), files)
        transaction.set_rollback(True)
    assert response.status_code == 400, response.status_code


def test_path_like_names_are_refused_when_the_app_sees_them(hostile_world):
    """Issue 5.4 asks for path-like names to be refused with a message. Over HTTP Django strips the
    folders before the app sees the name (see the test above); a file built in code (admin, imports)
    reaches ``check_attachment`` with its backslash path, and is refused there."""
    from django.core.exceptions import ValidationError

    from partners.uploads import check_attachment

    with pytest.raises(ValidationError):
        check_attachment(SimpleUploadedFile("..\\..\\x.pdf", PDF))


# Used to build 1,100 pledge forms (absolute_max defaulted to max_num + 1000): ~10 s of CPU per request.
def test_forged_total_forms_builds_no_more_pledge_forms_than_allowed(hostile_world):
    from partners.forms.coordinator import PledgeFormSet

    data = {"pledges-TOTAL_FORMS": "99999", "pledges-INITIAL_FORMS": "0", "pledges-MIN_NUM_FORMS": "0",
            "pledges-MAX_NUM_FORMS": "100"}
    formset = PledgeFormSet(data, instance=hostile_world["objects"]["membership"], prefix="pledges")
    assert not formset.is_valid()
    assert len(formset.forms) <= PledgeFormSet.max_num + 1, len(formset.forms)


# --- bugs this file found, fixed since: each case stays as a regression test ------------------------


def _bug(name, method, payload, reason, only_on=None):
    """One request that used to answer 500; ``reason`` says what broke, ``only_on`` where it broke."""
    return pytest.param(name, method, payload,
                        id=f"{name}-{method}-{'-'.join(payload)}" + (f"-{only_on}" if only_on else ""))


FIXED_BUG_CASES = [
    _bug("partners:report_accept", "POST", {"next": "kembali"},
         "bug: partners/views/coordinator.py _next_url() passes a relative 'next' without '/' or '.' to "
         "redirect(), which reverse()s it as a view name: NoReverseMatch, 500"),
    _bug("partners:report_return", "POST", {"reason": "Kurang bukti.", "next": '"><img src=x onerror=alert(1)>'},
         "bug: same _next_url() NoReverseMatch in report_return, 500"),
    _bug("partners:report_create", "POST", {"goals": "99999999999999999999"},
         "bug: ReportForm.goals (ModelMultipleChoiceField) runs pk__in=[huge] on SQLite: OverflowError, 500",
         only_on="sqlite"),
    _bug("partners:report_edit", "POST", {"goals": "99999999999999999999"},
         "bug: ReportForm.goals (ModelMultipleChoiceField) runs pk__in=[huge] on SQLite: OverflowError, 500",
         only_on="sqlite"),
    _bug("partners:report_create", "GET", {"membership": "²"},
         "bug: partners/views/reports.py report_create: '²'.isdigit() is True, int('²') raises ValueError, 500"),
    _bug("evaluations:action_create", "GET", {"finding": "²"},
         "bug: evaluations/views.py action_create: '²'.isdigit() is True, int('²') raises ValueError, 500"),
    _bug("partners:membership_add", "GET", {"q": "a\x00b"},
         "bug: partners/forms/coordinator.py OrganisationChoiceForm filters name__icontains=<raw ?q=>; PostgreSQL "
         "refuses a NUL byte in a string (ValueError), 500", only_on="postgresql"),
    _bug("partners:organisation_options", "GET", {"q": "a\x00b"},
         "bug: same raw ?q= with a NUL byte in organisation_options (htmx search), ValueError on PostgreSQL, 500",
         only_on="postgresql"),
]


@pytest.mark.parametrize(("name", "method", "payload"), FIXED_BUG_CASES)
def test_hostile_input_bugs_found_stay_fixed(client, hostile_world, name, method, payload):
    """Each request that once answered 500 now gets a clear answer and saves nothing it should not."""
    if method == "POST":
        post_plausible(client, hostile_world, name, payload)
    else:
        path, _forms_post, _forms_get = _setup(client, hostile_world, name, "GET")
        run_isolated(client, name, "GET", path, payload, hostile_world)


# Views that bound their form with ``request.POST or None`` took an empty body for "not posted" and
# came back blank, without saying anything was missing. All fixed; a view that regresses goes here.
EMPTY_POST_BUGS = {}


def _empty_post_param(name):
    if name not in EMPTY_POST_BUGS:
        return name
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=(
        f"bug: {EMPTY_POST_BUGS[name]} binds its form with `request.POST or None`; an empty POST re-renders the "
        "blank form with no error (bind with `request.POST if request.method == 'POST' else None`)")))


@pytest.mark.parametrize("name", [_empty_post_param(name) for name in POST_URLS])
def test_empty_post_body_gets_a_clear_error(client, hostile_world, name):
    """A POST with no body at all (the CSRF token sent in the X-CSRFToken header, as htmx does) to a form
    page must say what is missing, like any other invalid POST, and save nothing."""
    fields = form_fields(client, hostile_world, name)
    if not fields:
        pytest.skip("no form on this page")
    path, _forms_post, _forms_get = _setup(client, hostile_world, name, "POST")
    run_isolated(client, name, "POST", path, {}, hostile_world, has_form=True)
