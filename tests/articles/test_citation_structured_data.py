"""A post's citations in JSON-LD, as schema.org defines them (issue 16): a
journal article sits in its issue, volume and journal (``PublicationIssue``
-> ``PublicationVolume`` -> ``Periodical``: schema.org has no volume or
issue number on a Periodical), a PubMed ID is an ``identifier``
(``PropertyValue``, propertyID "PMID"), and each type of reference is its
schema.org type."""

import datetime as dt
import json
import re

import pytest

from articles.structured_data import citation
from tests.articles.factories import PostFactory, ReferenceFactory
from tests.articles.test_reference_types import BOOK, CHAPTER, REPORT, WEBPAGE, cleaned

pytestmark = pytest.mark.django_db

ARTICLE = {
    "authors": "Kim MH, Kim H",
    "title": "The roles of glutamine in the intestine",
    "journal": "Int J Mol Sci",
    "year": 2017,
    "volume": "18",
    "issue": "5",
    "pages": "1051",
    "doi": "10.3390/ijms18051051",
    "pmid": "28498331",
}


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def walk(value):
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def test_an_article_with_a_pmid_on_the_post_page(client):
    post = PostFactory(body="Claim.[1]")
    ReferenceFactory(post=post, **ARTICLE)

    [data] = json_ld(client.get(post.get_absolute_url()).text)

    assert data["citation"] == [
        {
            "@type": "ScholarlyArticle",
            "name": "The roles of glutamine in the intestine",
            "author": [
                {"@type": "Person", "name": "Kim MH"},
                {"@type": "Person", "name": "Kim H"},
            ],
            "datePublished": "2017",
            "isPartOf": {
                "@type": "PublicationIssue",
                "issueNumber": "5",
                "isPartOf": {
                    "@type": "PublicationVolume",
                    "volumeNumber": "18",
                    "isPartOf": {"@type": "Periodical", "name": "Int J Mol Sci"},
                },
            },
            "pagination": "1051",
            "identifier": [
                {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.3390/ijms18051051"},
                {"@type": "PropertyValue", "propertyID": "PMID", "value": "28498331"},
            ],
            "url": "https://doi.org/10.3390/ijms18051051",
            "sameAs": "https://pubmed.ncbi.nlm.nih.gov/28498331/",
        }
    ]
    periodicals = [v for v in walk(data) if isinstance(v, dict) and v.get("@type") == "Periodical"]
    assert periodicals and all(
        "volumeNumber" not in p and "issueNumber" not in p for p in periodicals
    )


@pytest.mark.parametrize(
    ("fields", "part"),
    [
        (
            {"volume": "18", "issue": ""},
            {
                "@type": "PublicationVolume",
                "volumeNumber": "18",
                "isPartOf": {"@type": "Periodical", "name": "Int J Mol Sci"},
            },
        ),
        (
            {"volume": "", "issue": "S1"},
            {
                "@type": "PublicationIssue",
                "issueNumber": "S1",
                "isPartOf": {"@type": "Periodical", "name": "Int J Mol Sci"},
            },
        ),
        ({"volume": "", "issue": ""}, {"@type": "Periodical", "name": "Int J Mol Sci"}),
    ],
)
def test_levels_the_article_lacks_are_left_out(fields, part):
    assert citation(cleaned(**{**ARTICLE, **fields}))["isPartOf"] == part


def test_a_pmid_alone_is_the_identifier():
    item = citation(cleaned(**{**ARTICLE, "doi": ""}))

    assert item["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "PMID",
        "value": "28498331",
    }
    assert item["sameAs"] == "https://pubmed.ncbi.nlm.nih.gov/28498331/"


def test_a_book_is_a_book():
    assert citation(cleaned(**BOOK)) == {
        "@type": "Book",
        "name": "Clinical Epidemiology: The Essentials",
        "author": [
            {"@type": "Person", "name": "Fletcher RH"},
            {"@type": "Person", "name": "Fletcher SW"},
            {"@type": "Person", "name": "Fletcher GS"},
        ],
        "datePublished": "2014",
        "bookEdition": "5th",
        "publisher": {
            "@type": "Organization",
            "name": "Wolters Kluwer/Lippincott Williams & Wilkins",
        },
    }


def test_a_chapter_is_part_of_its_book():
    assert citation(cleaned(**CHAPTER)) == {
        "@type": "Chapter",
        "name": "Drug allergy: desensitization and treatment of reactions to antibiotics",
        "author": [{"@type": "Person", "name": "Solensky R"}],
        "datePublished": "2004",
        "isPartOf": {
            "@type": "Book",
            "name": "Allergens and Allergen Immunotherapy",
            "editor": [{"@type": "Person", "name": "Lockey P"}],
            "bookEdition": "3rd",
            "publisher": {"@type": "Organization", "name": "Marcel Dekker"},
        },
        "pagination": "585-606",
    }


def test_a_report_and_a_web_page():
    assert citation(cleaned(**REPORT)) == {
        "@type": "Report",
        "name": "Health, United States, 2019",
        "author": [{"@type": "Organization", "name": "National Center for Health Statistics"}],
        "datePublished": "2021",
        "publisher": {"@type": "Organization", "name": "US Dept of Health and Human Services"},
        "reportNumber": "DHHS Publication No. 2021-1232",
        "url": "https://www.cdc.gov/nchs/hus/index.htm",
    }
    assert citation(cleaned(**WEBPAGE)) == {
        "@type": "WebPage",
        "name": "Healthy diet",
        "author": [{"@type": "Organization", "name": "World Health Organization"}],
        "datePublished": "2020",
        "isPartOf": {"@type": "WebSite", "name": "WHO Fact Sheets"},
        "url": "https://www.who.int/news-room/fact-sheets/detail/healthy-diet",
    }


def test_every_type_on_one_page(client):
    post = PostFactory(body="[1][2][3][4][5]", publish_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    for order, fields in enumerate([ARTICLE, BOOK, CHAPTER, REPORT, WEBPAGE]):
        reference = cleaned(**fields)
        reference.post, reference.order = post, order
        reference.save()

    [data] = json_ld(client.get(post.get_absolute_url()).text)

    assert [c["@type"] for c in data["citation"]] == [
        "ScholarlyArticle",
        "Book",
        "Chapter",
        "Report",
        "WebPage",
    ]
