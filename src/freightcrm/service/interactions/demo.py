"""Demo calls and notes: the key accounts (the customers the visit rules select) about every three to
six weeks, and one customer in forty of the others now and then. Deterministic per seed, batched."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models.functions import Mod

from freightcrm.customers.demo_steps import DemoStepContext
from freightcrm.customers.models import Customer
from freightcrm.service.interactions.choices import Direction, InteractionKind
from freightcrm.service.interactions.models import Interaction
from freightcrm.service.visits.demo import (
    at_work,
    customer_batches,
    insert_instances,
    picked_customers,
    stream,
)

BATCH = 500
SAMPLE_EVERY = 40  # one customer in this many of those no rule selects gets a few calls and notes
KINDS = (
    (InteractionKind.CALL, 45),
    (InteractionKind.WECHAT, 25),
    (InteractionKind.NOTE, 15),
    (InteractionKind.EMAIL, 10),
    (InteractionKind.MEETING, 5),
)
SUMMARIES: dict[str, tuple[str, ...]] = {
    InteractionKind.CALL: (
        "{contact}来电询问单号 {n} 的到货时间，已告知预计明日送达。",
        "致电{contact}确认下周发货量，约 {n} 票。",
        "{contact}来电咨询新线路报价，已转销售跟进。",
        "致电{contact}提醒对账单已发送，请于月底前确认。",
    ),
    InteractionKind.WECHAT: (
        "{contact}微信发来下月发货计划，共 {n} 票。",
        "微信通知{contact}春节期间收发货安排。",
        "{contact}微信反馈一票货物签收延迟，已登记并回复。",
    ),
    InteractionKind.NOTE: (
        "客户内部调整，物流对接人后续可能变更，需关注。",
        "客户计划年中招标，注意提前准备方案。",
        "客户对价格敏感，报价需经经理审批。",
    ),
    InteractionKind.EMAIL: (
        "向{contact}发送 {n} 月对账单及发票。",
        "{contact}邮件确认新版运输合同条款。",
    ),
    InteractionKind.MEETING: (
        "与{contact}召开季度业务回顾会，回顾时效与货损指标。",
        "与{contact}商谈仓储外包方案。",
    ),
}


def _pick(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in pairs], [weight for _, weight in pairs])[0]


def _for(
    rng: random.Random,
    customer_id: int,
    contacts: list[tuple[int, str]],
    owner_id: int,
    start: dt.date,
    today: dt.date,
    per_month: float,
) -> list[Interaction]:
    rows: list[Interaction] = []
    day = start + dt.timedelta(days=rng.randint(0, 40))
    mean_gap = 30 / per_month
    while day < today:
        kind = _pick(rng, KINDS)
        contact = rng.choice(contacts) if contacts and kind != InteractionKind.NOTE else None
        name = contact[1] if contact else "客户"
        summary = rng.choice(SUMMARIES[kind]).format(contact=name, n=rng.randint(2, 60))
        direction = ""
        if kind != InteractionKind.NOTE:  # who started it follows from the sentence
            inbound = any(word in summary for word in ("来电", "发来", "反馈", "邮件确认"))
            direction = Direction.INBOUND if inbound else Direction.OUTBOUND
        rows.append(
            Interaction(
                customer_id=customer_id,
                contact_id=contact[0] if contact else None,
                kind=kind,
                direction=direction,
                at=at_work(rng, day),
                summary=summary,
                staff_id=owner_id,
            )
        )
        day += dt.timedelta(days=max(1, round(rng.expovariate(1 / mean_gap))))
    return rows


def run(ctx: DemoStepContext) -> int:
    start = ctx.today - dt.timedelta(days=365 * ctx.years)
    picked = {p.customer_id: p for p in picked_customers(ctx)}
    others = list(
        Customer.objects.filter(pk__gte=ctx.first_customer_id, owner__isnull=False, status="active")
        .annotate(slot=Mod("pk", SAMPLE_EVERY))
        .filter(slot=0)
        .values_list("pk", "owner_id")
    )
    others = [(pk, owner_id) for pk, owner_id in others if pk not in picked]
    work = [(p.customer_id, p.owner_id, 1.2 if p.interval <= 1 else 0.6) for p in picked.values()] + [
        (pk, owner_id, 0.15) for pk, owner_id in others
    ]
    work.sort()
    written = 0
    for chunk, contacts in customer_batches(ctx, work, BATCH, lambda item: item[0]):
        rows: list[Interaction] = []
        for customer_id, owner_id, per_month in chunk:
            rng = stream(ctx.seed, "interactions", customer_id - ctx.first_customer_id)
            rows += _for(
                rng, customer_id, contacts.get(customer_id, []), owner_id, start, ctx.today, per_month
            )
        with transaction.atomic():
            written += insert_instances(Interaction, rows)
    return written
