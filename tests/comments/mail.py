from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


class FlakyBackend(BaseEmailBackend):
    """A mail server that refuses the first ``failures`` messages, then works.
    Sent messages land in the test outbox, like Django's locmem backend."""

    failures = 0
    attempts = 0

    def send_messages(self, email_messages):
        from django.core import mail

        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise ConnectionRefusedError("mail server down")
        mail.outbox.extend(email_messages)
        return len(email_messages)
