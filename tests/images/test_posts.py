"""Images on posts: the featured image on the page and on the index card,
library images in the body, and the errors an editor gets for an image
readers could not see."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from articles.models import Post, PostBodyImage
from core import markup
from tests.articles.factories import PostFactory

from .factories import ImageFactory, picture, upload

pytestmark = pytest.mark.django_db


def img_tags(html):
    return re.findall(r"<img\b[^>]*>", html)


def attributes(tag):
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def body_errors(post):
    with pytest.raises(ValidationError) as caught:
        post.full_clean()
    return caught.value.message_dict["body"]


@pytest.fixture
def image():
    return ImageFactory(
        file=upload(picture(2000, 1200)),
        alt="A scoop of white powder beside a glass of water",
        caption="Glutamine powder mixes into water.",
        credit="Photo: Jane Doe",
    )


# --- featured image -------------------------------------------------------


def test_the_post_page_shows_the_featured_image_with_srcset_and_its_caption(client, image):
    post = PostFactory(featured_image=image)

    html = client.get(post.get_absolute_url()).text

    featured = html[html.index('<figure class="featured-image') :]
    tag = attributes(img_tags(featured)[0])
    assert tag["alt"] == "A scoop of white powder beside a glass of water"
    assert (tag["width"], tag["height"]) == ("1600", "960")  # no layout shift
    widths = [c.split()[1] for c in tag["srcset"].split(", ")]
    assert widths == ["480w", "800w", "1200w", "1600w"]
    assert all(c.startswith("/media/images/") for c in tag["srcset"].split(", "))
    assert "(min-width: 1400px) 856px" in tag["sizes"]
    assert "loading" not in tag  # above the fold: loaded at once
    assert tag["fetchpriority"] == "high"
    assert "Glutamine powder mixes into water." in featured
    assert '<small class="image-credit">Photo: Jane Doe</small>' in featured


def test_the_featured_images_text_is_escaped(client):
    image = ImageFactory(alt='"><script>alert(1)</script>', caption="<b>bold</b>", credit="<i>")
    post = PostFactory(featured_image=image)

    html = client.get(post.get_absolute_url()).text

    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_index_cards_show_featured_images_lazily_after_the_first(client, settings):
    settings.BLOG_POSTS_PER_PAGE = 3
    for _ in range(3):
        PostFactory(featured_image=ImageFactory())

    tags = [attributes(t) for t in img_tags(client.get("/blog/").text)]

    assert len(tags) == 3
    assert [t.get("loading") for t in tags] == ["eager", "lazy", "lazy"]
    assert all(t["srcset"] and t["width"] and t["height"] and t["alt"] for t in tags)


def test_post_page_query_count_is_the_same_with_a_featured_image(client, image):
    bare = PostFactory()
    with CaptureQueriesContext(connection) as without:
        client.get(bare.get_absolute_url())
    post = PostFactory(featured_image=image, body=f"![A glass](image:{image.pk})")
    cache.clear()  # as cold as the first: the site's menus are built again

    with CaptureQueriesContext(connection) as with_image:
        response = client.get(post.get_absolute_url())

    assert len(img_tags(response.text)) == 2
    # The post without an image looked up the site's default share image (once:
    # then it is kept with the menus); the featured image itself costs nothing.
    assert len(with_image) == len(without) - 1


def test_index_query_count_is_the_same_with_featured_images(
    client, settings, django_assert_num_queries
):
    PostFactory()
    with CaptureQueriesContext(connection) as without:
        client.get("/blog/")
    for _ in range(settings.BLOG_POSTS_PER_PAGE):
        PostFactory(featured_image=ImageFactory())
    cache.clear()  # as cold as the first: the site's menus are built again

    with django_assert_num_queries(len(without)):
        response = client.get("/blog/")
    assert len(img_tags(response.text)) == settings.BLOG_POSTS_PER_PAGE


def test_a_page_request_opens_no_file(client, image, monkeypatch):
    post = PostFactory(featured_image=image, body=f"![A glass](image:{image.pk})")
    storage = image.file.storage

    def forbidden(*args, **kwargs):
        raise AssertionError("the page touched the media storage")

    for method in ("open", "exists", "size", "path", "listdir", "save"):
        monkeypatch.setattr(storage, method, forbidden)

    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get("/blog/").status_code == 200


def test_changing_the_alt_text_in_the_library_shows_on_the_cached_page(client, image):
    post = PostFactory(featured_image=image)
    client.get(post.get_absolute_url())  # now cached

    image.alt = "A glass of water and a green scoop"
    image.save()

    assert 'alt="A glass of water and a green scoop"' in client.get(post.get_absolute_url()).text


def test_an_image_a_post_features_cannot_be_deleted(image):
    PostFactory(featured_image=image)
    with pytest.raises(ProtectedError):
        image.delete()


# --- images in the body -------------------------------------------------------


def test_a_library_image_alone_on_its_line_becomes_a_figure(image):
    post = PostFactory(
        body=f'Intro.\n\n![Powder and water](image:{image.pk} "In a glass")\n\nEnd.'
    )

    html = post.body_html
    figure = re.search(r"<figure>.*?</figure>", html, re.S).group(0)
    tag = attributes(img_tags(figure)[0])
    assert tag["alt"] == "Powder and water"  # the body's own alt text
    assert tag["loading"] == "lazy"
    assert tag["srcset"].count("w, ") == 3 and tag["sizes"]
    assert (tag["width"], tag["height"]) == ("1600", "960")
    assert "<figcaption>In a glass<small>Photo: Jane Doe</small></figcaption>" in figure
    assert "<p><figure>" not in html


def test_a_body_image_without_a_caption_uses_the_librarys():
    image = ImageFactory(caption="From the library")
    post = PostFactory(body=f"![Powder](image:{image.pk})")
    assert "<figcaption>From the library</figcaption>" in post.body_html


def test_a_library_image_in_a_sentence_stays_inline(image):
    post = PostFactory(body=f"Mix ![a scoop](image:{image.pk}) into water.")
    assert "<figure>" not in post.body_html
    assert re.search(r"<p>Mix <img [^>]*alt=\"a scoop\"[^>]*> into water.</p>", post.body_html)


def test_body_images_are_recorded_and_protected(image):
    other = ImageFactory()
    post = PostFactory(body=f"![One](image:{image.pk})\n\n![Two](image:{other.pk})")
    assert set(PostBodyImage.objects.values_list("image_id", flat=True)) == {image.pk, other.pk}

    post.body = f"![One](image:{image.pk})"
    post.save()
    assert list(PostBodyImage.objects.values_list("image_id", flat=True)) == [image.pk]
    with pytest.raises(ProtectedError):
        image.delete()
    other.delete()  # no longer used


def test_a_new_caption_in_the_library_reaches_bodies_that_show_it(image):
    post = PostFactory(body=f"![Powder](image:{image.pk})")

    image.credit = "Photo: John Roe"
    image.save()

    post.refresh_from_db()
    assert "<small>Photo: John Roe</small>" in post.body_html


@pytest.mark.parametrize(
    ("body", "code_text"),
    [
        ("![](image:{pk})", "Every image needs alt text"),
        ("![   ](image:{pk})", "Every image needs alt text"),
        ("![](/media/images/photo.jpg)", "Missing for: /media/images/photo.jpg"),
        ("![A photo](image:999999)", "image:999999, not in the image library"),
        ("![A photo](image:99999999999999999999999)", "not in the image library"),
        ("![Tracker](https://evil.example/pixel.png)", "not from other sites"),
        ("![x](//evil.example/pixel.png)", "not from other sites"),
        ("![x](/media/../admin/logo.png)", "not from other sites"),
        ("![x](javascript:alert(1))", "not from other sites"),
        ('<img src="/media/images/a.jpg" alt="raw">', "written as HTML"),
        ('<p><img src="image:{pk}" alt="raw"></p>', "written as HTML"),
    ],
)
def test_an_image_readers_could_not_see_is_an_error_on_the_body(image, body, code_text):
    post = PostFactory.build(body=body.format(pk=image.pk), author=PostFactory().author)

    errors = body_errors(post)

    assert any(code_text in e for e in errors), errors


def test_valid_images_pass_the_body_check(image):
    post = PostFactory.build(
        body=f"![Powder](image:{image.pk})\n\n![Chart](/media/images/chart.png)\n\n"
        f"`![](image:{image.pk})` is how *not* to do it.",
        author=PostFactory().author,
    )
    post.full_clean()


def test_a_broken_body_never_shows_a_broken_image():
    post = PostFactory(body="![](/media/x.png) and ![y](image:424242) and ![z](https://e.x/a.png)")
    # Saved without the form's check: the text stays as typed, no <img> at all.
    assert "<img" not in post.body_html
    assert "![y](image:424242)" in post.body_html


def test_the_sanitiser_drops_image_addresses_from_other_sites():
    html = markup.sanitize(
        '<img src="https://evil.example/x.png" alt="a">'
        '<img src="/media/a.jpg" srcset="/media/a.jpg 1x, https://evil.example/b.png 2x" alt="b">'
        '<img src="/media/c.jpg" srcset="/media/c-480w.jpg 480w, /media/c.jpg 900w" alt="c">'
    )
    assert "evil.example" not in html
    assert '<img src="/media/c.jpg" srcset="/media/c-480w.jpg 480w, /media/c.jpg 900w"' in html


def test_the_media_host_is_allowed_when_one_is_configured(settings):
    settings.MEDIA_ORIGIN = "https://media.example.com"
    post = Post(body="![Chart](https://media.example.com/images/chart.png)")
    post.clean()
    settings.MEDIA_ORIGIN = ""
    with pytest.raises(ValidationError):
        post.clean()


def test_post_admin_shows_the_image_errors_on_the_body(editor_client, image):
    from tests.admin.forms import submitted

    post = PostFactory()
    url = f"/admin/articles/post/{post.pk}/change/"
    data = submitted(editor_client.get(url).text, form_id="post_form")
    data["body"] = [f"Text.\n\n![](image:{image.pk})\n\n![Photo](image:31337)"]
    data["_save"] = ["Save"]

    response = editor_client.post(url, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert any("Every image needs alt text" in e for e in errors)
    assert any("image:31337" in e for e in errors)
    post.refresh_from_db()
    assert "image:" not in post.body


def test_post_admin_sets_a_featured_image_and_previews_it(editor_client, image):
    from tests.admin.forms import submitted

    post = PostFactory()
    url = f"/admin/articles/post/{post.pk}/change/"
    data = submitted(editor_client.get(url).text, form_id="post_form")
    data["featured_image"] = [str(image.pk)]
    data["_continue"] = ["Save and continue editing"]

    response = editor_client.post(url, data, follow=True)

    post.refresh_from_db()
    assert post.featured_image == image
    preview = response.text[response.text.index("field-featured_image_preview") :]
    assert 'class="image-thumbnail"' in preview[:2000]
    assert image.alt in preview[:2000]
