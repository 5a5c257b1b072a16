"""The ninja API under `/api/v1/`: bearer tokens on every operation, one error shape, offline docs."""

from __future__ import annotations

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer

from freightcrm.api.auth import BearerTokenAuth
from freightcrm.api.customers import router as customers_router
from freightcrm.api.errors import install_error_handlers
from freightcrm.service.care.api import router as timeline_router
from freightcrm.service.complaints.api import router as complaints_router
from freightcrm.service.visits.api import router as visits_router
from freightcrm.shipments.api import router as shipments_router

DESCRIPTION = """
The customer archive of Freight CRM for ERP, TMS and other programs. It applies exactly the
permissions and masking of the staff UI: a token acts as the user it was issued to.

* **Authentication**: `Authorization: Bearer fct_<prefix>_<secret>`; issue one with
  `freightcrm issue_token USER --name NAME`, revoke with `freightcrm revoke_token PREFIX`.
* **Errors**: `{"error": {"code": "stable_snake_case", "message": "…", "fields": {"param": ["…"]}}}`;
  messages are Chinese unless the request says `Accept-Language: en`.
* **Hidden fields** are absent, not null.
"""


class Utf8JSONRenderer(JSONRenderer):
    """Chinese as UTF-8 (3 bytes a character) rather than `\\uXXXX` escapes (6 bytes)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Freight CRM API",
    version="1",
    description=DESCRIPTION,
    auth=BearerTokenAuth(),
    urls_namespace="api-v1",
    # The bundled Swagger UI (ninja's own static files, so the page works offline); no online validator.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("/", customers_router)
api.add_router("/", timeline_router)
api.add_router("/", complaints_router)
api.add_router("/", visits_router)
api.add_router("/", shipments_router)
