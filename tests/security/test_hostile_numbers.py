"""Every number (and every other value) an address carries is checked: huge,
negative, not a number, a NUL, digits from other scripts. Every page answers
200, 302, 400 or 404 (403/405 where the page says so), never a server error.

The sweep is not a list of known cases: it walks every model registered in
the admin (its changelist filters, date hierarchy, pages, sorting, search,
every object address of its URLs) and every public address in the URLconf
(each of its path parameters, and the query parameters pages read), so what
is added later is swept too.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.articles.factories import PostFactory, UserFactory
from tests.comments.factories import CommentFactory
from tests.pages.factories import PageFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: beyond any 64-bit integer
HOSTILE = [
    HUGE,
    "9" * 23,
    "9223372036854775808",  # 2**63
    "9223372036854775807",  # 2**63 - 1: the largest bigint
    "2147483648",  # 2**31
    "99999999999",  # a year
    "9999",  # the last year Python's dates hold
    "-1",
    "-" + HUGE,
    "0",
    "1.5",
    "1e400",
    "abc",
    "\x00",
    "1\x00",
    "\u0661\u0662",  # Arabic-Indic digits: int() takes them
    "\uff11\uff12",  # full-width digits
    "\u00b2",  # a superscript two: isdigit() but not int()
    "nan",
    "9" * 5000,  # beyond Python's int-from-text limit (4300 digits)
    "\U0001f4a5",
]
ANSWERS = {200, 302, 400, 404}
# Where the page says so: not allowed (a read-only admin), not this method,
# too many comments at once.
REFUSALS = {403, 405, 429}

ADMIN_MODELS = [
    model._meta.label for model in apps.get_models() if admin.site.is_registered(model)
]


@pytest.fixture
def some_of_everything(db):
    post = PostFactory()
    CommentFactory(post=post)
    CommentFactory(post=post, approved=True)
    PageFactory()
    return post


@pytest.fixture
def superuser_client(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def changelist_parameters(model_admin, user):
    """Every query parameter the model's changelist reads: its filters'
    (``ListFilter.expected_parameters``), the date hierarchy's, the page,
    the sort and the search."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    parameters = {PAGE_VAR, ORDER_VAR, SEARCH_VAR}
    for spec in changelist.filter_specs:
        parameters.update(spec.expected_parameters())
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        parameters.update({f"{field}__year", f"{field}__month", f"{field}__day"})
    return sorted(parameters)


def object_urls(model_admin, value):
    """The model admin's own addresses that name an object, for ``value``."""
    urls = []
    for pattern in model_admin.urls:
        names = set(pattern.pattern.regex.groupindex)
        if pattern.name and names == {"object_id"}:
            urls.append(reverse(f"admin:{pattern.name}", kwargs={"object_id": value}))
    return urls


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_every_admin_changelist_parameter_takes_any_value(
    label, some_of_everything, superuser_client, input_cases
):
    client, user = superuser_client
    model_admin = admin.site.get_model_admin(apps.get_model(label))
    url = reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")
    failures, tried = [], 0
    for parameter in changelist_parameters(model_admin, user):
        for value in HOSTILE:
            response = client.get(url, {parameter: value})
            tried += 1
            if response.status_code not in ANSWERS:
                failures.append((parameter, value[:30], response.status_code))
    input_cases(tried)
    assert not failures, failures


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_every_admin_object_address_takes_any_id(
    label, some_of_everything, superuser_client, input_cases
):
    client, _ = superuser_client
    model_admin = admin.site.get_model_admin(apps.get_model(label))
    failures, tried = [], 0
    for value in HOSTILE:
        for url in object_urls(model_admin, value):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                tried += 1
                if response.status_code not in ANSWERS | REFUSALS:
                    failures.append((url[:80], method, response.status_code))
    input_cases(tried)
    assert tried and not failures, failures


def test_the_admin_sites_own_addresses_take_any_value(
    some_of_everything, superuser_client, input_cases
):
    client, _ = superuser_client
    failures, tried = [], 0
    for value in HOSTILE:
        urls = [
            # "View on site": a content type and an object, both numbers.
            reverse("admin:view_on_site", args=[value, value]),
            reverse("admin:view_on_site", args=["1", value]),
            # The autocomplete's pages (the featured image picker).
            f"{reverse('admin:autocomplete')}?app_label=articles&model_name=post"
            f"&field_name=featured_image&term=a&page={value}",
        ]
        for url in urls:
            response = client.get(url)
            tried += 1
            if response.status_code not in ANSWERS | REFUSALS:
                failures.append((url[:120], response.status_code))
    input_cases(tried)
    assert not failures, failures


# --- the public site ----------------------------------------------------------

# What each public address's path parameters are, for the sweep: any
# parameter not named here fails the test below, so a new address is swept
# as soon as it is added.
QUERY_PARAMETERS = ["page", "p", "q", "before", "utm_source", "id"]


def public_patterns(patterns=None, prefix="", namespace=""):
    """(name, route, path parameters) of every address outside the admin."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == admin.site.name:
                continue
            name = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_patterns(entry.url_patterns, prefix + str(entry.pattern), name)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}",
                prefix + str(entry.pattern),
                sorted(entry.pattern.regex.groupindex),
            )


def sample_kwargs(post, page):
    return {
        "slug": post.slug,
        "post_id": post.pk,
        "token": "abc",
        "path": "x.png",
        # The date archives (their converters take four-digit years, two-digit
        # months: other values are no address; tests/articles/test_lists.py
        # tries them raw).
        "year": post.publish_at.year,
        "month": post.publish_at.month,
        # A staff member's own factor (accounts: /admin/two-factor/app/1/rename/).
        "kind": "app",
        "pk": 1,
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_public_address_takes_any_value(method, some_of_everything, input_cases):
    post = some_of_everything
    page = PageFactory(slug="about-us")
    client = Client(raise_request_exception=False)
    samples = sample_kwargs(post, page)
    failures, tried = [], 0
    for name, route, parameters in public_patterns():
        assert set(parameters) <= set(samples), f"{route}: give the sweep a sample of {parameters}"
        if not name or name.endswith("None"):
            continue
        for parameter in parameters:
            for value in HOSTILE:
                kwargs = {**{p: samples[p] for p in parameters}, parameter: value}
                try:
                    url = reverse(name, kwargs=kwargs)
                except Exception:  # noqa: BLE001 (the converter refuses it: no such address)
                    continue
                response = getattr(client, method)(url)
                tried += 1
                if response.status_code not in ANSWERS | REFUSALS:
                    failures.append((url[:80], response.status_code))
        try:
            url = reverse(name, kwargs={p: samples[p] for p in parameters})
        except Exception:  # noqa: BLE001
            continue
        if method != "get":
            continue
        for query in QUERY_PARAMETERS:
            for value in HOSTILE:
                response = client.get(url, {query: value})
                tried += 1
                if response.status_code not in ANSWERS | REFUSALS:
                    failures.append((url, query, value[:30], response.status_code))
    input_cases(tried)
    assert not failures, failures


def test_the_known_reproductions_get_the_admins_own_invalid_filter_answer(
    some_of_everything, superuser_client
):
    client, _ = superuser_client
    # A page beyond the last: the list (one page only) or ?e=1, as Django does.
    for url in [f"/admin/articles/post/?p={HUGE}", f"/admin/comments/comment/?p={HUGE}"]:
        response = client.get(url)
        assert response.status_code == 200 or response["Location"].endswith("?e=1"), url
    for url in [
        f"/admin/comments/comment/?post__id__exact={'9' * 23}",
        "/admin/articles/post/?publish_at__year=99999999999",
        "/admin/articles/post/?publish_at__year=9999",
        "/admin/axes/accessattempt/?attempt_time__year=99999999999",
    ]:
        response = client.get(url)
        # Django's answer to a filter it cannot apply: back to the list, ?e=1.
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].endswith("?e=1"), url
    response = client.get(f"/admin/articles/post/{'9' * 23}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_sitemap_page_beyond_any_is_not_found(some_of_everything):
    assert Client().get(f"/sitemap.xml?p={HUGE}").status_code == 404
    assert Client().get("/sitemap.xml?p=1000001").status_code == 404
