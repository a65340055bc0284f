"""The RQ queues and how each job is enqueued: timeouts, retries and failure callbacks in one place."""

from __future__ import annotations

from redis import Redis
from redis.client import Pipeline
from rq import Callback, Queue, Retry
from rq.job import Job

from .config import Settings
from .deliveries import delivery_job_id

MODERATION_QUEUE = "commentgate-moderation"
WEBHOOK_QUEUE = "commentgate-webhooks"
ALL_QUEUES = (MODERATION_QUEUE, WEBHOOK_QUEUE)


class Queues:
    def __init__(self, connection: Redis, settings: Settings) -> None:
        self.connection = connection
        self.settings = settings
        self.moderation = Queue(MODERATION_QUEUE, connection=connection)
        self.webhooks = Queue(WEBHOOK_QUEUE, connection=connection)

    def enqueue_moderation(
        self, comment_id: str, pipeline: Pipeline | None = None, job_id: str | None = None, site_id: str | None = None
    ) -> Job:
        """Queue `moderate_comment`. With a pipeline this must be its first command (RQ opens the MULTI).

        `site_id` rides in the job's meta, so the worker's log lines name the site from the job's first line.
        """
        retries = self.settings.moderation_retries
        return self.moderation.enqueue(
            "workers.jobs.moderate_comment",
            comment_id,
            job_id=job_id or f"moderate-{comment_id}",
            job_timeout=self.settings.moderation_timeout,
            retry=Retry(max=len(retries), interval=list(retries)) if retries else None,
            on_failure=Callback("workers.jobs.moderation_failed"),
            result_ttl=600,
            failure_ttl=7 * 86400,
            description=f"moderate {comment_id}",
            meta={"site_id": site_id} if site_id else None,
            pipeline=pipeline,
        )

    def enqueue_delivery(self, event_id: str, pipeline: Pipeline | None = None, job_id: str = "") -> Job:
        """Queue `deliver_webhook` for one event, once: its job id is the event's, or the one a resume gave it."""
        retries = self.settings.webhook_retries
        return self.webhooks.enqueue(
            "workers.jobs.deliver_webhook",
            event_id,
            job_id=job_id or delivery_job_id(event_id),
            job_timeout=self.settings.webhook_timeout + 5,
            retry=Retry(max=len(retries), interval=list(retries)) if retries else None,
            on_failure=Callback("workers.jobs.delivery_failed"),
            result_ttl=600,
            failure_ttl=30 * 86400,
            description=f"webhook {event_id}",
            pipeline=pipeline,
        )
