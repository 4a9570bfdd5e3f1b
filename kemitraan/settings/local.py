"""Settings for a developer's machine: DEBUG on, everything embedded."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
