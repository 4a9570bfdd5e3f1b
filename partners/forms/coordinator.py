"""Forms for coordinator pages."""
