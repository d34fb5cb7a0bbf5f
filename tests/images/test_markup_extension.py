"""core.markup knows no app: library images are whatever the registered
image resolver makes of them (the images app registers its own)."""

import xml.etree.ElementTree as etree

import pytest

from core import markup
from images.markup import LibraryImages


@pytest.fixture
def resolver():
    """A stand-in resolver for the duration of a test."""

    class Stub(markup.ImageResolver):
        def lookup(self, ids):
            self.asked = ids
            return {7: "seven"}

        def element(self, image, alt, caption, block):
            return etree.Element("img", {"src": f"/media/{image}.png", "alt": alt})

    stub = Stub()
    markup.register_image_resolver(stub)
    yield stub
    markup.register_image_resolver(LibraryImages())


def test_the_app_registers_its_resolver_when_django_starts():
    assert isinstance(markup.image_resolver(), LibraryImages)


def test_core_asks_the_resolver_once_for_every_image_of_a_body(resolver):
    result = markup.render("![a](image:7)\n\n![b](image:7) ![c](image:8)")

    assert resolver.asked == [7, 8]
    assert result.html.count('<img alt="a" src="/media/seven.png">') == 1
    assert result.images == [7, 7]
    assert result.unknown_images == ["8"]


def test_without_an_app_library_images_are_unknown_and_local_addresses_allowed():
    markup.register_image_resolver(markup.ImageResolver())
    try:
        result = markup.render("![a](image:1) ![b](/pics/b.png) ![c](https://x.example/c.png)")
    finally:
        markup.register_image_resolver(LibraryImages())
    assert result.unknown_images == ["1"]
    assert result.foreign_images == ["https://x.example/c.png"]
    assert '<img alt="b" src="/pics/b.png">' in result.html


def test_image_references_lists_the_ids_a_body_mentions():
    body = "![a](image:3)\n![b](IMAGE:12 'x') ![c](image:3) image:99999999999999999999999"
    assert markup.image_references(body) == [3, 12]
