"""Partner users' API (``/api/v1/partner``), being built."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["partner"])
