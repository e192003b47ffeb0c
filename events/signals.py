"""Signals other layers listen to; sent after the transaction commits."""

from django.dispatch import Signal

#: sent with issue= when an issue becomes published
issue_published = Signal()
#: sent with issue= and correction= when a correction is added to a published issue
issue_corrected = Signal()
#: sent with issue= when a published issue is withdrawn
issue_withdrawn = Signal()
