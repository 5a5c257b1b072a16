"""`python -m bench.timeline`: the timeline page of a customer with 5,000 events (goal ≤ 300 ms).

Works on the database Django is configured for (DATABASE_URL, or the SQLite file in
FREIGHTCRM_DATA_DIR). It migrates, seeds a background archive when the database has fewer than
`--background` customers (`seed_demo --with-users`, so the demo logins exist), then files one
benchmark customer owned by `account_manager` and gives it `--events` timeline events spread over
the registered kinds that have a factory below: shipments (booked, with some sharing a timestamp) and
archive changes of the customer and its contacts (history rows, as django-simple-history writes
them). Kinds other areas register later are listed in the result with their counts; add a factory
to `FACTORIES` to give them events too.

It then times, through Django's test client (the whole request: middleware, session, permissions,
queries, template), as the account manager who owns the customer:

* the full timeline page, first page (with the per-kind counts of the filter chips);
* a deep page, reached by cursor after half of the events;
* the page filtered to one kind;
* the API's first page (`/api/v1/customers/{code}/timeline`, bearer token);

and reports p50/p95 per case and the number of SQL queries per page.

    FREIGHTCRM_DATA_DIR=/tmp/bench-timeline python -m bench.timeline
    DATABASE_URL=postgres://postgres@127.0.0.1/fc_bench python -m bench.timeline
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from bench.common import machine_info, setup_django, summary, write_result

MARKER = "时间线基准客户"
Factory = Callable[[Any, Any, int, random.Random], int]


def _moments(count: int, rng: random.Random, years: int = 3) -> list[dt.datetime]:
    """`count` instants over the last `years`, a tenth of them repeated (equal times across kinds)."""
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    span = years * 365 * 86400
    moments = [now - dt.timedelta(seconds=rng.randrange(span)) for _ in range(count)]
    for index in range(0, count, 10):
        moments[index] = moments[index // 2]
    return moments


def make_shipments(customer: Any, owner: Any, count: int, rng: random.Random) -> int:
    from decimal import Decimal

    from freightcrm.shipments.models import Shipment

    cities = ["上海", "北京", "广州", "深圳", "成都", "武汉", "杭州", "郑州"]
    statuses = ["delivered"] * 8 + ["in_transit", "exception"]
    rows = []
    for index, at in enumerate(_moments(count, rng)):
        origin, destination = rng.sample(cities, 2)
        status = rng.choice(statuses)
        rows.append(
            Shipment(
                customer=customer,
                waybill_no=f"TLB{customer.pk:06d}{index:07d}",
                origin_city=origin,
                destination_city=destination,
                mode=rng.choice(["road", "express", "air", "rail"]),
                cargo_type=rng.choice(["general", "cold_chain", "fragile"]),
                weight_kg=Decimal(rng.randint(5, 20_000)),
                amount=Decimal(rng.randint(50, 50_000)),
                booked_at=at,
                status=status,
                exception_reason="weather" if status == "exception" else "",
            )
        )
    Shipment.objects.bulk_create(rows, batch_size=1_000)
    return len(rows)


def make_changes(customer: Any, owner: Any, count: int, rng: random.Random) -> int:
    """History rows of the customer (two thirds) and of five contacts, each a one- or two-field edit."""
    from freightcrm.customers.models import Contact, Customer

    contacts = [Contact.objects.create(customer=customer, name=f"联系人{n}", title="经理") for n in range(5)]
    made = 0
    targets: list[tuple[type, Any, int]] = [(Customer, customer, count * 2 // 3)]
    per_contact = (count - targets[0][2] - len(contacts)) // len(contacts)
    targets += [(Contact, contact, per_contact) for contact in contacts]
    for model, instance, number in targets:
        history = model.history.model  # type: ignore[attr-defined]
        base = history.objects.filter(id=instance.pk).latest("history_id")
        fields = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]
        rows = []
        for index, at in enumerate(sorted(_moments(number, rng))):
            values = {name: getattr(base, name) for name in fields}
            values.update(
                history_date=at, history_type="~", history_user_id=owner.pk, history_change_reason=""
            )
            if model is Customer:
                values["phone"] = f"021-6{index % 10_000_000:07d}"
                values["remarks"] = f"第 {index} 次回访记录：运力与价格沟通"
            else:
                values["title"] = rng.choice(["经理", "主管", "总监", "专员"]) + str(index % 7)
            rows.append(history(**values))
        history.objects.bulk_create(rows, batch_size=1_000)
        made += len(rows)
    return made + len(contacts)


def make_complaints(customer: Any, owner: Any, count: int, rng: random.Random) -> int:
    """Complaints on the customer's shipments (made first), by the demo generator: states, due times,
    escalations and event logs as the demo has them."""
    from django.utils import timezone

    from freightcrm.service.complaints.demo import plant_complaints

    return plant_complaints(
        seed=rng.randrange(1000),
        today=timezone.localdate(),
        first_customer_id=customer.pk,
        per_mille=1000.0,
        limit=count,
    )


def make_visits(customer: Any, owner: Any, count: int, rng: random.Random) -> int:
    from freightcrm.service.visits.models import Visit

    rows = [
        Visit(
            customer=customer,
            source="manual",
            assignee=owner,
            status="done",
            due_on=at.date(),
            mode=rng.choice(["phone", "on_site", "online"]),
            visited_at=at,
            purpose="季度回访",
            content=f"第 {index} 次回访：了解发货计划与服务评价",
            outcome=rng.choice(["positive", "opportunity", "neutral", "concern"]),
            recorded_by=owner,
        )
        for index, at in enumerate(_moments(count, rng))
    ]
    Visit.objects.bulk_create(rows, batch_size=1_000)
    return len(rows)


def make_interactions(customer: Any, owner: Any, count: int, rng: random.Random) -> int:
    from freightcrm.service.interactions.models import Interaction

    rows = [
        Interaction(
            customer=customer,
            kind=rng.choice(["call", "note", "email", "wechat"]),
            direction=rng.choice(["in", "out"]),
            at=at,
            summary=f"第 {index} 次联系：询价与到货时间确认",
            staff=owner,
        )
        for index, at in enumerate(_moments(count, rng))
    ]
    for row in rows:
        if row.kind == "note":
            row.direction = ""
    Interaction.objects.bulk_create(rows, batch_size=1_000)
    return len(rows)


# Shipments first: complaints are filed against them.
FACTORIES: dict[str, Factory] = {
    "shipment": make_shipments,
    "complaint": make_complaints,
    "visit": make_visits,
    "interaction": make_interactions,
    "change": make_changes,
}


def prepare(args: argparse.Namespace) -> tuple[Any, Any, dict[str, int]]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from freightcrm.customers.models import Customer
    from freightcrm.customers.services import customer_create
    from freightcrm.service.timeline import TIMELINE_SOURCES

    call_command("migrate", verbosity=0)
    if Customer.objects.count() < args.background:
        call_command("seed_demo", customers=args.background, seed=42, with_users=True, if_empty=True)
    owner = get_user_model().objects.get(username="account_manager")
    customer = Customer.objects.filter(name=MARKER).first()
    made: dict[str, int] = {}
    if customer is None:
        admin = get_user_model().objects.get(username="admin")
        customer = customer_create(actor=admin, kind="E", name=MARKER, status="prospect", owner=owner)
        kinds = [kind for kind in FACTORIES if kind in TIMELINE_SOURCES]
        rng = random.Random(args.seed)
        for index, kind in enumerate(kinds):
            share = args.events // len(kinds) + (1 if index < args.events % len(kinds) else 0)
            made[kind] = FACTORIES[kind](customer, owner, share, rng)
    return customer, owner, made


def timed(get: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
    from django.db import connection, reset_queries

    get()  # warm
    timings = []
    connection.force_debug_cursor = True
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        response = get()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    return timings, queries


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from freightcrm.api.services import api_token_issue
    from freightcrm.service.timeline import TIMELINE_SOURCES, Cursor, customer_timeline

    customer, owner, made = prepare(args)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(owner)
    url = reverse("customer_timeline", args=[customer.pk])

    cursor: Cursor | None = None
    walked = 0
    while walked < args.events // 2:
        page = customer_timeline(owner, customer, cursor=cursor, page_size=200, with_counts=False)
        walked += len(page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break
    deep = cursor.encode() if cursor else ""
    token = api_token_issue(user=owner, name="bench.timeline").value
    api = f"/api/v1/customers/{customer.code}/timeline"
    cases: dict[str, Callable[[], Any]] = {
        "page_first": lambda: client.get(url),
        "page_deep": lambda: client.get(url, {"cursor": deep}),
        "page_one_kind": lambda: client.get(url, {"kind": "shipment"}),
        "api_first": lambda: client.get(api, headers={"Authorization": f"Bearer {token}"}),
        "api_deep": lambda: client.get(api, {"cursor": deep}, headers={"Authorization": f"Bearer {token}"}),
    }
    results = {}
    for name, get in cases.items():
        timings, queries = timed(get, args.repeat)
        results[name] = {**summary(timings), "queries": queries}
    counts = {
        source.kind: source.count(owner, customer)
        for source in TIMELINE_SOURCES.values()
        if source.visible_to(owner)
    }
    return {
        "benchmark": "timeline",
        "machine": machine_info(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "sizes": {
            "events": sum(counts.values()),
            "by_kind": counts,
            "made_now": made,
            "registered_kinds": sorted(TIMELINE_SOURCES),
            "deep_page_after_entries": walked,
            "page_size": 50,
        },
        "repeat": args.repeat,
        "goal": "timeline page of a customer with 5,000 events <= 300 ms",
        "results": results,
        "p95_within_goal": all(r["p95_ms"] <= 300 for r in results.values()),
        "worst_p95_ms": max(r["p95_ms"] for r in results.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5_000, help="timeline events of the benchmark customer")
    parser.add_argument("--background", type=int, default=2_000, help="seed this many customers first")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="", help="added to the result file's name")
    args = parser.parse_args()
    result = run(args)
    label = f"-{args.label}" if args.label else ""
    events = result["sizes"]["events"]
    path = write_result(f"timeline-{result['database']}-{events}{label}", result)
    print(f"events {result['sizes']['by_kind']}")
    for case, figures in result["results"].items():
        print(
            f"  {case:14} p50 {figures['p50_ms']:7.2f}  p95 {figures['p95_ms']:7.2f}  "
            f"max {figures['max_ms']:7.2f} ms  {figures['queries']} queries"
        )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
