"""Forms for partner representative pages."""
