"""`python -m bench.search`: latency of the one customer search over a seeded archive.

Takes an archive that `seed_demo` filled (DATABASE_URL, or the SQLite file in FREIGHTCRM_DATA_DIR),
draws a few hundred queries from its own rows — the kinds front desk types: two Chinese characters
of a name, a longer fragment, pinyin initials, full pinyin, the last four digits of a phone, a
whole phone number, a customer code, a credit code, a contact's name, and a name with one typo —
then runs each through `customers.search.customer_search` as a user who sees every customer and as
an account manager who sees only their own, and reports p50/p95/p99 per kind. Each query also says
whether the customer it was drawn from is on the first page (a relevance check, not a timing).

    FREIGHTCRM_DATA_DIR=/work/bench-data/sqlite-1m python -m bench.search
    DATABASE_URL=postgres://postgres@127.0.0.1/freightcrm_1m python -m bench.search
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any

from bench.common import machine_info, setup_django, summary, write_result

PER_KIND = 30


def sample_customers(count: int, rng: random.Random) -> list[Any]:
    """`count` customers spread over the id range, with their contacts (no ORDER BY random())."""
    from freightcrm.customers.models import Customer

    bounds = Customer.objects.order_by("pk").values_list("pk", flat=True)
    low, high = bounds.first(), bounds.last()
    if low is None or high is None:
        raise SystemExit("The archive is empty: seed it first (freightcrm seed_demo --customers N).")
    picked: dict[int, Any] = {}
    while len(picked) < count:
        start = rng.randint(low, high)
        customer = Customer.objects.filter(pk__gte=start).prefetch_related("contacts").order_by("pk").first()
        if customer is not None:
            picked[customer.pk] = customer
    return list(picked.values())


def make_queries(customers: list[Any], rng: random.Random) -> list[tuple[str, str, int]]:
    """(kind, query, id of the customer it was drawn from)."""
    from pypinyin import lazy_pinyin

    from freightcrm.customers.search import fold, name_stem_length

    queries: dict[str, list[tuple[str, str, int]]] = {}

    def add(kind: str, text: str, customer: Any) -> None:
        bucket = queries.setdefault(kind, [])
        if text and len(bucket) < PER_KIND:
            bucket.append((kind, text, customer.pk))

    for customer in customers:
        name = fold(customer.name).replace("-", "")
        stem = name[: name_stem_length(name)]
        if len(stem) >= 2 and not stem.isascii():
            start = rng.randrange(len(stem) - 1)
            add("name_2_chars", stem[start : start + 2], customer)
            if len(stem) >= 4:
                start = rng.randrange(len(stem) - 3)
                add("name_4_chars", stem[start : start + 4], customer)
            syllables = lazy_pinyin(stem)
            add("pinyin_initials", "".join(piece[0] for piece in syllables[:4]), customer)
            add("pinyin_full", "".join(syllables[:2]), customer)
            if len(stem) >= 4:
                position = rng.randrange(1, len(stem) - 1)
                typo = stem[:position] + rng.choice("的一是在不了有和人这中大为上个国") + stem[position + 1 :]
                add("name_one_typo", typo, customer)
        if customer.mobile:
            add("phone_last_4", customer.mobile[-4:], customer)
            add("phone_full", customer.mobile, customer)
        add("customer_code", customer.code, customer)
        if customer.uscc:
            add("credit_code", customer.uscc, customer)
        contacts = list(customer.contacts.all())
        if contacts:
            add("contact_name", rng.choice(contacts).name, customer)
    mixed = [query for bucket in queries.values() for query in bucket]
    rng.shuffle(mixed)
    return mixed


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from freightcrm.customers.models import Customer, SearchTerm
    from freightcrm.customers.search import customer_search

    rng = random.Random(args.seed)
    users = get_user_model().objects
    viewers = {"manager": users.get(username="manager")}
    if args.account_manager:
        viewers["account_manager"] = users.get(username="account_manager")
    customers = Customer.objects.count()
    terms = SearchTerm.objects.count()
    if not terms:
        raise SystemExit("The search index is empty: run freightcrm rebuild_search_index first.")
    queries = make_queries(sample_customers(args.sample, rng), rng)
    for _kind, text, _pk in queries[:20]:  # warm the caches the way a running server has them
        customer_search(viewers["manager"], q=text)
    results: dict[str, Any] = {}
    for role, user in viewers.items():
        timings: dict[str, list[float]] = {}
        found: dict[str, int] = {}
        for kind, text, pk in queries:
            for _ in range(args.repeat):
                started = time.perf_counter()
                page = customer_search(user, q=text, page_size=20)
                elapsed = (time.perf_counter() - started) * 1000
                timings.setdefault(kind, []).append(elapsed)
            found[kind] = found.get(kind, 0) + any(customer.pk == pk for customer in page.customers)
        every = [value for values in timings.values() for value in values]
        results[role] = {
            "all": summary(every),
            "by_kind": {
                kind: {
                    **summary(values),
                    "source_on_first_page": f"{found[kind]}/{len(values) // args.repeat}",
                }
                for kind, values in sorted(timings.items())
            },
        }
    return {
        "benchmark": "search",
        "machine": machine_info(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "sizes": {"customers": customers, "search_terms": terms, "queries": len(queries)},
        "repeat": args.repeat,
        "goal": "p95 <= 50 ms at 1,000,000 customers",
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sample", type=int, default=400, help="customers to draw queries from")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-account-manager", dest="account_manager", action="store_false")
    parser.add_argument("--label", default="", help="added to the result file's name")
    args = parser.parse_args()
    result = run(args)
    size = result["sizes"]["customers"]
    label = f"-{args.label}" if args.label else ""
    path = write_result(f"search-{result['database']}-{size}{label}", result)
    for role, figures in result["results"].items():
        print(f"{role}: all {figures['all']}")
        for kind, values in figures["by_kind"].items():
            print(
                f"  {kind:16} p50 {values['p50_ms']:7.2f}  p95 {values['p95_ms']:7.2f}  "
                f"p99 {values['p99_ms']:7.2f} ms  found {values['source_on_first_page']}"
            )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
