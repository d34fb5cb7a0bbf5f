import factory

from pages.models import Page


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page number {n}")
    slug = factory.Sequence(lambda n: f"page-number-{n}")
    body = "Some *Markdown* text."
    status = Page.Status.PUBLISHED
    place = Page.Place.NONE
    order = 0

    class Params:
        draft = factory.Trait(status=Page.Status.DRAFT)
        in_navigation = factory.Trait(place=Page.Place.NAVIGATION)
        in_footer = factory.Trait(place=Page.Place.FOOTER)
        privacy = factory.Trait(is_privacy_policy=True)
