import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo, publishing
from articles.models import (
    Author,
    Disclaimer,
    Post,
    Reviewer,
    ReviewEvent,
    ReviewState,
    Topic,
)
from images import demo as images_demo
from images.models import Image


class Command(BaseCommand):
    help = (
        "Load the demo content: 'Glutamine and Gut Health' with its references and "
        "FDA disclaimer, a few short posts, their topics, and demo accounts. Safe to run again: "
        "what exists is left as it is (use --reset to restore the demo posts)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the demo posts to their original content.",
        )

    def handle(self, *args, reset=False, **options):
        with transaction.atomic():
            passwords = self.load_accounts()
            author = get_user_model().objects.get(username="editor")
            fda, _ = Disclaimer.objects.get_or_create(
                name=demo.FDA_DISCLAIMER["name"], defaults=demo.FDA_DISCLAIMER
            )
            disclaimers = {fda.name: fda}
            reviewer = self.load_reviewer()
            self.load_author()
            self.load_share_image(author)
            topics = self.load_topics()
            loaded = []
            for spec in [demo.GLUTAMINE, *demo.OTHER_POSTS, demo.SCHEDULED_POST]:
                post = self.load_post(spec, author, disclaimers, reset)
                if post is not None:
                    loaded.append(post)
                self.file_under_topics(spec, topics, reset)
            self.load_review(demo.GLUTAMINE, reviewer)
            # Each post loaded (or restored) is published by the rules of
            # publishing (articles.publishing), which start its history with
            # a revision; one they hold back stays a draft, and says why.
            comment = (
                "Restored from the demo content." if reset else "Loaded with the demo content."
            )
            outcome = publishing.publish(
                Post.objects.filter(pk__in=[post.pk for post in loaded]), comment=comment
            )
            created = len(loaded)
        total = Post.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"Demo content loaded: {created} new posts, {total} in all.")
        )
        for refusal in outcome.refused:
            self.stdout.write(
                self.style.WARNING(f"  “{refusal.post}” stays a draft: {refusal.reason}")
            )
        for username, password in passwords:
            self.stdout.write(f"  demo account {username!r}: password {password}")
        if passwords:
            self.stdout.write("  Log in at http://127.0.0.1:8000/admin/ (development only).")

    def load_post(self, spec, author, disclaimers, reset):
        fields = {
            "title": spec["title"],
            "summary": spec["summary"],
            "body": spec["body"],
            "author": author,
            "status": Post.Status.DRAFT,  # published once complete (handle)
            "email_on_publish": False,  # demo content is not news for subscribers
            "publish_at": spec.get("publish_at") or timezone.now() + spec["schedule_in"],
        }
        post = Post.objects.filter(slug=spec["slug"]).first()
        if post is not None and not reset:
            return None
        if post is None:
            post = Post(slug=spec["slug"])
        elif "schedule_in" in spec:
            fields.pop("publish_at")
        for name, value in fields.items():
            setattr(post, name, value)
        if "featured_image" in spec:
            post.featured_image = self.load_image(spec["featured_image"], author)
        post.save()
        post.references.all().delete()
        post.post_disclaimers.all().delete()
        for order, reference in enumerate(spec.get("references", []), start=1):
            post.references.create(order=order, **reference)
        for order, name in enumerate(spec.get("disclaimers", []), start=1):
            post.post_disclaimers.create(disclaimer=disclaimers[name], order=order)
        return post

    def load_reviewer(self):
        """The demo's reviewer, linked to the demo account of the same person."""
        spec = demo.REVIEWER
        reviewer = Reviewer.objects.filter(slug=spec["slug"]).first()
        if reviewer is None:
            reviewer = Reviewer(**spec)
            reviewer.user = (
                get_user_model().objects.filter(username=demo.REVIEWER_USERNAME).first()
            )
            reviewer.full_clean()
            reviewer.save()
        return reviewer

    def load_author(self):
        """The demo editor's public profile (her bylines link to it)."""
        spec = demo.AUTHOR
        user = get_user_model().objects.get(username=demo.AUTHOR_USERNAME)
        if (
            not Author.objects.filter(user=user).exists()
            and not Author.objects.filter(slug=spec["slug"]).exists()
        ):
            author = Author(user=user, **spec)
            author.full_clean()
            author.save()

    def load_share_image(self, uploader):
        """The site's default share image, drawn now, unless the site has one."""
        if Image.objects.filter(is_share_default=True).exists():
            return
        image = Image(
            file=ContentFile(images_demo.share_card(), name="share.png"),
            uploaded_by=uploader,
            is_share_default=True,
            **demo.SHARE_IMAGE,
        )
        image.full_clean()
        image.save()

    def load_review(self, spec, reviewer):
        """The review the demo post had before it was published, recorded as
        the reviewer would have: the review date and its history entry. A
        post that has its review already keeps it."""
        post = Post.objects.get(slug=spec["slug"])
        if post.reviewed_at is not None:
            return
        reviewed_at = spec["review"]["reviewed_at"]
        Post.objects.filter(pk=post.pk).update(
            reviewer=reviewer, reviewed_at=reviewed_at, review_state=ReviewState.APPROVED
        )
        ReviewEvent.objects.create(
            post=post,
            action=ReviewEvent.Action.REVIEWED,
            by=reviewer.user,
            reviewer=reviewer,
            at=dt.datetime.combine(reviewed_at, dt.time(10, 0), tzinfo=dt.UTC),
            note="Checked against both references before publishing.",
        )

    def load_topics(self):
        """The demo topics, by slug; existing ones are left as they are."""
        topics = {}
        for order, spec in enumerate(demo.TOPICS, start=1):
            topics[spec["slug"]], _ = Topic.objects.get_or_create(
                slug=spec["slug"], defaults={**spec, "order": order, "is_main": True}
            )
        return topics

    def file_under_topics(self, spec, topics, reset):
        """A demo post under its topics: when it is new or reset, or has none
        (a demo loaded before there were topics)."""
        post = Post.objects.get(slug=spec["slug"])
        if reset or not post.topics.exists():
            post.topics.set([topics[slug] for slug in spec.get("topics", [])])

    def load_image(self, spec, author):
        """The demo picture, drawn now; the one already in the library is reused."""
        image = Image.objects.filter(alt=spec["alt"]).first()
        if image is None:
            image = Image(
                file=ContentFile(images_demo.glutamine_illustration(), name="glutamine.png"),
                uploaded_by=author,
                **spec,
            )
            image.full_clean()
            image.save()
        return image

    def load_accounts(self):
        """Create the demo accounts; their passwords are printed only in DEBUG."""
        User = get_user_model()
        printed = []
        for username, first, last, group_name, superuser in demo.ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
                is_staff=True,
                is_superuser=superuser,
            )
            if settings.DEBUG:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                printed.append((username, password))
            else:
                user.set_unusable_password()
                self.stdout.write(
                    f"  created {username!r} without a password: "
                    f"set one with `manage.py changepassword {username}`"
                )
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
        return printed
