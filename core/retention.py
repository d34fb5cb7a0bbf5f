"""What other apps delete when the retention command runs (comments'
``manage.py clear_network_data``, daily from cron), without that command
knowing them, the way core.site_links lets apps provide links.

An app registers a cleaner in its ``AppConfig.ready()``::

    retention.register("unconfirmed subscriptions", delete_expired)

``delete_expired(now)`` deletes what the app keeps no longer than its own
setting says, and returns how many it deleted. The command runs every cleaner
after its own work and reports each count.
"""

_cleaners = {}


def register(what, cleaner):
    """Run ``cleaner(now)`` (returning a count of ``what`` deleted) at each retention run."""
    _cleaners[what] = cleaner


def run(now):
    """Run every registered cleaner: [(what, count)], in registration order."""
    return [(what, cleaner(now)) for what, cleaner in _cleaners.items()]
