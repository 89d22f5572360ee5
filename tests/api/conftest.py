from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(request, api):
    """``api_as("intern")`` logs the API client in as that persona (session auth)."""

    def login(name: str) -> APIClient:
        if name != "anonymous":
            api.force_login(request.getfixturevalue(name))
        return api

    return login
