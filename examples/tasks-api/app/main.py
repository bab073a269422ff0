"""HTTP routes of the tasks API."""

from fastapi import FastAPI, HTTPException

from .models import Status, Task, TaskIn
from .store import TaskNotFound, TaskStore

app = FastAPI(title="tasks-api")
store = TaskStore()


@app.post("/tasks", status_code=201)
def create_task(data: TaskIn) -> Task:
    """Creates an open task."""
    return store.create(data)


@app.get("/tasks")
def list_tasks(status: Status | None = None, assignee: str | None = None) -> list[Task]:
    """Lists tasks, filtered by status and assignee when given."""
    return store.list(status=status, assignee=assignee)


@app.post("/tasks/{task_id}/done")
def complete_task(task_id: int) -> Task:
    """Marks a task done."""
    try:
        return store.complete(task_id)
    except TaskNotFound:
        raise HTTPException(status_code=404, detail=f"task {task_id} not found") from None


@app.post("/tasks/archive")
def archive_tasks() -> dict[str, int]:
    """Archives tasks finished more than thirty days ago."""
    return {"archived": store.archive_finished()}
