"""Callbacks run when the trail records chosen actions, in the same transaction.

An app that must react to what users do (``wayhome.protection`` raising an alert when someone
opens many person records) registers here from its ``AppConfig.ready`` instead of every view
calling it: whatever records the action through ``audit_record`` is watched, including routes
added later.

    from wayhome.audit import watchers
    watchers.watch({"person.view", "case.view"}, on_record_opened)

A callback gets the actor's id (or None), the action and the events just written; it runs inside
the transaction that wrote them, so it sees them and rolls back with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wayhome.audit.models import AuditEvent

Watcher = Callable[[uuid.UUID | None, str, "list[AuditEvent]"], None]

_WATCHERS: list[tuple[frozenset[str], Watcher]] = []


def watch(actions: Iterable[str], callback: Watcher) -> None:
    """Calls ``callback`` after any of ``actions`` is recorded."""
    _WATCHERS.append((frozenset(actions), callback))


def notify(actor_id: uuid.UUID | None, action: str, events: list[AuditEvent]) -> None:
    for actions, callback in _WATCHERS:
        if action in actions:
            callback(actor_id, action, events)
