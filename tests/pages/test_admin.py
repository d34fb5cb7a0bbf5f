"""Editors keep the site pages in the admin: the list, the form, one privacy
policy, bulk publishing, and revisions (history, revert, recover)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from pages.models import Page
from tests.admin.forms import submitted
from tests.articles.factories import UserFactory

from .factories import PageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:pages_page_changelist")
ADD = reverse("admin:pages_page_add")


def change_url(page):
    return reverse("admin:pages_page_change", args=[page.pk])


def page_data(**fields):
    data = {
        "title": "Shipping",
        "slug": "shipping",
        "body": "We ship *everywhere*.",
        "status": "published",
        "place": "footer",
        "order": "3",
    }
    data.update(fields)
    return data


def nav_and_footer():
    html = Client().get("/pages/does-not-matter/").text  # a 404 page shows both
    return html[html.index("<header") : html.index("</header>")], html[html.index("<footer") :]


def test_groups_give_editors_pages_and_moderators_none():
    editors = set(
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="pages")
        .values_list("codename", flat=True)
    )
    moderators = Group.objects.get(name="Moderators").permissions.filter(
        content_type__app_label="pages"
    )

    assert editors == {"add_page", "change_page", "view_page"}
    assert not moderators.exists()


def test_an_editor_adds_a_page_to_the_footer_and_every_reader_sees_it(editor_client):
    response = editor_client.post(ADD, page_data())

    assert response.status_code == 302
    page = Page.objects.get(slug="shipping")
    assert page.body_html == "<p>We ship <em>everywhere</em>.</p>"
    _, footer = nav_and_footer()
    assert '<a class="link-body-emphasis" href="/pages/shipping/">Shipping</a>' in footer
    # Its first revision is kept, with who made it.
    version = Version.objects.get_for_object(page).get()
    assert version.revision.user.username == "erin"
    assert version.field_dict["title"] == "Shipping"


def test_the_list_shows_place_order_status_and_the_privacy_policy(editor_client):
    PageFactory(title="About", in_navigation=True, order=1)
    PageFactory(title="Privacy policy", in_footer=True, privacy=True)
    PageFactory(title="Coming soon", draft=True)

    html = editor_client.get(CHANGELIST).text

    for column in ("place_label", "order", "state", "privacy_mark", "updated_at"):
        assert f"column-{column}" in html
    about = html[html.index(">About<") :]
    assert "Navigation" in about[: about.index("</tr>")]
    coming = html[html.index(">Coming soon<") :]
    assert "Draft" in coming[: coming.index("</tr>")]
    assert 'alt="True"' in html  # the privacy policy's mark


def test_the_changelist_costs_the_same_queries_for_2_and_40_pages(editor_client):
    PageFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(CHANGELIST)

    PageFactory.create_batch(38, in_footer=True)
    with CaptureQueriesContext(connection) as many:
        response = editor_client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_slug_is_filled_from_the_title_and_drafts_have_view_on_site(editor_client):
    page = PageFactory(title="Coming soon", slug="coming-soon", draft=True)

    add_form = editor_client.get(ADD).text
    change_form = editor_client.get(change_url(page)).text

    assert "prepopulated_fields" in add_form or "data-prepopulated-field" in add_form
    assert 'class="viewsitelink"' in change_form
    content_type = ContentType.objects.get_for_model(page).pk
    view_on_site = reverse("admin:view_on_site", args=[content_type, page.pk])
    preview = editor_client.get(view_on_site, follow=True)
    assert preview.redirect_chain[-1][0].endswith("/pages/coming-soon/")
    assert "<strong>Preview.</strong>" in preview.text


def test_a_second_privacy_policy_is_refused_naming_the_first(editor_client):
    PageFactory(title="Privacy policy", privacy=True)

    response = editor_client.post(ADD, page_data(is_privacy_policy="on"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "“Privacy policy” is already the privacy policy" in str(errors["is_privacy_policy"])
    assert not Page.objects.filter(slug="shipping").exists()


def test_the_database_keeps_one_privacy_policy_whatever_the_path():
    PageFactory(privacy=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(title="Another", slug="another", body="x", is_privacy_policy=True)


def test_a_raw_script_in_the_body_is_an_error_on_the_body(editor_client):
    response = editor_client.post(ADD, page_data(body="Hello <script>alert(1)</script>"))

    assert response.status_code == 200
    assert "The body contains a &lt;script&gt; element" in response.text
    assert not Page.objects.exists()


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_bulk_publishing_changes_the_menus_and_records_a_revision(editor_client, action):
    draft = action == "publish"
    about = PageFactory(title="About", in_navigation=True, draft=draft)
    team = PageFactory(title="Team", in_navigation=True, draft=draft)
    header_before, _ = nav_and_footer()

    response = editor_client.post(
        CHANGELIST, {"action": action, "_selected_action": [about.pk, team.pk]}, follow=True
    )

    header_after, _ = nav_and_footer()
    assert ("2 pages published." if draft else "2 pages moved back to draft.") in response.text
    assert (">About<" in header_after) is draft
    assert (">About<" in header_before) is not draft
    for page in (about, team):
        latest = Version.objects.get_for_object(page).first()
        assert latest.field_dict["status"] == ("published" if draft else "draft")
        assert latest.revision.user.username == "erin"


def test_an_editor_reverts_a_rename_from_the_history_and_the_menu_follows(editor_client):
    editor_client.post(ADD, page_data(title="About", slug="about", place="navigation"))
    page = Page.objects.get(slug="about")
    data = submitted(editor_client.get(change_url(page)).text, "page_form")
    data["title"] = ["About us, the people"]
    data["_save"] = ["Save"]
    assert editor_client.post(change_url(page), data).status_code == 302
    header, _ = nav_and_footer()
    assert ">About us, the people<" in header

    history = editor_client.get(reverse("admin:pages_page_history", args=[page.pk])).text
    first = Version.objects.get_for_object(page).last()
    revision_url = reverse("admin:pages_page_revision", args=[page.pk, first.pk])
    assert revision_url in history
    form = editor_client.get(revision_url)
    assert form.status_code == 200
    # Looking at an old version changes nothing.
    assert Page.objects.get(pk=page.pk).title == "About us, the people"
    data = submitted(form.text, "page_form")
    data["_save"] = ["Save"]
    assert editor_client.post(revision_url, data).status_code == 302

    assert Page.objects.get(pk=page.pk).title == "About"
    header, _ = nav_and_footer()
    assert ">About<" in header and "the people" not in header


def test_a_deleted_page_is_recovered_by_an_administrator_into_its_menu(client):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    client.post(ADD, page_data(title="Imprint", slug="imprint", place="footer"))
    page = Page.objects.get(slug="imprint")
    delete = reverse("admin:pages_page_delete", args=[page.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    _, footer = nav_and_footer()
    assert "Imprint" not in footer

    recover_list = client.get(reverse("admin:pages_page_recoverlist")).text
    version = Version.objects.get_deleted(Page).get()
    recover_url = reverse("admin:pages_page_recover", args=[version.pk])
    assert recover_url in recover_list
    data = submitted(client.get(recover_url).text, "page_form")
    data["_save"] = ["Save"]
    assert client.post(recover_url, data).status_code == 302

    _, footer = nav_and_footer()
    assert ">Imprint<" in footer
    assert Client().get("/pages/imprint/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [CHANGELIST, ADD, reverse("admin:pages_page_recoverlist")],
)
def test_a_moderator_may_not_open_the_pages(moderator_client, url):
    assert moderator_client.get(url).status_code == 403


def test_an_editor_may_not_delete_a_page(editor_client):
    page = PageFactory()

    response = editor_client.post(
        reverse("admin:pages_page_delete", args=[page.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Page.objects.filter(pk=page.pk).exists()


def test_pages_admin_needs_a_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert client.post(ADD, page_data()).status_code == 403
    assert not Page.objects.exists()


def test_a_version_of_another_model_is_not_a_page_revision(editor_client, editor):
    """reversion matches a revision's address by object id only: a post's
    version whose object id is a page's id must not open (or revert) as a
    revision of that page, nor a deleted post's version as a deleted page."""
    from articles import revisions
    from tests.articles.factories import PostFactory

    post = PostFactory(author=editor, title="Not a page")
    revisions.record(post, editor, "A post's revision.")
    post_version = Version.objects.get_for_object(post).get()
    page = PageFactory(pk=post.pk, title="About", slug="about")

    revision_url = reverse("admin:pages_page_revision", args=[page.pk, post_version.pk])
    assert editor_client.get(revision_url).status_code == 404
    assert editor_client.post(revision_url, {"title": "x"}).status_code == 404
    assert Page.objects.get(pk=page.pk).title == "About"

    recover_url = reverse("admin:pages_page_recover", args=[post_version.pk])
    assert editor_client.get(recover_url).status_code == 404
    huge = reverse("admin:pages_page_recover", args=["9" * 30])
    assert editor_client.get(huge).status_code == 404
