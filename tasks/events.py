"""What tasks tell the outside world: the ``data`` of each outbox event.

Payloads carry ids and plain values (JSON), never rendered text, and are
built inside the service's transaction so they describe exactly what was
committed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tasks.models import Comment, Review, Task


def task_payload(task: Task) -> dict[str, Any]:
    return {
        "id": task.pk,
        "key": task.key,
        "project": task.project_id,
        "number": task.number,
        "title": task.title,
        "column": task.column_id,
        "category": task.column.category,
        "assignee": task.assignee_id,
        "priority": task.priority,
        "estimate": task.estimate,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "version": task.version,
        "archived": task.archived,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
    }


def comment_payload(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": comment.author_id,
        "body": comment.body,
        "created_at": comment.created_at.isoformat(),
    }


def review_payload(review: Review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "reviewer": review.reviewer_id,
        "decision": review.decision,
        "score": review.score,
        "comment": review.comment,
        "created_at": review.created_at.isoformat(),
    }
