"""Candidate pages: thin views that call services and selectors (the account pages, "Mon espace"
included, are in account_views.py)."""
