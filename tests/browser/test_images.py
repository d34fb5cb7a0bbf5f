"""An editor in Chromium uploads a photo through the real admin form, makes it
a post's featured image, places it in the body, and a reader sees both,
described by their alt text, in the right size, from this site only."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles.models import Post
from images.models import Image
from tests.images.factories import photo_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALT = "A runner drinking water from a bottle after a race"
SLUG = "hydration-basics-for-active-people"
# A phone's landscape photo, with its GPS position in the EXIF data.
PHOTO = photo_with_gps(2400, 1600, orientation=1)


def loaded(locator):
    """The image was fetched and decoded (not a broken-image icon)."""
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_editor_uploads_a_featured_image_places_it_in_the_body_and_a_reader_sees_it(
    demo, editor_user, new_page, watch, screenshot, admin_login
):
    page = admin_login(new_page(viewport={"width": 1280, "height": 900}), editor_user)

    # Upload, through the real file input.
    page.locator("#images-image").get_by_role("link", name="Images").click()
    page.get_by_role("link", name="Add image").click()
    page.locator("#id_file").set_input_files(
        files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": PHOTO}]
    )
    page.get_by_label("Alt text:").fill(ALT)
    page.get_by_label("Caption:").fill("Drink to thirst, and a little more in the heat.")
    page.get_by_label("Credit:").fill("Photo: Erin Browser")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("#result_list img.image-thumbnail").first).to_have_attribute("alt", ALT)
    screenshot(page, "image-library")

    image = Image.objects.get(alt=ALT)
    assert image.uploaded_by == editor_user
    assert (image.width, image.height) == (2400, 1600)
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1600]

    # The image's page says what to paste into a body.
    page.locator("#result_list th.field-thumbnail a").first.click()
    markdown = page.locator("code.image-markdown").inner_text()
    assert markdown == f"![{ALT}](image:{image.pk})"
    screenshot(page, "image-change", readme=True)

    # The post: featured image chosen by typing words of its alt text.
    page.goto("/admin/articles/post/")
    page.get_by_role("link", name="Hydration Basics for Active People").click()
    page.locator(".field-featured_image .select2-selection").click()
    page.locator(".select2-search__field").fill("runner")
    page.locator(".select2-results__option", has_text=ALT).click()
    body = page.locator("#id_body")
    body.fill(body.input_value() + f'\n\n![After the race](image:{image.pk} "Water first.")\n')
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator(".field-featured_image_preview img")).to_have_attribute("alt", ALT)
    screenshot(page, "post-admin-featured-image", full_page=True)

    # An image without alt text is refused, shown on the body, nothing saved.
    body.fill(body.input_value() + f"\n\n![](image:{image.pk})\n")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".field-body .errorlist")).to_contain_text("Every image needs alt text")
    screenshot(page, "post-admin-image-without-alt")
    post = Post.objects.get(slug=SLUG)
    assert post.featured_image == image
    assert "![](image:" not in post.body

    # A reader (no session).
    reader = new_page()
    reader.goto(f"/blog/{SLUG}/")
    featured = reader.get_by_role("img", name=ALT)
    expect(featured).to_be_visible()
    assert loaded(featured)
    expect(reader.locator(".featured-image figcaption")).to_contain_text(
        "Drink to thirst, and a little more in the heat. Photo: Erin Browser"
    )
    in_body = reader.locator(".post-body figure img")
    expect(in_body).to_have_attribute("alt", "After the race")
    expect(in_body).to_have_attribute("loading", "lazy")
    in_body.scroll_into_view_if_needed()
    expect(reader.locator(".post-body figcaption")).to_contain_text("Water first.")
    reader.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=in_body.element_handle()
    )
    # The browser chose a rendition for a 1280-pixel window: not the original.
    chosen = featured.evaluate("img => img.currentSrc")
    assert "/media/images/" in chosen and chosen.endswith("w.jpg")
    box = featured.bounding_box()
    assert box["width"] <= 856 and abs(box["height"] / box["width"] - 2 / 3) < 0.01
    reader.evaluate("window.scrollTo(0, 0)")
    screenshot(reader, "post-with-images", full_page=True)

    reader.goto("/blog/")
    card = reader.locator("article.card", has_text="Hydration Basics").locator("img")
    expect(card).to_have_attribute("alt", ALT)
    expect(reader.locator("article.card", has_text="Glutamine and Gut Health").locator("img"))
    screenshot(reader, "index-with-images", full_page=True)

    watch.assert_clean()


def test_an_error_on_add_image_keeps_the_chosen_file(
    editor_user, new_page, watch, screenshot, admin_login, settings
):
    """Issue 15, "Lost file": the alt text forgotten, the picture stays chosen."""
    page = admin_login(new_page(viewport={"width": 1280, "height": 900}), editor_user)
    page.goto("/admin/images/image/add/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": PHOTO}]
    )
    page.get_by_label("Caption:").fill("After the race.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".field-alt .errorlist")).to_contain_text("This field is required.")
    kept = page.locator(".field-file .kept-upload")
    expect(kept).to_contain_text("Chosen: IMG_2041.JPG")
    thumbnail = kept.locator("img")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    expect(page.locator("#id_file")).not_to_have_attribute("required", "")
    expect(page.get_by_label("Caption:")).to_have_value("After the race.")
    screenshot(page, "image-add-kept-file")

    page.get_by_label("Alt text:").fill(ALT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    image = Image.objects.get(alt=ALT)
    assert (image.width, image.height) == (2400, 1600) and image.caption == "After the race."
    assert [r["width"] for r in image.renditions] == [480, 800, 1200, 1600]
    assert not list((Path(settings.MEDIA_ROOT) / "images" / "pending").iterdir())
    watch.assert_clean()
