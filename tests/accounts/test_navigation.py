"""Issue 21, point 9: the navigation offers what each person may use, and stays cached per person.

A coordinator (or an admin) reaches the partnerships and the review queue from every page; whoever
may invite (an admin, a coordinator, a representative) finds the invitations in the user menu. The
navigation bar is cached per person; a new role shows on the next page all the same.
"""
import re

import pytest
from django.urls import reverse

from accounts.selectors import Roles, user_may_invite, user_roles

pytestmark = pytest.mark.django_db

PARTNERSHIPS = f'href="{reverse("partners:partnership_list")}"'
QUEUE = f'href="{reverse("partners:review_queue")}"'
INVITATIONS = f'href="{reverse("accounts:invitation_list")}"'


def _nav(client, name="accounts:profile"):
    """The navigation bar of a page that is not cached whole (the profile), and the response."""
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    return html[:html.index('<main id="main"')], response


def _menu(nav):
    return nav[nav.index('class="dropdown-menu'):]


def test_coordinator_reaches_partnerships_review_queue_and_invitations(client, coordinator, partnership):
    client.force_login(coordinator)
    nav, _response = _nav(client)
    bar = nav[:nav.index('class="dropdown-menu')]
    assert PARTNERSHIPS in bar and QUEUE in bar
    assert ">Kemitraan<" in bar and ">Antrean peninjauan<" in bar
    assert INVITATIONS in _menu(nav) and ">Undangan<" in _menu(nav)


def test_the_current_page_is_marked_in_the_navigation(client, coordinator, partnership):
    client.force_login(coordinator)
    html = client.get(reverse("partners:review_queue")).content.decode()
    nav = html[:html.index('<main id="main"')]
    queue = re.escape(reverse("partners:review_queue"))
    assert re.search(r'class="nav-link active" aria-current="page" href="' + queue, nav)


def test_admin_reaches_partnerships_and_review_queue(client, admin):
    client.force_login(admin)
    nav, _response = _nav(client)
    assert PARTNERSHIPS in nav and QUEUE in nav and INVITATIONS in _menu(nav)


def test_representative_gets_invitations_but_no_coordinator_links(client, partner_a):
    client.force_login(partner_a)
    nav, _response = _nav(client)
    assert PARTNERSHIPS not in nav and QUEUE not in nav
    assert INVITATIONS in _menu(nav)


def test_person_without_a_role_gets_neither(client, outsider):
    client.force_login(outsider)
    nav, _response = _nav(client)
    assert PARTNERSHIPS not in nav and QUEUE not in nav and INVITATIONS not in nav


def test_navigation_stays_cached_and_follows_a_new_role(client, outsider, partnership):
    client.force_login(outsider)
    _nav(client)
    nav, response = _nav(client)
    assert "includes/nav.html" not in [t.name for t in response.templates]  # served from the cache
    assert QUEUE not in nav

    partnership.coordinators.add(outsider)
    nav, response = _nav(client)
    assert "includes/nav.html" in [t.name for t in response.templates]  # another key: the roles changed
    assert PARTNERSHIPS in nav and QUEUE in nav and INVITATIONS in _menu(nav)


def test_roles_are_read_in_one_query(outsider, partner_a, coordinator, partnership, admin,
                                     django_assert_num_queries):
    with django_assert_num_queries(1):
        assert user_roles(partner_a) == Roles(representative=True)
    with django_assert_num_queries(1):
        assert user_roles(coordinator) == Roles(coordinator=True)
    with django_assert_num_queries(1):
        assert user_roles(outsider) == Roles()
    with django_assert_num_queries(0):
        assert user_roles(admin) == Roles(admin=True)
    assert [user_may_invite(u) for u in (partner_a, coordinator, outsider, admin)] == [True, True, False, True]
    outsider.is_active = False
    assert user_roles(outsider) == Roles()
