"""How sensitive values look to someone not allowed the full value: `3101**********1234`."""


def mask(value: str | None, *, keep_start: int = 4, keep_end: int = 4) -> str:
    if not value:
        return ""
    compact = "".join(value.split())
    if len(compact) <= keep_start + keep_end:
        return "*" * len(compact)
    return compact[:keep_start] + "*" * (len(compact) - keep_start - keep_end) + compact[-keep_end:]
