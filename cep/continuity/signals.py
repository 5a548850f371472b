"""Hooks of the continuity of support, for the apps above it (a level that keeps its own record
of a transfer follows it from here, so this app never imports them).

`transfer_status_changed` is sent inside the writing transaction, in the sending operator's
scope, each time a transfer takes a step of its history: kwargs `transfer`.
"""

from django.dispatch import Signal

transfer_status_changed = Signal()
