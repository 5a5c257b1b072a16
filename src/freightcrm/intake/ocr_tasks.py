"""Background task of OCR intake (django-tasks): reading an image takes 1–4 s or more, so the upload
page answers at once and a progress page polls the scan's state."""

from __future__ import annotations

from django_tasks import task

from freightcrm.intake.models import OcrScan


@task()
def read_scan(scan_id: int) -> str:
    """Read one uploaded scan; returns its state. An unexpected failure is kept on the scan too."""
    from freightcrm.intake.choices import OcrState
    from freightcrm.intake.scans import scan_read

    scan = OcrScan.objects.filter(pk=scan_id).first()
    if scan is None or scan.state not in (OcrState.WAITING, OcrState.READING):
        return "skipped"
    try:
        return scan_read(scan).state
    except Exception as error:
        message = f"{type(error).__name__}: {error}"
        OcrScan.objects.filter(pk=scan_id).update(state=OcrState.FAILED, message=message)
        raise
