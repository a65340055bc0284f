"""An idle worker waits on its queues for as long as RQ asks, without its Redis socket timing out."""

from __future__ import annotations

import dataclasses

import pytest
from rq.exceptions import DequeueTimeout
from rq.queue import Queue

from workers.worker import build_worker, worker_connection


def test_an_idle_worker_waits_out_its_dequeue_timeout_without_a_socket_timeout(settings):
    # A heartbeat lifetime of 22 s makes RQ block 7 s on its queues: longer than redis-py's default
    # 5 s socket timeout, which a connection opened before RQ raises the pool's timeout keeps.
    own = dataclasses.replace(settings, worker_ttl=22)
    connection = worker_connection(own)
    connection.ping()  # the sweeper and the warm-up use the client before RQ's worker is built
    worker = build_worker(connection, own)
    assert worker.dequeue_timeout > 5
    with pytest.raises(DequeueTimeout):  # nothing arrived: RQ's own "no job", not a Redis error
        Queue.dequeue_any(worker.queues, worker.dequeue_timeout, connection=connection)
