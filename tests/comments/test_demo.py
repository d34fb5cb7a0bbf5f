import pytest
from django.core.management import call_command

from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_demo_comments_load_once_with_a_reply_and_one_in_the_queue():
    call_command("load_demo", stdout=None)
    call_command("load_demo_comments")
    call_command("load_demo_comments")

    assert Comment.objects.approved().filter(is_staff_reply=False).count() == 3
    assert Comment.objects.filter(is_staff_reply=True).approved().count() == 1
    assert Comment.objects.pending().count() == 1
    assert Comment.objects.count() == 5


def test_without_the_demo_posts_it_says_what_to_run(capsys):
    call_command("load_demo_comments")

    assert "load_demo" in capsys.readouterr().err
    assert not Comment.objects.exists()
