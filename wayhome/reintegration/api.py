"""The reintegration API (``/api/v1/reintegration``), being built."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["reintegration"])
