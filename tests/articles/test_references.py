"""References in AMA style, numbered and linkable; DOI and PMID checked for shape."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Reference
from tests.articles.factories import PostFactory, ReferenceFactory

pytestmark = pytest.mark.django_db

DETERS = {
    "authors": "Deters BJ, Saleem M",
    "title": "The role of glutamine in supporting gut health and neuropsychiatric factors",
    "journal": "Food Science and Human Wellness",
    "year": 2021,
    "volume": "10",
    "pages": "149-154",
}
KIM = {
    "authors": "Kim MH, Kim H",
    "title": "The roles of glutamine in the intestine and its implications in intestinal disease",
    "journal": "Int J Mol Sci",
    "year": 2017,
    "volume": "18",
    "issue": "5",
}


def test_ama_style_of_the_first_seed_reference():
    assert Reference(**DETERS).ama() == (
        "Deters BJ, Saleem M. The role of glutamine in supporting gut health and "
        "neuropsychiatric factors. <i>Food Science and Human Wellness</i>. 2021;10:149-154."
    )


def test_ama_style_of_the_second_seed_reference():
    assert Reference(**KIM).ama() == (
        "Kim MH, Kim H. The roles of glutamine in the intestine and its implications in "
        "intestinal disease. <i>Int J Mol Sci</i>. 2017;18(5)."
    )


def test_doi_and_pmid_become_links():
    html = Reference(**KIM, pages="1051", doi="10.3390/ijms18051051", pmid="28498331").ama()

    assert "2017;18(5):1051." in html
    assert 'doi:<a href="https://doi.org/10.3390/ijms18051051">10.3390/ijms18051051</a>' in html
    assert 'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/28498331/">28498331</a>' in html


def test_url_is_shown_when_there_is_no_doi():
    html = Reference(authors="WHO", title="Healthy diet", url="https://www.who.int/x").ama()
    assert '<a href="https://www.who.int/x">https://www.who.int/x</a>' in html


def test_every_field_is_escaped():
    html = Reference(authors="<b>Evil</b>", title="<script>x</script>", journal="J & J").ama()

    assert "<b>" not in html and "<script>" not in html
    assert "&lt;script&gt;" in html and "J &amp; J" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("doi", "not-a-doi"), ("doi", "10.12/x"), ("pmid", "PMC12345"), ("pmid", "0123")],
)
def test_bad_doi_or_pmid_is_a_validation_error(field, value):
    reference = Reference(post=PostFactory(), authors="A", title="T", **{field: value})

    with pytest.raises(ValidationError) as excinfo:
        reference.full_clean()
    assert field in excinfo.value.message_dict


def test_pasted_doi_and_pmid_prefixes_are_accepted():
    reference = Reference(
        post=PostFactory(),
        authors="A",
        title="T",
        doi="https://doi.org/10.3390/ijms18051051",
        pmid="PMID: 28498331",
    )
    reference.full_clean()
    assert (reference.doi, reference.pmid) == ("10.3390/ijms18051051", "28498331")


def test_post_page_numbers_references_in_order_with_anchors(client):
    post = PostFactory(body="First [1], then [2].")
    ReferenceFactory(post=post, order=2, title="Second study")
    ReferenceFactory(post=post, order=1, title="First study")
    post.refresh_from_db()

    html = client.get(post.get_absolute_url()).text
    html = html[html.index("<main") :]  # (the head's JSON-LD cites them too)

    assert html.index('id="ref-1"') < html.index("First study") < html.index('id="ref-2"')
    assert html.index('id="ref-2"') < html.index("Second study")
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html


def test_adding_a_reference_rerenders_the_body():
    post = PostFactory(body="Cited [1].")
    assert "#ref-1" not in post.body_html  # nothing to point at yet: plain text

    ReferenceFactory(post=post)
    post.refresh_from_db()

    assert 'href="#ref-1"' in post.body_html


def test_check_body_refuses_two_disclaimers_with_one_marker():
    post = PostFactory(body="Claim. [†]")

    with pytest.raises(ValidationError, match="Two disclaimers on this post use the marker †"):
        post.check_body(markers=["†", "†"])
    post.check_body(markers=["†", "**"])  # distinct markers are fine
