"""The OpenAPI document and the docs page: valid, with the bearer scheme, usable offline."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_document_validates_and_declares_bearer_tokens(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["components"]["securitySchemes"] == {"BearerTokenAuth": {"type": "http", "scheme": "bearer"}}
    for path in ("/api/v1/customers", "/api/v1/customers/{code}"):
        assert spec["paths"][path]["get"]["security"] == [{"BearerTokenAuth": []}]
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/customers"]["get"]["parameters"]}
    assert set(parameters) == {
        "q",
        "kind",
        "region",
        "status",
        "owner",
        "tag",
        "grade",
        "ordering",
        "page",
        "page_size",
    }
    assert parameters["page_size"]["maximum"] == 100 and parameters["q"]["maxLength"] == 100
    assert "-updated" in parameters["ordering"]["enum"]
    detail = spec["components"]["schemas"]["CustomerDetail"]
    assert "credit_limit" not in detail["required"] and "code" in detail["required"]


def test_docs_page_uses_only_bundled_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call an online validator
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        if hasattr(served, "streaming_content"):
            body = b"".join(served.streaming_content)
            assert body
