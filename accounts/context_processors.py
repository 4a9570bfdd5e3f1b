"""Template context from accounts: what the signed-in person is, for the navigation."""
from django.utils.functional import SimpleLazyObject

from .selectors import user_roles


def roles(request):
    """``roles``: the person's ``Roles`` (coordinator, representative, admin), read when a template first asks.

    The navigation offers the partnerships and the review queue to coordinators and the invitations
    to whoever may invite; the cached navigation bar (``{% personalcache %}``) keys on them too. A page
    served whole from the page cache renders no template and so reads nothing.
    """
    return {"roles": SimpleLazyObject(lambda: user_roles(request.user))}
