"""Logging helpers. Log records carry the request id, never personal values."""

from __future__ import annotations

import logging

from wayhome.core.context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
