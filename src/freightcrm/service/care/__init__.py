"""Care and reminders: the due list (待办) with its daily refresh, holiday care lists, archive reviews,
and the timeline's shipment and archive-change sources."""


def ready() -> None:
    """Register the care area's due sources, timeline sources and card section (from `ready()`)."""
    from freightcrm.service.care import selectors, sources, timeline

    sources.register()
    timeline.register()
    selectors.register()
