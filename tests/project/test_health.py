from unittest import mock

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_health_reports_database_and_broker_ok(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_health_answers_503_when_broker_is_unreachable(client):
    with mock.patch("kemitraan.views._broker_ok", return_value=False):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable", "status": "degraded"}


def test_liveness_answers_without_touching_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health_live"))
    assert response.status_code == 200 and response.content == b"ok"
