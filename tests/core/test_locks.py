"""core.locks.transaction_lock: a named lock held until the transaction ends
(what the comments' duplicate rule runs under; the concurrent test is
tests/comments/test_concurrency.py)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError

from core.locks import transaction_lock

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses_rather_than_lock_nothing():
    with pytest.raises(TransactionManagementError):
        transaction_lock("anything")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's transaction mode")
def test_on_sqlite_it_needs_immediate_transactions(monkeypatch):
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "transaction_mode", "DEFERRED")

    with transaction.atomic(), pytest.raises(TransactionManagementError):
        transaction_lock("anything")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory locks")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_second_connection_waits_for_the_first_to_commit():
    held, released, waited = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                transaction_lock("the same name")
                held.set()
                released.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            held.wait(10)
            started = time.monotonic()
            with transaction.atomic():
                transaction_lock("the same name")
                waited.append(time.monotonic() - started)
            with transaction.atomic():
                transaction_lock("another name")  # never waits for the first
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    held.wait(10)
    time.sleep(0.3)
    assert not waited  # still waiting
    released.set()
    for thread in threads:
        thread.join(10)
    assert waited and waited[0] >= 0.3
