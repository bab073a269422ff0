"""An in-memory task store. Swappable for a database-backed one with the same methods."""

from datetime import datetime, timedelta, timezone

from .models import Status, Task, TaskIn

ARCHIVE_AFTER = timedelta(days=30)


class TaskNotFound(KeyError):
    """Raised when a task id does not exist."""


class TaskStore:
    """Holds tasks in a dict keyed by id."""

    def __init__(self) -> None:
        self._tasks: dict[int, Task] = {}
        self._next_id = 1

    def create(self, data: TaskIn, now: datetime | None = None) -> Task:
        """Stores a new open task and returns it."""
        task = Task(id=self._next_id, created_at=now or _utcnow(), **data.model_dump())
        self._tasks[task.id] = task
        self._next_id += 1
        return task

    def get(self, task_id: int) -> Task:
        """Returns one task or raises TaskNotFound."""
        try:
            return self._tasks[task_id]
        except KeyError:
            raise TaskNotFound(task_id) from None

    def list(self, status: Status | None = None, assignee: str | None = None) -> list[Task]:
        """Tasks in id order, optionally filtered by status and assignee."""
        return [
            t
            for t in sorted(self._tasks.values(), key=lambda t: t.id)
            if (status is None or t.status == status)
            and (assignee is None or t.assignee == assignee)
        ]

    def complete(self, task_id: int, now: datetime | None = None) -> Task:
        """Marks a task done. Completing a done task keeps its first completion time."""
        task = self.get(task_id)
        if task.status == Status.OPEN:
            task.status = Status.DONE
            task.done_at = now or _utcnow()
        return task

    def archive_finished(self, now: datetime | None = None) -> int:
        """Archives tasks done more than ARCHIVE_AFTER ago; returns how many."""
        cutoff = (now or _utcnow()) - ARCHIVE_AFTER
        count = 0
        for task in self._tasks.values():
            if task.status == Status.DONE and task.done_at and task.done_at < cutoff:
                task.status = Status.ARCHIVED
                count += 1
        return count


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)
