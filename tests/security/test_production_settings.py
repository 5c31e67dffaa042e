"""Production mode: CSP, HSTS, HTTPS redirect and cookie flags, read from a real answer of the
app started with production settings. ASVS 5.0 V3 (web frontend security: cookies, headers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.core.test_security import ROOT, _production_env

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# The hashed static names need collectstatic, which the deployment runs and this probe does not.
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
    client = Client(HTTP_HOST="wayhome.example.org")
    secure = client.get("/accounts/login/", secure=True)
    plain = client.get("/accounts/login/")
cookies = {
    name: {key: morsel[key] for key in ("secure", "httponly", "samesite", "path", "domain")}
    for name, morsel in secure.cookies.items()
}
print(json.dumps({
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "cookies": cookies,
    "plain": [plain.status_code, plain.get("Location", "")],
    "settings": {
        name: getattr(settings, name)
        for name in (
            "DEBUG", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE",
            "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "REQUIRE_MFA",
        )
    },
}))
"""


def _probe(tmp_path: Path) -> dict[str, Any]:
    env = _production_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_production_answers_carry_csp_hsts_and_strict_cookies(tmp_path: Path) -> None:
    """V3.4.1 (HSTS), V3.4.3 (CSP), V3.4.4 (nosniff), V3.4.5 (referrer policy), V3.4.6
    (frame-ancestors), V3.3.1 (cookie Secure), V3.3.2 (SameSite), V3.3.3 (__Host- prefix),
    V3.3.4 (HttpOnly), V4.1.2 (pages redirect HTTP to HTTPS), V13.4.2 (debug off)."""
    probe = _probe(tmp_path)
    assert probe["status"] == 200
    headers = {key.lower(): value for key, value in probe["headers"].items()}
    hsts = headers["strict-transport-security"]
    assert "includeSubDomains" in hsts
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    csp = {
        part.split()[0]: part.split()[1:]
        for part in headers["content-security-policy"].split(";")
        if part.strip()
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "no-store" in headers["cache-control"]
    # Plain HTTP is sent to HTTPS.
    assert probe["plain"] == [301, "https://wayhome.example.org/accounts/login/"]
    # The CSRF cookie the page sets: __Host- prefixed, Secure, HttpOnly, SameSite, no Domain.
    csrf = probe["cookies"]["__Host-csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"
    assert csrf["path"] == "/"
    assert csrf["domain"] == ""
    # The session cookie (set at sign-in) is configured the same way.
    settings = probe["settings"]
    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["LANGUAGE_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["REQUIRE_MFA"] is True
