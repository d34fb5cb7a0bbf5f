"""What every test shares: fast password hashing, tasks run at once, an
empty cache and a media folder of its own; the tiers marked by folder; and,
under pytest-xdist (``make test``), a cache of each worker's own.

The tiers (docs/performance.md, "The test suite"): every test under
tests/browser is marked ``browser`` and every test under tests/production
``production``, so ``pytest -m "not browser and not production"`` (``make
test-fast``) leaves both out.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.articles.factories import UserFactory
from tests.environment import IMMEDIATE_TASKS, PASSWORD_HASHERS

TESTS = Path(__file__).resolve().parent
TIERS = {"browser": TESTS / "browser", "production": TESTS / "production"}


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        for marker, folder in TIERS.items():
            if item.path.is_relative_to(folder):
                item.add_marker(marker)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (``item.report_call``): fixtures
    that leave screenshots of a failed browser test read it."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def _worker_number(config):
    """0, 1, ... for pytest-xdist's workers gw0, gw1, ...; None without xdist."""
    workerinput = getattr(config, "workerinput", None)
    return None if workerinput is None else int(workerinput["workerid"].removeprefix("gw"))


@pytest.fixture(scope="session", autouse=True)
def _cache_of_this_worker(request):
    """Each xdist worker its own Redis database: the number in CACHE_URL plus
    the worker's (gw0 the one named, gw1 the next...), as each gets its own test
    database. Tests empty the cache (FLUSHDB), which must not empty another
    worker's in the middle of a test. A cache in memory is each process's own."""
    from django.conf import settings
    from django.test.utils import override_settings

    number = _worker_number(request.config)
    default = settings.CACHES["default"]
    if not number or default["BACKEND"] != REDIS_CACHE:
        yield
        return
    found = re.fullmatch(r"(redis://[^?#]*/)(\d+)", default["LOCATION"])
    if found is None:
        pytest.fail(f"CACHE_URL should end in a database number: {default['LOCATION']}")
    location = f"{found[1]}{int(found[2]) + number}"
    with override_settings(
        CACHES={**settings.CACHES, "default": {**default, "LOCATION": location}}
    ):
        yield


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
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


def pytest_sessionfinish(session):
    """Under xdist, each worker hands its count to the controller (below)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["input_cases"] = sum(_INPUT_CASES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    _INPUT_CASES.append(getattr(node, "workeroutput", {}).get("input_cases", 0))


def pytest_terminal_summary(terminalreporter):
    if sum(_INPUT_CASES):
        terminalreporter.write_line(f"hostile input cases tried: {sum(_INPUT_CASES)}")
