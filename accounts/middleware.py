from django.utils import translation


class UserLanguageMiddleware:
    """Switch the interface to the signed-in user's preferred language.

    A language chosen explicitly through the language switch (the cookie set by
    ``set_language``) wins for the session; otherwise the profile decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.COOKIES.get("django_language"):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
