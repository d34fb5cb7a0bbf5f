"""The comments already stored when the rules changed: their addresses take
their normal form (so lookups by exact equality find them), their names go
on one line (so no stored name breaks a mail)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.articles.factories import PostFactory

pytestmark = pytest.mark.django_db(transaction=True)


def migrations_around(suffix):
    """(the comments migration before the one named ``*_<suffix>``, every
    app's latest): found by name, whatever number a merge gives them."""
    graph = MigrationExecutor(connection).loader.graph
    [node] = [n for n in graph.nodes if n[0] == "comments" and n[1].endswith(suffix)]
    own = [n for n in graph.forwards_plan(node) if n[0] == "comments"]
    return [own[-2]], graph.leaf_nodes()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_stored_addresses_and_names_are_brought_to_the_rules():
    before, latest = migrations_around("_normalized_email_addresses")
    post = PostFactory()  # the posts' tables stay as they are
    old = migrate(before)
    Comment = old.get_model("comments", "Comment")
    made = {
        name: Comment.objects.create(post_id=post.pk, name=name, email=email, text=f"by {name}").pk
        for name, email in [
            ("Robin", "  Robin@Example.COM"),
            ("Dana\n\nSECURITY NOTICE:\x0bverify", "dana@ＥＸＡＭＰＬＥ.com"),
            ("Alice", "alice@gmaİl.com"),
            ("Odd", "alİce@gmail.com"),  # no normal form: kept, matches nothing
        ]
    }

    new = migrate(latest)
    stored = dict(new.get_model("comments", "Comment").objects.values_list("pk", "email"))
    names = dict(new.get_model("comments", "Comment").objects.values_list("pk", "name"))

    assert stored[made["Robin"]] == "robin@example.com"
    assert stored[made["Dana\n\nSECURITY NOTICE:\x0bverify"]] == "dana@example.com"
    assert stored[made["Alice"]] == "alice@xn--gmail-bgd.com"
    assert stored[made["Odd"]] == "alİce@gmail.com"
    assert names[made["Dana\n\nSECURITY NOTICE:\x0bverify"]] == "Dana SECURITY NOTICE: verify"
    assert names[made["Robin"]] == "Robin"
