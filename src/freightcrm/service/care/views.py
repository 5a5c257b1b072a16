"""Staff pages of the care area: a customer's full timeline. Thin: parse, one selector, render."""

from __future__ import annotations

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from freightcrm.customers.models import Customer
from freightcrm.service.care.selectors import timeline_customer
from freightcrm.service.timeline import Cursor, customer_timeline

FULL_PAGE_SIZE = 50


def timeline_view(request: HttpRequest, pk: int) -> HttpResponse:
    """`/admin/customers/customer/<id>/timeline/?kind=…&cursor=…`: one page, filter chips, "older"."""
    try:
        customer = timeline_customer(request.user, pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc
    kinds = [kind for kind in request.GET.getlist("kind") if kind]
    cursor_text = request.GET.get("cursor", "")
    cursor = Cursor.decode(cursor_text) if cursor_text else None
    page = customer_timeline(request.user, customer, kinds=kinds, cursor=cursor, page_size=FULL_PAGE_SIZE)
    context = {
        **admin.site.each_context(request),
        "opts": Customer._meta,
        "title": customer.name,
        "customer": customer,
        "page": page,
        "icons": {k["kind"]: k["icon"] for k in page.kinds},
        "labels": {k["kind"]: k["label"] for k in page.kinds},
        "kinds": kinds,
        "is_first_page": cursor is None,
        "next_cursor": page.next_cursor.encode() if page.next_cursor else "",
    }
    return TemplateResponse(request, "service/timeline/page.html", context)
