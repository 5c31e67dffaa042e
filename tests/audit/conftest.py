from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy as _

from wayhome.audit import actions


@pytest.fixture(autouse=True)
def _test_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The actions ``record_events`` writes are known, so the page's action filter offers them."""
    monkeypatch.setitem(actions.ACTIONS, "test.event", _("Test event"))
