from datetime import datetime, timedelta, timezone

import pytest

from app.models import Status, TaskIn
from app.store import TaskNotFound, TaskStore

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_create_and_list_in_id_order():
    s = TaskStore()
    a = s.create(TaskIn(title="write spec"), now=T0)
    b = s.create(TaskIn(title="review spec", assignee="lina"), now=T0)
    assert [t.id for t in s.list()] == [a.id, b.id]
    assert s.list(assignee="lina") == [b]


def test_complete_keeps_first_completion_time():
    s = TaskStore()
    t = s.create(TaskIn(title="ship"), now=T0)
    s.complete(t.id, now=T0 + timedelta(hours=1))
    s.complete(t.id, now=T0 + timedelta(hours=2))
    assert s.get(t.id).done_at == T0 + timedelta(hours=1)


def test_archive_only_tasks_done_long_ago():
    s = TaskStore()
    old = s.create(TaskIn(title="old"), now=T0)
    new = s.create(TaskIn(title="new"), now=T0)
    s.complete(old.id, now=T0)
    s.complete(new.id, now=T0 + timedelta(days=29))
    assert s.archive_finished(now=T0 + timedelta(days=31)) == 1
    assert s.get(old.id).status == Status.ARCHIVED
    assert s.get(new.id).status == Status.DONE


def test_unknown_task():
    with pytest.raises(TaskNotFound):
        TaskStore().get(99)
