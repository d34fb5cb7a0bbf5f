"""`make serve` runs the task worker beside gunicorn and nginx: a reader's
comment is answered at once, and the moderators' mail is sent by the worker
from the database queue, not by the request.

Against the production set `make serve` starts (conftest.site).
"""

import re
import time
from urllib.parse import urlencode

POST_PATH = "/blog/glutamine-and-gut-health/"


def test_a_comment_through_nginx_is_mailed_to_the_moderators_by_the_worker(site):
    _, page = site.get(POST_PATH, headers={"Cookie": "sessionid=made-up"})  # a fresh form
    token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
    action = re.search(rb'action="(/comments/post/\d+/)"', page).group(1).decode()
    text = f"Mailed by the worker {time.time_ns()}"
    form = urlencode(
        {"name": "Worker Reader", "email": "worker@example.com", "text": text,
         "consent": "on", "website": "", "token": token}
    )  # fmt: skip

    connection = site.https()
    try:
        connection.request(
            "POST",
            action,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Sec-Fetch-Site": "same-origin",
            },
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 302, response.status

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        mails = (
            [p.read_text() for p in site.mail_dir.glob("*.log")] if site.mail_dir.exists() else []
        )
        sent = [m for m in mails if text in m]
        if sent:
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"no mail from the worker within 60 s:\n{site.log()[-3000:]}")
    [mail] = sent
    assert "To: moderator@example.com" in mail
    assert "Auto-Submitted: auto-generated" in mail
    assert "A new comment on " in mail and "Name: Worker Reader" in mail
    assert f"> {text}" in mail  # the reader's words, quoted as theirs
    assert "Approve, reject or mark it as spam: https://127.0.0.1:" in mail
    # Queued in the database by gunicorn (TASKS_BACKEND=database), run by the worker.
    assert "path=comments.notifications.notify_moderators state=" in site.log()
