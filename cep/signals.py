"""Hooks the level apps listen to, so the core never imports them.

`parcours_level_entered` is sent, inside the writing transaction, when a parcours opens at a
level or moves up to one: kwargs `parcours`, `level`, `membership`.
"""

from django.dispatch import Signal

parcours_level_entered = Signal()

# Sent inside the writing transaction when the person withdraws a consent: kwargs `beneficiary`,
# `purpose`. What the consent allowed stops at once (an app cancels what depended on it).
consent_withdrawn = Signal()

# Sent inside the writing transaction when a parcours is closed: kwargs `parcours`.
parcours_closed = Signal()

# Sent inside the writing transaction when an ended parcours is reopened: kwargs `parcours`.
# What the end planned (the follow-up surveys) is cancelled.
parcours_reopened = Signal()
