"""tasks-api: a small task-tracking service."""
