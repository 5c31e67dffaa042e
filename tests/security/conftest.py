"""The API fixtures (``bearer``, ``token_user``, ``api_client``) of tests/api, for these tests."""

from tests.api.conftest import api_client, bearer, token_user

__all__ = ["api_client", "bearer", "token_user"]
