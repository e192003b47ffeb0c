"""Signals of the verification app, sent after the transaction commits.

Layers above (events) listen to them; verification itself never imports those layers.
"""

from django.dispatch import Signal

#: sent with item=, outcome=, actor= when an item is verified (any outcome)
item_verified = Signal()
#: sent with item=, reason=, actor= (None when automatic) and source= (the changed source or
#: None) when a verified item goes back to unverified
item_reopened = Signal()
#: sent with alert= when a source cited by an item of a published issue changed
published_source_changed = Signal()
