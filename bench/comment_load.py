"""Many readers posting comments at once, the way a browser does.

Each simulated reader (a thread) loads the post page, keeps its cookies,
reads the comment form (its action, the CSRF token and every hidden field),
fills in the visible fields, waits as long as a person would at least
(--wait), and posts. Each reader has its own address, sent as X-Forwarded-For
to a server started with TRUSTED_PROXY_COUNT=1, so the per-address rate limit
applies per reader. Prints a JSON summary: status counts and the primary keys
of accepted comments (from the redirect's #comment-<pk>).

Bounded: readers x comments requests at most, and --deadline seconds overall.
Only talks to 127.0.0.1.
"""

import argparse
import http.client
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class FormReader(HTMLParser):
    """The comment form's action and fields, as a browser would submit them."""

    def __init__(self, form_id="comment-form"):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
            self.action = attrs.get("action")
        elif self.in_form and tag in {"input", "textarea"} and attrs.get("name"):
            kind = attrs.get("type", "text") if tag == "input" else "textarea"
            if kind == "checkbox":
                self.fields.setdefault("_checkboxes", []).append(attrs["name"])
            elif kind not in {"radio", "submit", "button", "image", "file", "reset"}:
                # A browser sends every text field, empty ones too (the honeypot
                # is one: a form without it is a robot's).
                self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


class Reader:
    def __init__(self, number, args, results):
        self.number = number
        self.args = args
        self.results = results
        self.cookies = {}
        self.address = f"10.{77 + number // 65536}.{number // 256 % 256}.{number % 256}"

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
        headers = {
            "Host": "127.0.0.1",
            "User-Agent": "glutablog-bench comment_load",
            "X-Forwarded-For": self.address,
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
            return response.status, response.getheader("Location", ""), data
        finally:
            connection.close()

    def run(self):
        for n in range(self.args.comments):
            if time.monotonic() > self.args.stop_at:
                self.results.record("not sent (deadline)")
                continue
            try:
                self.post_one(n)
            except Exception as exc:  # noqa: BLE001 (counted and shown)
                self.results.record(f"client error: {exc.__class__.__name__}")

    def post_one(self, n):
        status, _, page = self.request("GET", self.args.path)
        if status != 200:
            self.results.record(f"page {status}")
            return
        form = FormReader()
        form.feed(page.decode("utf-8", "replace"))
        if not form.action:
            self.results.record("no comment form on the page")
            return
        fields = {k: v for k, v in form.fields.items() if k != "_checkboxes"}
        for name in form.fields.get("_checkboxes", []):
            fields[name] = "on"
        marker = f"{self.args.run}-{self.number}-{n}"
        fields.update(
            name=f"Load reader {self.number}",
            email=f"reader{self.number}@example.com",
            text=f"Load test comment {marker}: thank you for this article.",
        )
        time.sleep(self.args.wait)
        status, location, _ = self.request(
            "POST",
            urlsplit(form.action).path or self.args.path,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.args.port}{self.args.path}",
            },
        )
        match = re.search(r"#comment-(\d+)$", location)
        if status in (301, 302, 303) and match:
            self.results.accepted(int(match.group(1)), marker)
        else:
            self.results.record(str(status))


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.accepted_pks = []
        self.markers = []

    def record(self, what):
        with self.lock:
            self.counts[what] += 1

    def accepted(self, pk, marker):
        with self.lock:
            self.counts["accepted (redirect)"] += 1
            self.accepted_pks.append(pk)
            self.markers.append(marker)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/blog/glutamine-and-gut-health/")
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--comments", type=int, default=7, help="per reader")
    parser.add_argument("--wait", type=float, default=1.2, help="seconds before sending")
    parser.add_argument("--deadline", type=float, default=120)
    parser.add_argument("--run", default=uuid.uuid4().hex[:8])
    args = parser.parse_args()
    # The rate limit counts per clock minute: start early in a minute, so that
    # every reader's posts fall in one window and the 429 count is exact.
    expected = args.comments * (args.wait + 0.5) + 5
    left = 60 - time.time() % 60
    if expected < 55 and left < expected:
        time.sleep(left + 0.5)
    args.stop_at = time.monotonic() + args.deadline
    results = Results()
    started = time.monotonic()
    threads = [
        threading.Thread(target=Reader(i, args, results).run, daemon=True)
        for i in range(args.readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1, args.stop_at - time.monotonic() + 35))
    summary = {
        "run": args.run,
        "seconds": round(time.monotonic() - started, 1),
        "attempts": args.readers * args.comments,
        "counts": dict(results.counts),
        "accepted_pks": results.accepted_pks,
        "markers": results.markers,
    }
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
