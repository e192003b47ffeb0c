"""Signals of the sources app."""

from django.dispatch import Signal

#: sent with source=, snapshot= (the new capture) and previous= (the capture it differs from)
#: when a capture's normalised text differs from the previous successful one
source_changed = Signal()

#: sent with source= to ask which records must not see its URL, kind or publisher change (an
#: issue layer above registers a receiver); each receiver returns a list of their names
source_freeze_check = Signal()
