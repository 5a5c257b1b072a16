"""Demo complaints: about 1.4 per 1,000 shipments, twice that in peak season (Nov–Jan, before the
Spring Festival), deterministic per seed.

Shipments are picked by a hash of their id in SQL (`(id × 2654435761 + salt) mod 1,000,000 < t`), so
the database scans the shipments once and hands back only the few thousandths that get a complaint;
everything after that is per complaint, never per shipment. Each complaint's story (category, times,
outcome) comes from a random stream seeded by the run's seed and the shipment id, so the same seed
gives the same complaints whatever the batch sizes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField
from django.utils import timezone

from freightcrm.core.models import CodeSequence
from freightcrm.service.complaints.choices import Action, Confirmation, Escalation, State
from freightcrm.service.complaints.models import Complaint, ComplaintCategory, ComplaintEvent, ComplaintTarget
from freightcrm.service.complaints.services import complaint_number
from freightcrm.shipments.models import Shipment

HASH_MULTIPLIER = 2654435761  # Knuth's multiplicative hash; id × it stays inside 64 bits below 3·10⁹ ids
HASH_RANGE = 1_000_000
BASE_PER_MILLE = 1.4
PEAK_FACTOR = 2.0
PEAK_MONTHS = {11, 12, 1}
BATCH = 2_000

ROOT_WEIGHTS = {
    "delay": 34,
    "damage": 16,
    "loss": 5,
    "billing": 14,
    "attitude": 9,
    "information": 16,
    "other": 6,
}
SEVERITY_WEIGHTS = {"low": 20, "normal": 55, "high": 20, "critical": 5}
CHANNEL_WEIGHTS = {
    "phone": 45,
    "wechat": 22,
    "online_form": 12,
    "email": 6,
    "on_site": 4,
    "letter": 1,
    "regulator": 10,
}

DESCRIPTIONS: dict[str, list[str]] = {
    "delay": [
        "运单{waybill}承诺{promised}送达，至今未到，收货方多次催问，客户要求说明原因并尽快派送。",
        "货物在{origin}网点积压两天未揽收发出，客户生产线等料，要求加急处理。",
        "{destination}中转场滞留超过48小时，轨迹一直停在“到达分拨中心”，客户对时效非常不满。",
        "派送员未按约定时间上门，客户等了一整天，要求重新预约并给出说法。",
    ],
    "damage": [
        "收货时发现外箱严重挤压变形，内件{cargo}有明显破损，客户已拍照留证，要求赔偿。",
        "运单{waybill}货物外包装潮湿，部分货物受潮无法使用，客户要求核实运输途中情况。",
        "易碎品未按要求加固，开箱发现两件损坏，客户要求按声明价值理赔。",
    ],
    "loss": [
        "运单{waybill}共{pieces}件，签收时只收到部分，短少的货物至今下落不明。",
        "轨迹显示已签收，但收货方表示从未收到货物，客户怀疑被冒签，要求调查。",
    ],
    "billing": [
        "运单{waybill}实际重量与计费重量相差较大，客户认为多收了运费，要求复核并退还差额。",
        "月结对账单中出现重复扣费，客户财务要求逐笔核对并开具红字发票。",
        "客户反映报价与实际收费不一致，附加费未事先告知。",
    ],
    "attitude": [
        "快递员上门取件时态度生硬，拒绝协助搬运，客户投诉服务态度差。",
        "客服热线多次转接无人解决问题，客户情绪激动，要求主管回电。",
    ],
    "information": [
        "运单{waybill}物流轨迹三天未更新，客户无法向其下游客户说明货物位置。",
        "到货前未收到任何电话或短信通知，收货方不在现场导致二次派送。",
    ],
    "other": [
        "客户对回单返还不及时表示不满，影响其与下游结算。",
        "客户建议增加夜间提货时段，并对现有预约流程提出意见。",
    ],
}
RESOLUTIONS: dict[str, list[str]] = {
    "delay": [
        "已协调中转场优先发运并安排专人派送，向客户致歉并减免部分运费。",
        "查明为干线车辆故障所致，已改派他车，货物次日送达。",
    ],
    "damage": [
        "经现场勘验确认运输途中破损，按声明价值赔付，并加强该线路装卸培训。",
        "已补发同款货物并赔偿损失，包装标准已更新。",
    ],
    "loss": [
        "经全网查找找回部分货物，余下部分按保价条款赔付。",
        "确认为派送环节冒签，已按货值全额赔付并处理责任人。",
    ],
    "billing": [
        "复核计费重量后确认多收，差额已退回客户账户并重开发票。",
        "核对账单后确认重复扣费，已冲正并向客户财务说明。",
    ],
    "attitude": [
        "已约谈相关人员并纳入考核，主管致电客户道歉，客户表示接受。",
        "已对热线流程整改，专人跟进并回电客户。",
    ],
    "information": [
        "已补录轨迹并排查扫描设备问题，向客户说明货物实时位置。",
        "已完善到货通知流程，对该客户开通短信和微信双通知。",
    ],
    "other": ["已记录客户建议并反馈相关部门，专人回访说明改进计划。", "已加快回单返还，并约定每周汇总寄回。"],
}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _is_peak(moment: dt.datetime) -> bool:
    return timezone.localtime(moment).month in PEAK_MONTHS


def plant_complaints(
    *,
    seed: int,
    today: dt.date,
    first_customer_id: int = 0,
    per_mille: float = BASE_PER_MILLE,
    salt: int = 0,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
    set_total: Callable[[int], None] | None = None,
) -> int:
    """Add complaints to the shipments of customers with id ≥ `first_customer_id`; returns how many.

    `per_mille` is the off-peak rate per 1,000 shipments (peak months get `PEAK_FACTOR` times it);
    `salt` picks a different set of shipments (the benchmark's top-up); shipments that already have a
    complaint are skipped.
    """
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(18, 0)))
    peak_threshold = min(HASH_RANGE, round(per_mille * PEAK_FACTOR * HASH_RANGE / 1000))
    base_threshold = round(per_mille * HASH_RANGE / 1000)
    mix = (seed * 7919 + salt * 104729) % HASH_RANGE
    hashed = ExpressionWrapper((F("id") * HASH_MULTIPLIER + mix) % HASH_RANGE, output_field=IntegerField())
    candidates = (
        Shipment.objects.filter(customer_id__gte=first_customer_id, booked_at__lt=now)
        .annotate(pick=hashed)
        .filter(pick__lt=peak_threshold)
        .values_list(
            "id",
            "pick",
            "customer_id",
            "customer__owner_id",
            "booked_at",
            "promised_at",
            "waybill_no",
            "origin_city",
            "destination_city",
            "cargo_type",
        )
        .order_by()
    )
    taken = set(Complaint.objects.exclude(shipment=None).values_list("shipment_id", flat=True))
    rows = [
        row
        for row in candidates.iterator(chunk_size=BATCH)
        if row[0] not in taken and (row[1] < base_threshold or _is_peak(row[4]))
    ]
    rows.sort(key=lambda row: row[0])
    if limit is not None:
        rows = rows[:limit]
    if set_total:
        set_total(len(rows))
    categories = _categories()
    targets = {t.severity: t for t in ComplaintTarget.objects.all()}
    fallback_handlers = list(
        User.objects.filter(is_active=True, groups__name__in=["operations", "manager"])
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    plans = []
    for row in rows:
        plan = _plan(
            random.Random(seed * 1_000_003 + row[0]),  # noqa: S311 - demo data is deterministic on purpose
            row,
            categories,
            targets,
            fallback_handlers,
            now,
        )
        if plan is not None:
            plans.append(plan)
    plans.sort(key=lambda plan: (plan[0].received_at, plan[0].shipment_id))
    _number(plans)
    written = 0
    for start in range(0, len(plans), BATCH):
        chunk = plans[start : start + BATCH]
        with transaction.atomic():
            complaints = Complaint.objects.bulk_create([complaint for complaint, _events in chunk])
            events = []
            for complaint, steps in zip(complaints, (steps for _c, steps in chunk), strict=True):
                for step in steps:
                    step.complaint_id = complaint.pk
                    events.append(step)
            ComplaintEvent.objects.bulk_create(events, batch_size=BATCH)
        written += len(chunk)
        if progress:
            progress(len(chunk))
    return written


def _categories() -> dict[str, list[ComplaintCategory]]:
    by_root: dict[str, list[ComplaintCategory]] = defaultdict(list)
    roots = {c.pk: c for c in ComplaintCategory.objects.filter(parent=None)}
    for category in ComplaintCategory.objects.exclude(parent=None):
        if category.parent_id in roots:
            by_root[roots[category.parent_id].code].append(category)
    for root in roots.values():
        if not by_root.get(root.code):
            by_root[root.code] = [root]
    return by_root


def _number(plans: list[tuple[Complaint, list[ComplaintEvent]]]) -> None:
    """Numbers per day of receipt, after any the day already has; the sequences move past them."""
    days: dict[str, int] = {}
    for complaint, _events in plans:
        prefix = f"TS{timezone.localdate(complaint.received_at):%Y%m%d}"
        if prefix not in days:
            days[prefix] = (
                CodeSequence.objects.filter(prefix=prefix).values_list("last_value", flat=True).first() or 0
            )
        days[prefix] += 1
        complaint.number = complaint_number(timezone.localdate(complaint.received_at), days[prefix])
    with transaction.atomic():
        for prefix, last in days.items():
            CodeSequence.objects.update_or_create(prefix=prefix, defaults={"last_value": last})


def _plan(
    rng: random.Random,
    row: tuple[Any, ...],
    categories: dict[str, list[ComplaintCategory]],
    targets: dict[str, ComplaintTarget],
    fallback_handlers: list[int],
    now: dt.datetime,
) -> tuple[Complaint, list[ComplaintEvent]] | None:
    (
        shipment_id,
        _pick_value,
        customer_id,
        owner_id,
        booked_at,
        promised_at,
        waybill,
        origin,
        destination,
        cargo,
    ) = row
    root = _pick(rng, ROOT_WEIGHTS)
    category = rng.choice(categories[root])
    severity = _pick(rng, SEVERITY_WEIGHTS)
    if root == "loss" and severity == "low":
        severity = "high"
    local = timezone.localtime(booked_at + dt.timedelta(days=rng.randint(1, 9)))
    received_at = local.replace(
        hour=rng.randint(8, 20), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0
    )
    if received_at >= now:
        return None
    target = targets[severity]
    response_due = received_at + dt.timedelta(hours=target.response_hours)
    resolution_due = received_at + dt.timedelta(hours=target.resolution_hours)
    response_share = rng.uniform(0.05, 0.95) if rng.random() < 0.88 else rng.uniform(1.1, 4.0)
    resolution_share = rng.uniform(0.2, 0.95) if rng.random() < 0.85 else rng.uniform(1.05, 2.5)
    acknowledged = received_at + dt.timedelta(hours=target.response_hours * response_share)
    resolved = received_at + dt.timedelta(hours=target.resolution_hours * resolution_share)
    resolved = max(resolved, acknowledged + dt.timedelta(minutes=30))
    investigating = acknowledged + (resolved - acknowledged) * rng.uniform(0.05, 0.3)
    closed = resolved + dt.timedelta(hours=rng.uniform(12, 96))
    handler_id = owner_id or (
        fallback_handlers[customer_id % len(fallback_handlers)] if fallback_handlers else None
    )
    text = rng.choice(DESCRIPTIONS[root]).format(
        waybill=waybill,
        origin=origin,
        destination=destination,
        pieces=rng.randint(2, 12),
        cargo="货物",
        promised=timezone.localtime(promised_at).strftime("%m月%d日") if promised_at else "约定时间",
    )
    complaint = Complaint(
        customer_id=customer_id,
        shipment_id=shipment_id,
        channel=_pick(rng, CHANNEL_WEIGHTS),
        category=category,
        severity=severity,
        description=text,
        handler_id=handler_id,
        state=State.RECEIVED,
        received_at=received_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        created_at=received_at,
        updated_at=received_at,
    )
    events = [ComplaintEvent(action=Action.FILE, to_state=State.RECEIVED, at=received_at)]

    def step(action: str, state: str, at: dt.datetime, note: str = "") -> None:
        events.append(
            ComplaintEvent(
                action=action,
                from_state=complaint.state,
                to_state=state,
                at=at,
                actor_id=handler_id,
                note=note,
            )
        )
        complaint.state = state

    if acknowledged <= now:
        complaint.acknowledged_at = acknowledged
        step(Action.ACKNOWLEDGE, State.ACKNOWLEDGED, acknowledged)
    if investigating <= now and complaint.acknowledged_at:
        complaint.investigating_at = investigating
        step(Action.INVESTIGATE, State.INVESTIGATING, investigating)
    if resolved <= now and complaint.investigating_at:
        complaint.resolved_at = resolved
        complaint.resolution = rng.choice(RESOLUTIONS[root])
        if root in ("damage", "loss") or (root in ("delay", "billing") and rng.random() < 0.3):
            complaint.compensation_amount = Decimal(rng.randrange(50, 3000 if root == "loss" else 1200, 10))
        step(Action.RESOLVE, State.RESOLVED, resolved, complaint.resolution)
        answer = rng.random()
        if answer < 0.87:
            complaint.confirmation = Confirmation.CONFIRMED if answer < 0.8 else Confirmation.DISPUTED
            complaint.confirmed_at = resolved + dt.timedelta(hours=rng.uniform(2, 48))
            if complaint.confirmation == Confirmation.DISPUTED:
                complaint.confirmation_note = "客户认为赔付金额偏低，保留进一步申诉的权利。"
            if complaint.confirmed_at > now:
                complaint.confirmation, complaint.confirmed_at, complaint.confirmation_note = "", None, ""
        if closed <= now:
            complaint.closed_at = closed
            step(Action.CLOSE, State.CLOSED, closed)
    levels = []
    if (complaint.acknowledged_at or now) > response_due and response_due < now:
        levels.append((Escalation.RESPONSE, response_due))
    if (complaint.resolved_at or now) > resolution_due and resolution_due < now:
        levels.append((Escalation.RESOLUTION, resolution_due))
    if levels:
        complaint.escalation_level = levels[-1][0]
        complaint.escalated_at = levels[0][1]
        for level, at in levels:
            events.append(
                ComplaintEvent(
                    action=Action.ESCALATE,
                    from_state="",
                    to_state="",
                    at=at,
                    note=str(Escalation(level).label),
                )
            )
        events.sort(key=lambda event: event.at)
    complaint.updated_at = max(event.at for event in events)
    return complaint, events


def demo_complaints(context: Any) -> int:
    """The DemoStep: complaints for the shipments of the customers this seed run filed."""
    return plant_complaints(
        seed=context.seed,
        today=context.today,
        first_customer_id=context.first_customer_id,
        progress=context.progress,
        set_total=context.set_total,
    )


__all__ = ["demo_complaints", "plant_complaints"]
