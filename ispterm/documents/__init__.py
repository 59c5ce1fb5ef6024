"""PDF documents (reportlab): invoices, account statements (BIL-10), service settings (MSG-5).

Renderers take plain frozen dataclasses built by the services and return PDF bytes; they
never touch the database. Text uses the bundled DejaVu Sans, so Czech (and any Latin,
Cyrillic or Greek) names print correctly wherever ispterm runs.
"""
