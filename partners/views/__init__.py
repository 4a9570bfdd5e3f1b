"""Views of the partners app: coordinator pages (``coordinator``), the report list and export
(``report_list``), a report's own pages (``reports``), its files (``attachments``) and indicator
values (``indicator_values``). The pages that show evaluations too are ``workspace.views``."""
from django.contrib import messages
from django.shortcuts import redirect

# Object pages check access before the HTTP method, so a POST to a page the user may not see
# answers 404 like a GET does; these methods are the ones allowed to someone who may see it.
SAFE_METHODS = ["GET", "HEAD"]


def search_text(params, name: str = "q", max_length: int | None = None) -> str:
    """Return the search text ``params[name]`` as a query may take it: trimmed, without NUL bytes
    (PostgreSQL refuses them in a string), cut to ``max_length`` characters when given."""
    text = (params.get(name) or "").replace("\x00", "").strip()
    return text[:max_length] if max_length else text


def refuse_if_locked(request, report, message):
    """Redirect to the report with a message when its status no longer allows changes."""
    if report.is_editable:
        return None
    messages.warning(request, message % {"status": report.get_status_display()})
    return redirect(report)
