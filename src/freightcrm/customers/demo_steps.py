"""Demo data other apps add after the main seed: the registry `seed_demo` runs, kept apart from the
generator (`customers.demo`) so registering a step at start-up imports nothing heavy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module


@dataclass
class DemoStepContext:
    """What a later demo step gets: the run's seed and date, the customers it added, a progress bar."""

    seed: int
    today: dt.date
    years: int
    first_customer_id: int  # customers with this id or above were filed by this run
    progress: Callable[[int], None]  # call with the number of units just done
    set_total: Callable[[int], None]  # the bar's total, once the step knows it


@dataclass(frozen=True)
class DemoStep:
    """Demo data another app adds after the archive and shipments are in (complaints, visits…).

    Apps above `customers` register their steps in `AppConfig.ready()`; `seed_demo` runs them in
    `order` after the main load, each with its own progress bar labelled `label`. `run` returns the
    number of rows it wrote; it must be deterministic for a given seed and set-wise (batched or
    SQL), fast enough for a million customers.
    """

    key: str
    label: str
    run: Callable[[DemoStepContext], int]
    order: int = 100


DEMO_STEPS: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> None:
    DEMO_STEPS[:] = sorted([s for s in DEMO_STEPS if s.key != step.key] + [step], key=lambda s: s.order)


def run_later(module: str, name: str = "run") -> Callable[[DemoStepContext], int]:
    """A step's `run` that imports `module` only when the seed runs it (demo code is big, and web
    and worker processes never seed)."""

    def run(context: DemoStepContext) -> int:
        step: Callable[[DemoStepContext], int] = getattr(import_module(module), name)
        return step(context)

    return run
