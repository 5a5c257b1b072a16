"""Fixtures of the API tests: tokens for role users and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from freightcrm.api.services import api_token_issue


class ApiClient:
    """A test client that speaks to `/api/v1/` with a bearer token (or a raw Authorization header)."""

    def __init__(self, token: str | None = None, *, authorization: str | None = None) -> None:
        self.client = Client()
        self.authorization = (
            authorization if authorization is not None else (f"Bearer {token}" if token else None)
        )

    def get(self, path: str, *, language: str | None = None, **params: Any) -> Any:
        headers = {}
        if self.authorization is not None:
            headers["Authorization"] = self.authorization
        if language:
            headers["Accept-Language"] = language
        return self.client.get(f"/api/v1{path}", params, headers=headers)


@pytest.fixture
def token_for(db: Any) -> Callable[..., str]:
    def issue(user: User, name: str = "tests") -> str:
        return api_token_issue(user=user, name=name).value

    return issue


@pytest.fixture
def api_as(token_for: Callable[..., str]) -> Callable[[User], ApiClient]:
    """`api_as(user).get("/customers", q="韵达")`."""

    def make(user: User) -> ApiClient:
        return ApiClient(token_for(user))

    return make
