"""Request and response models of the tasks API."""

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, Field


class Status(str, Enum):
    """Where a task is in its life."""

    OPEN = "open"
    DONE = "done"
    ARCHIVED = "archived"


class TaskIn(BaseModel):
    """What a client sends to create a task."""

    title: str = Field(min_length=1, max_length=200)
    assignee: str | None = None
    tags: list[str] = Field(default_factory=list)


class Task(TaskIn):
    """A stored task."""

    id: int
    status: Status = Status.OPEN
    created_at: datetime
    done_at: datetime | None = None
