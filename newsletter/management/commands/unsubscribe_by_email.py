"""Act on unsubscribe requests that came by email (the ``mailto:`` in
``List-Unsubscribe``, set by NEWSLETTER_UNSUBSCRIBE_EMAIL).

A mail client sends an empty email to that mailbox with the subject
``unsubscribe <token>``, the subscriber's own signed token (newsletter.links,
the same as in the https link). Whoever reads the mailbox pastes the subjects::

    .venv/bin/python manage.py unsubscribe_by_email "unsubscribe 12:Xk…" "…"

Each signed token unsubscribes its subscription (as the one-click POST
does); a subject we did not sign changes nothing and is reported. The sender
of the email is not what counts: the token is the proof, as on the web.
"""

from django.core.management.base import BaseCommand

from newsletter import links
from newsletter.models import Subscriber


class Command(BaseCommand):
    help = "Unsubscribe the subscriptions named by the subjects of unsubscribe emails."

    def add_arguments(self, parser):
        parser.add_argument("subjects", nargs="+", help="Subjects, as 'unsubscribe <token>'.")

    def handle(self, *args, subjects=(), **options):
        for subject in subjects:
            words = subject.split() or [""]
            pk = links.read_subscriber(words[-1]) if len(words) == 2 else None
            if words[0].lower() != "unsubscribe" or pk is None:
                self.stdout.write(f"not a subject we signed: {subject!r}")
                continue
            subscriber = Subscriber.objects.filter(pk=pk).first()
            if subscriber is None:
                self.stdout.write(f"subscriber {pk}: deleted already")
            elif subscriber.unsubscribe():
                self.stdout.write(f"subscriber {pk}: unsubscribed")
            else:
                self.stdout.write(f"subscriber {pk}: {subscriber.status} already, unchanged")
