"""Signals of the sources app."""

from django.dispatch import Signal

#: sent with source=, snapshot= (the new capture) and previous= (the capture it differs from)
#: when a capture's normalised text differs from the previous successful one
source_changed = Signal()
