"""A local SMTP server for the benchmark's newsletter send: it accepts every
message and counts the recipients at one domain (nothing is kept: 10,000
emails)."""

import logging
import threading
import time

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command


class CountingSink:
    def __init__(self, port, domain):
        from aiosmtpd.controller import Controller

        self.domain = f"@{domain}"  # only the recipients at this domain are counted
        self.received = 0
        self.first_at = self.last_at = None
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        now = time.monotonic()
        with self._lock:
            self.received += sum(to.endswith(self.domain) for to in envelope.rcpt_tos)
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 Message accepted for delivery"

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.controller.port}"
