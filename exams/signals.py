"""What the catalogue announces to the apps above it (they listen; exams never imports them)."""

from django.dispatch import Signal

# Sent inside session_prepare_next's transaction with previous=, session=, by=: an app that
# attaches data to a session (documents' piece rules) copies it to the new one.
session_prepared = Signal()
