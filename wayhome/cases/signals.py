"""What other apps hear about a case.

``case_transitioned`` is sent by ``case_transition`` inside its transaction, after the move is
recorded and audited: receivers that write (consent records the withdrawal; later, movements
cancel bookings) do so atomically with the move, and an exception in a receiver undoes it.
Arguments: ``case`` (locked, with its new status), ``source``, ``target``, ``actor``, ``reason``.
"""

from __future__ import annotations

from django.dispatch import Signal

case_transitioned = Signal()
