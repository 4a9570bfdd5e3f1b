"""Django's message storage (a signed cookie, the session when the cookie is full), without compressing the cookie.

Django's ``CookieStorage`` signs its messages with ``compress=True``: zlib is tried on every store,
and for the one short message a form's redirect carries (~100 bytes) setting up the compressor
cost ~100 µs, a fiftieth of the report submit POST, to save a few bytes. The cookie is signed
exactly as before; reading it is Django's own, which takes a compressed cookie too (one set
before this storage was used). A cookie over the size limit still sends the rest to the session.
"""
from django.contrib.messages.storage import cookie, fallback, session


class CookieStorage(cookie.CookieStorage):
    def _encode_parts(self, messages, encode_empty=False):
        if messages or encode_empty:
            return self.signer.sign_object(messages, serializer=cookie.MessagePartGatherSerializer, compress=False)
        return None


class FallbackStorage(fallback.FallbackStorage):
    storage_classes = (CookieStorage, session.SessionStorage)
