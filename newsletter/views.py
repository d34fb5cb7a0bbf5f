"""The subscribe form's door, and the confirmation page (docs/readers.md)."""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from core import ratelimit, site_links
from core.mail import enqueue_with_data
from core.methods import SAFE, allow
from core.security import same_origin_required

from . import links, tasks
from .forms import PreferencesForm, SubscribeForm
from .models import Subscriber

logger = logging.getLogger("newsletter")

RATE_SCOPE = "newsletter"
CROSS_SITE = (
    "This form was sent from a page on another site, so it was not accepted. To "
    "subscribe, use the form on this site."
)
TOO_MANY = "You have sent this form many times in a short time. Please wait a minute."


def _form(request, data=None):
    return SubscribeForm(data, privacy_policy=site_links.find(site_links.PRIVACY_POLICY, request))


def _subscribe_page(request, form, status=200, message=""):
    response = render(
        request, "newsletter/subscribe.html", {"form": form, "message": message}, status=status
    )
    add_never_cache_headers(response)
    return response


def cross_site_refused(request, reason):
    logger.warning("subscription refused as cross-site (%s)", reason)
    return _subscribe_page(request, _form(request), status=403, message=CROSS_SITE)


@allow("GET", "HEAD", "POST")
@same_origin_required(refused=cross_site_refused)
def subscribe(request):
    """Take the subscribe form. Whatever the address (new, pending,
    subscribed, unknown), a valid form gets the same redirect and queues the
    same task; the worker alone looks the address up."""
    if request.method != "POST":
        return _subscribe_page(request, _form(request))
    if ratelimit.rate_limited(
        RATE_SCOPE, request.client, settings.NEWSLETTER_RATE_LIMIT_PER_MINUTE
    ):
        response = _subscribe_page(request, _form(request), status=429, message=TOO_MANY)
        response["Retry-After"] = str(ratelimit.WINDOW)
        return response
    form = _form(request, request.POST)
    if not form.is_valid():
        return _subscribe_page(request, form, status=400)
    enqueue_with_data(
        tasks.send_confirmation, form.cleaned_data["email"], form.cleaned_data["topics"]
    )
    return redirect("newsletter:sent")


@never_cache
@allow(*SAFE)
def sent(request):
    return render(
        request, "newsletter/sent.html", {"hours": settings.NEWSLETTER_CONFIRMATION_HOURS}
    )


@never_cache
@allow("GET", "HEAD", "POST")
def confirm(request, token):
    """The page the confirmation link opens: a button; opening it changes
    nothing (mail scanners open links), the button (a form with Django's
    CSRF token) confirms."""
    try:
        pk, topic_ids, sent_at = links.read_confirmation(token)
        subscriber = Subscriber.objects.filter(pk=pk).first()
        if subscriber is None:
            raise links.LinkError(links.USED, status=410)
    except links.LinkError as error:
        return render(
            request, "newsletter/link_error.html", {"message": error.message},
            status=error.status,
        )  # fmt: skip
    if request.method == "POST":
        if not subscriber.confirm(topic_ids, sent_at):
            return render(
                request, "newsletter/link_error.html", {"message": links.USED}, status=410
            )
        return render(request, "newsletter/confirmed.html", {"subscriber": subscriber})
    return render(request, "newsletter/confirm.html", {"all_posts": topic_ids is None})


# --- the subscriber's own links (every email carries them) ------------------


def _subscriber(token):
    """The subscriber a link names; a link we did not make, or whose
    subscription was deleted, is not found."""
    pk = links.read_subscriber(token)
    subscriber = Subscriber.objects.filter(pk=pk).first() if pk is not None else None
    if subscriber is None:
        raise Http404("No such subscription.")
    return subscriber


@csrf_exempt
@never_cache
@allow("GET", "HEAD", "POST")
def unsubscribe(request, token):
    """The address in ``List-Unsubscribe`` and the link in every email.

    A GET shows one button and changes nothing (mail scanners open links).
    A POST unsubscribes: the button's, or a mail client's one-click POST
    (RFC 8058: ``List-Unsubscribe=One-Click``, with no session or cookie, so
    no CSRF token). The signed link, not a token in a session, is the proof:
    a forged cross-site POST would need the link itself.
    """
    subscriber = _subscriber(token)
    if request.method == "POST":
        subscriber.unsubscribe()
        logger.info("subscriber %s unsubscribed", subscriber.pk)
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"subscriber": subscriber, "token": token, "done": request.method == "POST"},
    )


@never_cache
@allow("POST")
def resubscribe(request, token):
    """The way back in from the unsubscribe page (Django's CSRF token)."""
    subscriber = _subscriber(token)
    subscriber.resubscribe()
    return redirect("newsletter:preferences", token=token)


@never_cache
@allow("POST")
def forget(request, token):
    """Delete the subscription and its send records at once (Django's CSRF
    token): the reader's right, from the link in any email."""
    subscriber = _subscriber(token)
    Subscriber.objects.filter(pk=subscriber.pk).erase()
    logger.info("subscriber %s deleted at their request", subscriber.pk)
    return render(request, "newsletter/forgotten.html")


@never_cache
@allow("GET", "HEAD", "POST")
def preferences(request, token):
    """Topics and pause, from the link in any email (Django's CSRF token)."""
    subscriber = _subscriber(token)
    initial = {
        "topics": [] if subscriber.all_posts else list(subscriber.topics.all()),
        "paused": subscriber.status == Subscriber.Status.PAUSED,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        subscriber.set_preferences(form.cleaned_data["topics"], form.cleaned_data["paused"])
        saved = True
    return render(
        request,
        "newsletter/preferences.html",
        {"subscriber": subscriber, "form": form, "token": token, "saved": saved},
    )
