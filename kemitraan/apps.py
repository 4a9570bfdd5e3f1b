from django.apps import AppConfig


class KemitraanConfig(AppConfig):
    """The project package as an app, for what every app's pages share: the template tags of
    ``{% load kemitraan %}`` (rupiah amounts, status badges, query strings, the cached chrome)."""

    name = "kemitraan"
