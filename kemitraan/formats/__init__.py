"""The project's date formats (``FORMAT_MODULE_PATH``): one way of writing a date on every page.

Django's own formats differ by page and language ("14-01-2027" short, "14 Jan. 2027" long in
Indonesian; "01/14/2027" and "Jan. 14, 2027" in English). Here a date is "14 Jan 2027" in both
languages, in prose and in tables alike, and the short names say the same, so that a template or
a view asking for either gets the one format. Everything not set here (input formats, number
separators) stays Django's.
"""
