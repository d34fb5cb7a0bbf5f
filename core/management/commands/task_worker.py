"""`manage.py task_worker --worker-id NAME`: django-tasks-db's ``db_worker``,
which first puts back in the queue the tasks its own earlier run left
claimed and unfinished.

``db_worker`` claims a task (status RUNNING, its worker id recorded) in one
transaction, then runs it. A worker killed while it runs a task (SIGKILL,
a machine lost) leaves it RUNNING for ever: nobody runs it again, and the
mail it was sending is lost. Started again under the same id (a service's
fixed name: `serve-worker`, `worker-1`), this command queues those tasks
again first. A mail task in flight at the kill may so be sent a second time
when the kill came after the mail server accepted it but before the result
was recorded; everything else is sent exactly once (docs/operations.md,
"Workers and mail: each email once").

Every id must belong to one worker process at a time: two live workers with
the same id would take each other's tasks back.
"""

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.models import DBTaskResult


class Command(DBWorkerCommand):
    help = (
        "Run the task worker (db_worker), after queuing again the tasks an earlier "
        "run under the same --worker-id left unfinished."
    )

    def handle(self, *args, **options):
        worker_id = options["worker_id"]
        # Few tasks are ever running at once: read them, and pick this id's.
        with transaction.atomic():
            left = [
                task.pk
                for task in DBTaskResult.objects.running().select_for_update()
                if task.worker_ids and task.worker_ids[-1] == worker_id
            ]
            DBTaskResult.objects.filter(pk__in=left).update(
                status=TaskResultStatus.READY, started_at=None
            )
        if left:
            self.stderr.write(
                f"task_worker: {len(left)} task(s) left running by an earlier {worker_id} "
                "queued again"
            )
        return super().handle(*args, **options)
