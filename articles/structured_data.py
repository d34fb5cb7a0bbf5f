"""What search engines and link previews read about a post: JSON-LD and the
page's meta tags.

**Which schema.org type.** A post is a ``BlogPosting``: a dated article by a
named author on a blog, which is what it is and what search engines' article
features read (headline, author, dates, image, publisher). The medical review
belongs to the *page*, not the article: schema.org defines ``reviewedBy`` and
``lastReviewed`` on ``WebPage``, and ``MedicalWebPage`` is the web page that
gives medical information. So the posting's ``mainEntityOfPage`` is a
``MedicalWebPage`` carrying the review when the post has been medically
reviewed, and a plain ``WebPage`` when it has not (we do not call a page
medically reviewed that was not). Its references are ``citation``s, each as
its schema.org type (``ScholarlyArticle``, ``Book``, ``Chapter``, ``Report``,
``WebPage``: ``citation``) with its DOI as a URL.

Other apps add to a post's JSON-LD with ``register(contributor)``:
``contributor(post)`` returns a dict merged into it. The comments app adds the
approved comment count that way (this app never imports comments).

Everything here is public data of a public post: the post page renders it only
for the post it shows, and drafts render no JSON-LD at all.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import dates, sharing

from . import bibliography

_contributors = []

# The characters that could end or confuse a <script> element, as JSON
# escapes (what Django's json_script does, for a script of another type).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def register(contributor):
    """Add ``contributor(post) -> dict`` to every post's JSON-LD."""
    if contributor not in _contributors:
        _contributors.append(contributor)


def absolute(url):
    """An address readers can use anywhere: from SITE_URL unless it has a host."""
    if not url:
        return ""
    return url if urlsplit(url).scheme else settings.SITE_URL + url


def publisher():
    return {
        "@type": "Organization",
        "name": settings.BLOG_PUBLISHER_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute(static(settings.BLOG_PUBLISHER_LOGO)),
        },
    }


def author(post):
    """The post's author as a Person: with a profile (``Author``), its page as
    ``url``, credentials as ``honorificSuffix`` and profile as ``sameAs``,
    as the reviewer is given; else the account's name."""
    person = {"@type": "Person", "name": post.author_name}
    profile = post.author_profile
    if profile is not None:
        person["url"] = absolute(profile.get_absolute_url())
        if profile.credentials:
            person["honorificSuffix"] = profile.credentials
        if profile.profile_url:
            person["sameAs"] = profile.profile_url
    return person


def _authors(authors):
    found = []
    for one in bibliography.people_of(authors):
        if one is bibliography.ETAL:
            continue
        kind = "Person" if isinstance(one, bibliography.Person) else "Organization"
        found.append({"@type": kind, "name": one.ama})
    return found


# Each type of reference as its schema.org type.
CITATION_TYPES = {
    "article": "ScholarlyArticle",
    "book": "Book",
    "chapter": "Chapter",
    "report": "Report",
    "webpage": "WebPage",
}


def _journal(reference):
    """Where an article was published, as schema.org nests it: the article is
    part of an issue (``PublicationIssue``, its ``issueNumber``), which is part
    of a volume (``PublicationVolume``, its ``volumeNumber``), which is part
    of the journal (``Periodical``). Levels the reference lacks are left out."""
    part = {"@type": "Periodical", "name": reference.journal} if reference.journal else None
    if reference.volume:
        volume = {"@type": "PublicationVolume", "volumeNumber": reference.volume}
        if part:
            volume["isPartOf"] = part
        part = volume
    if reference.issue:
        issue = {"@type": "PublicationIssue", "issueNumber": reference.issue}
        if part:
            issue["isPartOf"] = part
        part = issue
    return part


def _organization(name):
    return {"@type": "Organization", "name": name}


def citation(reference):
    """A reference as its schema.org type (``CITATION_TYPES``), with its DOI
    and PubMed ID as ``identifier`` ``PropertyValue``s."""
    kind = reference.kind if reference.kind in CITATION_TYPES else "article"
    item = {"@type": CITATION_TYPES[kind], "name": reference.title}
    authors = _authors(reference.authors)
    if authors:
        item["author"] = authors
    editors = _authors(reference.editors) if kind in ("book", "chapter") else []
    if reference.year:
        item["datePublished"] = str(reference.year)
    if kind == "article":
        journal = _journal(reference)
        if journal:
            item["isPartOf"] = journal
    elif kind == "book":
        if editors:
            item["editor"] = editors
        if reference.edition:
            item["bookEdition"] = reference.edition
        if reference.publisher:
            item["publisher"] = _organization(reference.publisher)
    elif kind == "chapter":
        book = {"@type": "Book", "name": reference.book_title}
        if editors:
            book["editor"] = editors
        if reference.edition:
            book["bookEdition"] = reference.edition
        if reference.publisher:
            book["publisher"] = _organization(reference.publisher)
        item["isPartOf"] = book
    elif kind == "report":
        if reference.publisher:
            item["publisher"] = _organization(reference.publisher)
        if reference.report_number:
            item["reportNumber"] = reference.report_number
    elif reference.journal:  # a web page, on its website
        item["isPartOf"] = {"@type": "WebSite", "name": reference.journal}
    if reference.pages and kind in ("article", "chapter"):
        item["pagination"] = reference.pages
    identifiers = []
    if reference.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi})
    if reference.pmid:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "PMID", "value": reference.pmid}
        )
    if identifiers:
        item["identifier"] = identifiers[0] if len(identifiers) == 1 else identifiers
    if reference.doi:
        item["url"] = reference.doi_url
    elif reference.url:
        item["url"] = reference.url
    if reference.pmid:
        item["sameAs"] = reference.pmid_url
    return item


def images(image):
    """The image's share crops (16:9, 4:3, 1:1: the ratios Google's Article
    guidance asks for) and the picture as it is, as ImageObjects."""
    if image is None:
        return []
    found = []
    for url, width, height in image.share_candidates():
        found.append(
            {
                "@type": "ImageObject",
                "url": absolute(url),
                "width": width,
                "height": height,
                "caption": image.alt,
            }
        )
    return found


def review(post):
    """The post's medical review as WebPage properties, when it has one: the
    reviewer as a Person (credentials as ``honorificSuffix``, the bio page as
    ``url``, their profile as ``sameAs``) and the date as ``lastReviewed``."""
    if not post.has_review:
        return {}
    reviewer = post.reviewer
    person = {
        "@type": "Person",
        "name": reviewer.name,
        "url": absolute(reviewer.get_absolute_url()),
    }
    if reviewer.credentials:
        person["honorificSuffix"] = reviewer.credentials
    if reviewer.profile_url:
        person["sameAs"] = reviewer.profile_url
    return {"reviewedBy": person, "lastReviewed": dates.machine(post.reviewed_at)}


def post_json_ld(post, request=None):
    """The post's JSON-LD, as a dict (a public post's: see the module's note);
    ``request``: the page being rendered, which shares its reading of the
    site's default share image."""
    url = absolute(post.get_absolute_url())
    page = {"@type": "WebPage", "@id": url}
    reviewed = review(post)
    if reviewed:
        page = {"@type": "MedicalWebPage", "@id": url, **reviewed}
    modified = max(post.publish_at, post.updated_at)
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": url + "#post",
        "mainEntityOfPage": page,
        "url": url,
        "headline": post.title,
        "description": post.summary,
        "inLanguage": settings.LANGUAGE_CODE,
        "author": author(post),
        "datePublished": dates.machine(post.publish_at),
        "dateModified": dates.machine(modified),
        "publisher": publisher(),
    }
    # A post without a featured image is shared with the site's default.
    found = images(post.featured_image or sharing.default_image(request))
    if found:
        data["image"] = found
    references = [reference for _, reference in post.numbered_references()]
    if references:
        data["citation"] = [citation(reference) for reference in references]
    for contributor in _contributors:
        data.update(contributor(post))
    return data


def script(data):
    """``data`` as a JSON-LD element, safe inside HTML: every <, > and & is a
    JSON escape, so no value can close the element. (A data block is not
    executed, so ``script-src 'self'`` does not block it.)"""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_SCRIPT_ESCAPES)),  # noqa: S308 (escaped just above)
    )
