"""Demo return visits: two years of visits per the rules, the next one planned (some overdue).

Set-wise and deterministic: only the customers the rules select are read (at a million customers,
a few percent), in batches, each customer with its own random stream keyed by the seed and its
position in the run. The demo tags 战略客户 and VIP are given to the top of the 重点客户 by annual
logistics spend (15% and the next 35%), so the default rules have customers to pick.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection, models, transaction
from django.utils import timezone

from freightcrm.core.bulk import insert_rows
from freightcrm.customers.demo import reserve_ids
from freightcrm.customers.demo_steps import DemoStepContext
from freightcrm.customers.models import Contact, Customer, Tag
from freightcrm.service.visits.choices import VisitMode, VisitOutcome, VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit, VisitRule
from freightcrm.service.visits.services import add_months, rule_customers

BATCH = 2_000
KEY_ACCOUNT_TAG = "重点客户"
DEMO_TIERS = (("战略客户", 0.15, "战略合作伙伴：每月回访"), ("VIP", 0.35, "VIP 客户：每季度回访"))
OUTCOMES = (
    (VisitOutcome.POSITIVE, 52),
    (VisitOutcome.NEUTRAL, 20),
    (VisitOutcome.OPPORTUNITY, 13),
    (VisitOutcome.CONCERN, 11),
    (VisitOutcome.UNREACHABLE, 4),
)
CONTENT: dict[str, tuple[str, ...]] = {
    VisitOutcome.POSITIVE: (
        "客户对近期时效和货损情况表示满意，{contact}确认下季度发货计划与本季度持平。",
        "回顾本月发运情况，准时率稳定；{contact}对驻场客服的响应速度给予肯定。",
        "与{contact}沟通年度合同执行情况，双方合作顺畅，无待解决问题。",
    ),
    VisitOutcome.NEUTRAL: (
        "例行回访，{contact}表示近期业务量平稳，暂无新需求。",
        "电话回访{contact}，核对联系人与收货地址信息，无变更。",
    ),
    VisitOutcome.OPPORTUNITY: (
        "{contact}透露公司将在华南新设仓库，有新增干线与仓储需求，约定下周报价。",
        "客户计划拓展冷链品类，{contact}希望了解我司冷链线路与温控方案。",
        "旺季临近，{contact}询问增加临时运力的可能性与价格。",
    ),
    VisitOutcome.CONCERN: (
        "{contact}反映上月两票货物晚到，影响其下游交付，要求说明原因并改进。",
        "客户对近期对账差异有意见，{contact}希望尽快核对并调整账单。",
        "{contact}提到竞争对手报价更低，对我司价格表示顾虑。",
    ),
    VisitOutcome.UNREACHABLE: ("多次致电{contact}未接通，已发微信留言，待客户回复。",),
}
NEXT_ACTIONS: dict[str, tuple[str, ...]] = {
    VisitOutcome.OPPORTUNITY: ("一周内提交报价方案", "安排方案经理上门沟通", "发送冷链线路资料"),
    VisitOutcome.CONCERN: ("调取运单轨迹，三日内书面答复", "协调财务核对账单", "申请专项价格评审"),
    VisitOutcome.UNREACHABLE: ("三日后再次联系",),
}
MODE_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    VisitMode.ON_SITE: ((VisitMode.ON_SITE, 55), (VisitMode.PHONE, 30), (VisitMode.ONLINE, 15)),
    VisitMode.PHONE: ((VisitMode.PHONE, 70), (VisitMode.ONLINE, 15), (VisitMode.ON_SITE, 15)),
    VisitMode.ONLINE: ((VisitMode.ONLINE, 60), (VisitMode.PHONE, 30), (VisitMode.ON_SITE, 10)),
}


def stream(*parts: object) -> random.Random:
    """A customer's own random stream: the same seed and position give the same data."""
    return random.Random(":".join(map(str, parts)))  # noqa: S311  (demo data is deterministic on purpose)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


@dataclass(frozen=True)
class Picked:
    """A customer of this run that a visit rule selects (the rule with the shortest interval)."""

    customer_id: int
    owner_id: int
    index: int  # position in the run: keys the customer's random streams
    rule_id: int
    interval: int
    mode: str
    since: dt.date | None
    name: str


def tag_demo_tiers(ctx: DemoStepContext) -> int:
    """Give 战略客户 and VIP to the run's 重点客户 with the highest annual logistics spend."""
    through = Customer.tags.through
    key = Tag.objects.filter(name=KEY_ACCOUNT_TAG).first()
    if key is None:
        return 0
    ranked = list(
        Customer.objects.filter(pk__gte=ctx.first_customer_id, tags=key)
        .order_by("-annual_logistics_spend", "pk")
        .values_list("pk", flat=True)
    )
    rows = []
    start = 0
    for name, share, description in DEMO_TIERS:
        tag, _created = Tag.objects.get_or_create(name=name, defaults={"description": description})
        end = start + round(len(ranked) * share)
        rows += [through(customer_id=pk, tag_id=tag.pk) for pk in ranked[start:end]]
        start = end
    through.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def picked_customers(ctx: DemoStepContext) -> Iterator[Picked]:
    """The run's customers with an account manager that the active rules select, in id order."""
    seen: set[int] = set()
    picked: list[Picked] = []
    for rule in VisitRule.objects.filter(is_active=True).order_by("interval_months", "pk"):
        rows = (
            rule_customers(rule)
            .filter(pk__gte=ctx.first_customer_id, owner__isnull=False)
            .values_list("pk", "owner_id", "cooperation_since", "name")
        )
        for pk, owner_id, since, name in rows.iterator(chunk_size=BATCH):
            if pk in seen:
                continue
            seen.add(pk)
            picked.append(
                Picked(
                    pk,
                    owner_id,
                    pk - ctx.first_customer_id,
                    rule.pk,
                    rule.interval_months,
                    rule.mode,
                    since,
                    name,
                )
            )
    picked.sort(key=lambda p: p.customer_id)
    yield from picked


def contacts_of(customer_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """Each customer's contacts (id, name), the primary contact first."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Contact.objects.filter(customer_id__in=customer_ids)
        .order_by("customer_id", "-is_primary", "pk")
        .values_list("customer_id", "pk", "name")
    )
    for customer_id, pk, name in rows:
        found[customer_id].append((pk, name))
    return found


T = TypeVar("T")
Contacts = dict[int, list[tuple[int, str]]]


def customer_batches(
    ctx: DemoStepContext, items: Sequence[T], size: int, customer_id: Callable[[T], int]
) -> Iterator[tuple[list[T], Contacts]]:
    """`items` (one per customer) in chunks of `size`, each with its customers' contacts; the step's
    progress bar moves as each chunk is done."""
    ctx.set_total(len(items))
    for first in range(0, len(items), size):
        chunk = list(items[first : first + size])
        yield chunk, contacts_of([customer_id(item) for item in chunk])
        ctx.progress(len(chunk))


def insert_instances(
    model: type[models.Model], instances: Sequence[models.Model], *, with_ids: bool = False
) -> int:
    """Write unsaved `instances` with `core.bulk.insert_rows` (COPY on PostgreSQL) instead of
    `bulk_create`, whose SQL building took most of a demo step's time. `with_ids` reserves
    consecutive ids and sets them on the instances, for rows that other rows point to.

    No validation, signals or `pre_save`: timestamps (`auto_now`) are set here, date-times go through
    the field's own conversion (UTC text on SQLite), choices are written as their plain values.
    """
    if not instances:
        return 0
    fields = [field for field in model._meta.concrete_fields if with_ids or not field.primary_key]
    if with_ids:
        first = reserve_ids(model, len(instances))
        for offset, instance in enumerate(instances):
            instance.pk = first + offset
    values = operator.attrgetter(*(field.attname for field in fields))
    stamped = [
        (position, field.get_db_prep_save(timezone.now(), connection))
        for position, field in enumerate(fields)
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    moments = [
        (position, field)
        for position, field in enumerate(fields)
        if isinstance(field, models.DateTimeField) and position not in dict(stamped)
    ]
    choices = [position for position, field in enumerate(fields) if field.choices]

    def row(instance: models.Model) -> list[object]:
        cells = list(values(instance))
        for position, now in stamped:
            cells[position] = now
        for position, field in moments:
            if cells[position] is not None:
                cells[position] = field.get_db_prep_save(cells[position], connection)
        for position in choices:
            if isinstance(cells[position], enum.Enum):
                cells[position] = cells[position].value
        return cells

    return insert_rows(model, [field.attname for field in fields], (row(instance) for instance in instances))


def at_work(rng: random.Random, day: dt.date) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))
    return timezone.make_aware(moment)


def _visits_for(
    rng: random.Random, picked: Picked, contacts: list[tuple[int, str]], today: dt.date, years: int
) -> list[tuple[Visit, int | None]]:
    start = today - dt.timedelta(days=365 * years)
    if picked.since and picked.since > start:
        start = picked.since
    due = start + dt.timedelta(days=rng.randint(0, picked.interval * 30))
    behind = rng.random() < 0.12  # this account manager fell behind: the last visit is overdue
    made: list[tuple[Visit, int | None]] = []
    while True:
        visited_on = due + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 8, 12)))
        if visited_on >= today or (behind and due >= today - dt.timedelta(days=20)):
            break
        draw = rng.random()
        contact = (
            contacts[0] if contacts and rng.random() < 0.8 else (rng.choice(contacts) if contacts else None)
        )
        if draw < 0.03:
            made.append(
                (
                    Visit(
                        customer_id=picked.customer_id,
                        rule_id=picked.rule_id,
                        source=VisitSource.RULE,
                        assignee_id=picked.owner_id,
                        status=VisitStatus.CANCELLED,
                        due_on=due,
                        mode=picked.mode,
                        purpose="例行回访",
                        cancel_reason=rng.choice(("客户临时出差", "客户要求改期", "疫情管控")),
                        recorded_by_id=picked.owner_id,
                    ),
                    None,
                )
            )
        elif draw >= 0.06:  # 3% simply missed
            outcome = _weighted(rng, OUTCOMES)
            name = contact[1] if contact else "客户"
            made.append(
                (
                    Visit(
                        customer_id=picked.customer_id,
                        rule_id=picked.rule_id,
                        source=VisitSource.RULE,
                        assignee_id=picked.owner_id,
                        status=VisitStatus.DONE,
                        due_on=due,
                        mode=_weighted(rng, MODE_MIX[picked.mode]),
                        visited_at=at_work(rng, visited_on),
                        purpose="例行回访",
                        content=rng.choice(CONTENT[outcome]).format(contact=name),
                        outcome=outcome,
                        next_actions=rng.choice(NEXT_ACTIONS.get(outcome, ("",))),
                        recorded_by_id=picked.owner_id,
                    ),
                    contact[0] if contact and outcome != VisitOutcome.UNREACHABLE else None,
                )
            )
        due = add_months(due, picked.interval)
    made.append(
        (
            Visit(
                customer_id=picked.customer_id,
                rule_id=picked.rule_id,
                source=VisitSource.RULE,
                assignee_id=picked.owner_id,
                status=VisitStatus.PLANNED,
                due_on=due,
                mode=picked.mode,
                purpose="例行回访",
            ),
            None,
        )
    )
    return made


def _write(batch: list[tuple[Visit, int | None]]) -> int:
    with transaction.atomic():
        written = insert_instances(Visit, [visit for visit, _ in batch], with_ids=True)
        insert_rows(
            Visit.contacts.through,
            ("visit_id", "contact_id"),
            ((visit.pk, contact) for visit, contact in batch if contact is not None),
        )
    return written


def run(ctx: DemoStepContext) -> int:
    written = tag_demo_tiers(ctx)
    for chunk, contacts in customer_batches(
        ctx, list(picked_customers(ctx)), BATCH // 10, lambda p: p.customer_id
    ):
        batch: list[tuple[Visit, int | None]] = []
        for item in chunk:
            rng = stream(ctx.seed, "visits", item.index)
            batch += _visits_for(rng, item, contacts.get(item.customer_id, []), ctx.today, ctx.years)
        written += _write(batch)
    return written
