"""Views of the partners app: coordinator pages (``coordinator``) and partner pages (``reports``)."""


def search_text(params, name: str = "q", max_length: int | None = None) -> str:
    """Return the search text ``params[name]`` as a query may take it: trimmed, without NUL bytes
    (PostgreSQL refuses them in a string), cut to ``max_length`` characters when given."""
    text = (params.get(name) or "").replace("\x00", "").strip()
    return text[:max_length] if max_length else text
