import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Post
from comments.models import Comment

GLUTAMINE_SLUG = "glutamine-and-gut-health"

# name, email, text, status, days after the post was published
DEMO_COMMENTS = [
    (
        "Dana K.",
        "dana@example.com",
        "I started adding glutamine to my morning smoothie after a stressful month.\n"
        "Hard to say what did it, but my digestion has been calmer.",
        Comment.Status.APPROVED,
        2,
    ),
    (
        "Luis",
        "luis@example.org",
        "Is it better to take it after a workout or first thing in the morning?",
        Comment.Status.APPROVED,
        3,
    ),
    (
        "Priya",
        "priya@example.net",
        "Thanks for listing the studies. The Kim & Kim review is a good read.",
        Comment.Status.APPROVED,
        5,
    ),
    (
        "Sam",
        "sam@example.com",
        "Does glutamine interact with any medication? I'd love a follow-up post on that.",
        Comment.Status.PENDING,
        6,
    ),
]
STAFF_REPLY = (
    "Luis",
    "Either works. Many people take it after exercise for recovery; for gut health "
    "the daily habit matters more than the hour. Check with your healthcare provider "
    "if you take other supplements or medication.",
)


class Command(BaseCommand):
    help = (
        "Load demo comments on 'Glutamine and Gut Health': three approved, one staff "
        "reply, one pending in the moderators' queue. Run after load_demo; running it "
        "again changes nothing."
    )

    def handle(self, *args, **options):
        post = Post.objects.filter(slug=GLUTAMINE_SLUG).first()
        if post is None:
            self.stderr.write("No glutamine post: run `manage.py load_demo` first.")
            return
        moderator = get_user_model().objects.filter(username="moderator").first()
        created = 0
        with transaction.atomic():
            by_name = {}
            for name, email, text, status, days in DEMO_COMMENTS:
                comment, new = Comment.objects.get_or_create(
                    post=post,
                    name=name,
                    text=text,
                    defaults={
                        "email": email,
                        "status": status,
                        "created_at": post.publish_at + dt.timedelta(days=days),
                        "status_changed_by": moderator
                        if status != Comment.Status.PENDING
                        else None,
                        "status_changed_at": (
                            post.publish_at + dt.timedelta(days=days, hours=3)
                            if status != Comment.Status.PENDING
                            else None
                        ),
                    },
                )
                created += new
                by_name[name] = comment
            parent_name, reply_text = STAFF_REPLY
            parent = by_name[parent_name]
            if moderator is not None and not parent.replies.exists():
                reply = parent.reply(reply_text, by=moderator)
                Comment.objects.filter(pk=reply.pk).update(
                    created_at=parent.created_at + dt.timedelta(hours=5)
                )
                created += 1
        self.stdout.write(
            self.style.SUCCESS(f"Demo comments loaded: {created} new on “{post.title}”.")
        )
