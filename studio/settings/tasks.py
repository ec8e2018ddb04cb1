from celery import shared_task

from .services import watermark_rerender_run


@shared_task(acks_late=True)
def rerender_watermarks(job_id: int) -> int:
    """Re-renders the previews of one watermark change; redelivered if the worker dies and
    resumed where it stopped."""
    return watermark_rerender_run(job_id=job_id).done
