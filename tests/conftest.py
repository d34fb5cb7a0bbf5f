import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.articles.factories import UserFactory

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (``item.report_call``): fixtures
    that leave screenshots of a failed browser test read it."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks (mail) run at once, after the commit, whatever the environment says.
    settings.TASKS = IMMEDIATE_TASKS
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _staff_two_factor(settings):
    """Staff sign in with a password alone here (force_login, the admin's form,
    the demo accounts), whatever DEBUG says; the second factor's own tests
    (tests/accounts) set STAFF_TWO_FACTOR="required" and sign in through it."""
    settings.STAFF_TWO_FACTOR = "optional"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploads (and the demo's picture) go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def editor(db):
    user = UserFactory(username="erin", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def moderator(db):
    user = UserFactory(username="morgan", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


# --- hostile input: how many cases the tests tried ---------------------------
# Tests that throw odd input at the site (huge numbers, odd characters, odd
# character sets) count each request in ``input_cases``; the total is printed
# at the end of the run ("hostile input cases tried: N").
_INPUT_CASES = []


@pytest.fixture
def input_cases():
    """Call ``input_cases(n)`` for n requests of hostile input this test sent."""
    return _INPUT_CASES.append


def pytest_terminal_summary(terminalreporter):
    if _INPUT_CASES:
        terminalreporter.write_line(f"hostile input cases tried: {sum(_INPUT_CASES)}")
