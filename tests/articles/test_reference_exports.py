"""Readers download a post's references as BibTeX or RIS, linked under the
references list: files with the right type and name, for public posts only,
cached with the post page and in a fixed number of queries."""

import pytest
from django.urls import reverse

from articles import publishing
from articles.models import Post, Reference
from tests.articles.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

RIS_TYPE = "application/x-research-info-systems; charset=utf-8"
BIBTEX_TYPE = "application/x-bibtex; charset=utf-8"


def ris_url(post):
    return reverse("articles:references_ris", kwargs={"slug": post.slug})


def bibtex_url(post):
    return reverse("articles:references_bibtex", kwargs={"slug": post.slug})


@pytest.fixture
def post():
    post = PostFactory(slug="glutamine-and-gut-health", body="Claim.[1]")
    ReferenceFactory(
        post=post,
        authors="Kim MH, Kim H",
        title="The roles of glutamine in the intestine",
        journal="Int J Mol Sci",
        year=2017,
        volume="18",
        issue="5",
        pages="1051",
        doi="10.3390/ijms18051051",
        pmid="28498331",
    )
    return Post.objects.get(pk=post.pk)


def test_the_post_page_links_both_files_under_the_references(client, post):
    html = client.get(post.get_absolute_url()).text
    references = html[html.index('id="references-title"') : html.index("Back to blog")]

    assert f'href="{ris_url(post)}" download>RIS</a>' in references
    assert f'href="{bibtex_url(post)}" download>BibTeX</a>' in references


def test_the_ris_file_is_a_named_download(client, post):
    response = client.get(ris_url(post))

    assert response.status_code == 200
    assert response["Content-Type"] == RIS_TYPE
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="glutamine-and-gut-health-references.ris"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode()
    assert text.startswith("TY  - JOUR\nAU  - Kim, M. H.\nAU  - Kim, H.\n")
    assert "DO  - 10.3390/ijms18051051\n" in text
    assert "AN  - 28498331\n" in text


def test_the_bibtex_file_is_a_named_download(client, post):
    response = client.get(bibtex_url(post))

    assert response.status_code == 200
    assert response["Content-Type"] == BIBTEX_TYPE
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="glutamine-and-gut-health-references.bib"'
    )
    text = response.content.decode()
    assert text.startswith("@article{kim2017,\n")
    assert "author = {Kim, M. H. and Kim, H.}" in text
    assert "doi = {10.3390/ijms18051051}" in text


def test_a_downloaded_file_read_back_gives_the_same_references(client, post):
    for url in (ris_url(post), bibtex_url(post)):
        references, messages = Reference.read_entries(client.get(url).content.decode())

        assert messages == []
        assert [r.ama() for r in references] == [r.ama() for r in post.references.all()]


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_a_post_readers_cannot_see_has_no_files_even_for_staff(client, editor_client, trait):
    hidden = PostFactory(**{trait: True})
    ReferenceFactory(post=hidden, title="A secret study")

    for reader in (client, editor_client):
        for url in (ris_url(hidden), bibtex_url(hidden)):
            response = reader.get(url)
            assert response.status_code == 404
            assert b"A secret study" not in response.content


def test_a_draft_preview_has_no_download_links(editor_client):
    draft = PostFactory(draft=True, body="Claim.[1]")
    ReferenceFactory(post=draft)

    html = editor_client.get(draft.get_absolute_url()).text

    assert "references.ris" not in html and "references.bib" not in html


def test_an_unknown_post_is_a_404(client):
    assert client.get("/blog/no-such-post/references.ris").status_code == 404
    assert client.get("/blog/no-such-post/references.bib").status_code == 404


def test_only_get_and_head(client, post):
    assert client.head(ris_url(post)).status_code == 200
    assert client.post(ris_url(post)).status_code == 405


@pytest.mark.parametrize("url", [ris_url, bibtex_url])
def test_the_files_cost_a_fixed_number_of_queries(client, post, url, django_assert_num_queries):
    for n in range(20):
        ReferenceFactory(post=post, order=n + 10)
    # site stamp, version (page cache), post, references
    with django_assert_num_queries(4):
        response = client.get(url(post))
    assert response.content.decode().count("Doe, J.") == 20

    # and then from the page cache: site stamp, version
    with django_assert_num_queries(2):
        again = client.get(url(post))
    assert again.content == response.content
    assert again["Content-Disposition"] == response["Content-Disposition"]
    assert again["Content-Type"] == response["Content-Type"]
    assert again["ETag"] == response["ETag"]


def test_a_changed_reference_changes_the_file_at_once(client, post):
    before = client.get(ris_url(post)).content
    reference = post.references.get()
    reference.title = "A corrected title"
    reference.save()

    after = client.get(ris_url(post)).content

    assert after != before
    assert b"TI  - A corrected title" in after


def test_an_unpublished_post_s_files_are_gone_at_once(client, post):
    assert client.get(ris_url(post)).status_code == 200

    publishing.unpublish(Post.objects.filter(pk=post.pk))

    assert client.get(ris_url(post)).status_code == 404
