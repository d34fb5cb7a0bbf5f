"""The demo's site pages: "About" in the navigation and the privacy policy in
the footer (``manage.py load_demo_pages``, run by ``make run``)."""

from django.conf import settings

ABOUT_BODY = """\
glutablog is the blog of a small supplement shop. We write about health and \
nutrition, and every claim we make comes with the studies behind it, numbered \
at the foot of each post, so that you can read them yourself.

Our articles are written by our team. They are not medical advice: talk to \
your healthcare provider before you change your diet or start a supplement.

Questions, or a mistake we should correct? Leave a comment under the post: a \
moderator reads every one.
"""

PRIVACY_BODY = """\
This page says what we keep when you leave a comment or follow the blog by \
email, who sees it, how long we keep it and how to have it deleted. Reading \
the site asks nothing of you.

## What the comment form stores

When you send a comment, we store:

- the **name** you give (any name you like);
- your **email address**;
- the **text** of your comment;
- your **network address** (IP address) and your **browser** (the "user agent" \
your browser sends with every request);
- the time you sent it.

The form asks for your consent; without it, nothing is stored.

## Who sees it

- Your **name and comment** are published under the post once a moderator \
approves them. A comment that is not approved is never shown.
- Your **email address** is never published. Only our moderators see it.
- Your **network address and browser** are seen by moderators only, to keep \
spam and abuse off the site.

We do not sell or share any of it. The site loads nothing from other \
companies: no advertising, no trackers, no fonts or scripts from elsewhere.

## How long we keep it

- Your **network address and browser** are cleared from a comment \
{keep_days} days after you sent it.
- Your **name, email address and comment** are kept while the comment is on \
the site, until you ask us to delete them.

After you send a comment, a cookie lets your browser show it to you, marked \
"awaiting moderation", until a moderator decides. It holds no personal \
details and expires after two weeks.

## How to have it deleted

Ask for the deletion of your comments on the page \
[Delete my comments]({delete_url}): give the email address you commented \
with, and we email a link to that address to confirm it is yours. When you \
follow the link, every comment sent with that address is deleted, with your \
name, email address, network address and browser.

## Following the blog by email

When you subscribe, we store your **email address**, the **topics** you chose \
(or that you follow every post), when you asked and when you confirmed, and \
which posts we emailed you and whether they were delivered. Only our \
administrators see your address.

- Nothing is sent to you but one email with a link to confirm. If you do not \
confirm, your address is deleted after {pending_days} days.
- Every email has a link to unsubscribe in one click, to pause or to choose \
topics. On the unsubscribe page you can also delete your address at once, \
with the record of what we sent you.
"""


def keep_network_data_days():
    """How long the retention command (comments' clear_network_data) keeps them."""
    return settings.COMMENTS_KEEP_NETWORK_DATA_DAYS


def pages():
    """The demo pages' fields, with the retention period of this site's settings."""
    return [
        {
            "slug": "about",
            "title": "About",
            "body": ABOUT_BODY,
            "place": "navigation",
            "order": 10,
            "is_privacy_policy": False,
        },
        {
            "slug": "privacy",
            "title": "Privacy policy",
            "body": PRIVACY_BODY.format(
                keep_days=keep_network_data_days(),
                delete_url="/comments/delete/",
                pending_days=settings.NEWSLETTER_PENDING_DAYS,
            ),
            "place": "footer",
            "order": 10,
            "is_privacy_policy": True,
        },
    ]
