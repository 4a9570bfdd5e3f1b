"""The message storage (kemitraan/messages.py): Django's signed cookie, not compressed, and read back as before."""
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage as DjangoCookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from kemitraan.messages import CookieStorage, FallbackStorage

# Repetitive enough that zlib shrinks it: Django's storage compresses it.
TEXT = "Laporan draf disimpan. " * 8


def _request(cookie_value=None):
    request = RequestFactory().get("/")
    if cookie_value is not None:
        request.COOKIES[DjangoCookieStorage.cookie_name] = cookie_value
    request.session = {}
    return request


def _stored_cookie(storage_class) -> str:
    storage = storage_class(_request())
    storage.add(constants.SUCCESS, TEXT)
    response = HttpResponse()
    storage.update(response)
    return response.cookies[DjangoCookieStorage.cookie_name].value


def test_the_project_uses_this_storage():
    assert settings.MESSAGE_STORAGE == "kemitraan.messages.FallbackStorage"
    assert isinstance(get_messages(_request_with_storage()), FallbackStorage)


def _request_with_storage():
    request = _request()
    request._messages = FallbackStorage(request)
    return request


def test_cookie_is_signed_but_not_compressed():
    django_value = _stored_cookie(DjangoCookieStorage)
    ours = _stored_cookie(CookieStorage)
    assert django_value.startswith(".")  # Django's: compressed (its signing marks that with a dot)
    assert not ours.startswith(".")
    assert ours != django_value


def test_cookie_reads_back_and_a_compressed_one_too():
    for value in (_stored_cookie(CookieStorage), _stored_cookie(DjangoCookieStorage)):
        messages = list(CookieStorage(_request(value)))
        assert messages == [Message(constants.SUCCESS, TEXT)]


def test_tampered_cookie_is_dropped():
    value = _stored_cookie(CookieStorage)
    tampered = value[:5] + ("A" if value[5] != "A" else "B") + value[6:]
    assert list(CookieStorage(_request(tampered))) == []


def test_messages_over_the_cookie_limit_go_to_the_session():
    request = _request()
    storage = FallbackStorage(request)
    for number in range(60):
        storage.add(constants.INFO, f"{number} {TEXT}")
    response = HttpResponse()
    storage.update(response)
    assert request.session.get("_messages")  # the rest went to the session
    read_back = FallbackStorage(_request(response.cookies[DjangoCookieStorage.cookie_name].value))
    read_back.request.session = request.session
    assert len(list(read_back)) == 60
