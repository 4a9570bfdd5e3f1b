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
import re
import traceback

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.security.hostile import (
    ALLOWED_STATUS,
    GET_URLS,
    HUGE,
    POST_URLS,
    QUERY_KEYS,
    SETTINGS,
    XSS,
    XSS_ATTR,
    known_bug,
    setup_page,
    without_known_bugs,
    acting_role,
    assert_no_raw_script,
    baseline,
    check_answer,
    describe,
    hostile_value,
    plausible_value,
    run_isolated,
    send,
    sign_in,
    warning_messages,
)
from tests.security.test_access_matrix import EXPECTED, kwargs_for, url_names


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
    path, forms_post, _forms_get = setup_page(client, hostile_world, name, "POST")
    fields = {}
    for form in forms_post:
        fields.update(form["fields"])
    payload = _draw_payload(data, name, fields, hostile_world["ids"], extra_names=["next", "id", "pk"])
    payload = without_known_bugs(name, "POST", payload)
    run_isolated(client, name, "POST", path, payload, hostile_world, has_form=bool(fields))


@pytest.mark.parametrize("name", GET_URLS)
@SETTINGS
@given(data=st.data())
def test_hostile_query_string_never_500_nor_changes_anything(client, hostile_world, name, data):
    path, _forms_post, forms_get = setup_page(client, hostile_world, name, "GET")
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
    payload = without_known_bugs(name, "GET", payload)
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
    path, forms_post, _forms_get = setup_page(client, world_state, name, "POST")
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
    _path, forms_post, _ = setup_page(client, world_state, name, "POST")
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
            if known_bug(name, "POST", {field_name: value}):
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
        path, _forms_post, _forms_get = setup_page(client, hostile_world, name, "POST")
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
    path, _forms_post, forms_get = setup_page(client, hostile_world, name, "GET")
    keys = set(QUERY_KEYS)
    for form in forms_get:
        keys.update(form["fields"])
    for value in QUERY_VALUE_CLASSES.values():
        payload = {key: value for key in sorted(keys)}
        if name == "partners:report_export":
            payload["format"] = "csv"  # else the export stops at the format and never reads the filters
        payload = without_known_bugs(name, "GET", payload)
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
        path, _forms_post, _forms_get = setup_page(client, hostile_world, name, "GET")
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
    path, _forms_post, _forms_get = setup_page(client, hostile_world, name, "POST")
    run_isolated(client, name, "POST", path, {}, hostile_world, has_form=True)
