"""TOTP multi-factor authentication (django-otp)."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed device, created on first call; its secret is shown at enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> bytes:
    """The provisioning URI as an SVG QR code (served from its own URL: no data: images)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return buffer.getvalue()


def secret_base32(device: TOTPDevice) -> str:
    """The secret for typing into an authenticator app by hand."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")
