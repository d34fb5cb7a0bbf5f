"""Response headers as Chromium reads them: the Permissions-Policy names only
features the browser knows (it reports any other in the console), and the
features it denies are denied in the page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_permissions_policy_is_understood_and_denies_what_the_site_does_not_use(
    demo, page, watch
):
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))

    page.goto("/blog/glutamine-and-gut-health/")

    assert not [m for m in messages if "ermissions" in m and "olicy" in m], messages
    allowed = page.evaluate(
        "['camera', 'microphone', 'geolocation', 'payment', 'usb', 'fullscreen']"
        ".filter(f => document.featurePolicy.allowsFeature(f))"
    )
    assert allowed == []
    watch.assert_clean()
