import logging

from django.conf import settings
from django.contrib import messages
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from articles.models import Post
from core.client_ip import client_address
from core.mail import enqueue_on_commit
from core.methods import SAFE, allow
from core.middleware import BUSY_RETRY_SECONDS, database_busy
from core.security import same_origin_required

from . import deletion, moderation, notifications, trust
from .awaiting import AwaitingComments
from .forms import CommentForm, DeletionRequestForm
from .models import Comment

APPROVAL_NOTICE = "Please note, comments need to be approved before they are published."
TOO_MANY_COMMENTS = (
    "You have sent several comments in a short time. Please wait a minute and send your "
    "comment again."
)
TOO_MANY_FORMS = (
    "You have sent this form many times in a short time. Please wait a minute and send "
    "your comment again."
)
PUBLISHED_NOTICE = "Thank you: your comment is published."

logger = logging.getLogger("comments")


def cross_site_refused(request, reason, post_id):
    logger.warning("comment refused as cross-site (%s)", reason)
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    return _refused(
        request,
        post,
        request.POST.get("text", ""),
        "This comment was sent from a page on another site, so it was not accepted. "
        "To comment, use the form on this post's page.",
        status=403,
    )


@require_POST
@same_origin_required(refused=cross_site_refused)
def post_comment(request, post_id):
    """Receive a comment: refuse, re-render with errors, or store and redirect."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    text = request.POST.get("text", "")
    address = client_address(request)
    # Every form sent counts toward a high cap (each costs a render) ...
    if moderation.too_many_forms(address):
        return _too_many(request, post, text, TOO_MANY_FORMS)
    if not moderation.comments_open(post):
        return _refused(request, post, text, "Comments are closed on this post.", status=403)

    form = CommentForm(post, data=request.POST)
    if not form.is_valid():
        form.refresh_token()
        post = Post.objects.published().for_page().get(pk=post.pk)
        response = render(
            request,
            "articles/post_detail.html",
            {"post": post, "object": post, "comment_form": form},
        )
        add_never_cache_headers(response)
        return response
    # ... and only comments stored count toward the limit: a reader
    # correcting a mistake is never told they sent several comments.
    if moderation.over_limit(address):
        return _too_many(request, post, text, TOO_MANY_COMMENTS)

    try:
        comment = Comment.objects.receive(
            post,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            ip_address=address,
            user_agent=request.headers.get("User-Agent", ""),
            trap=form.caught,
            notify_on_approval=form.cleaned_data["notify_on_approval"],
            proof=trust.proof_in(request),
        )
    except OperationalError as error:
        if not database_busy(error):
            raise
        # Nothing was stored (one INSERT, rolled back whole): the reader gets
        # their text back and a moment to wait, not a server error.
        logger.warning("comment not stored, database busy: %s", error)
        response = _refused(
            request,
            post,
            text,
            "The site is busy right now and your comment was not saved. Please "
            "wait a few seconds and send it again.",
            status=503,
        )
        response["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response
    moderation.counted(address)
    if comment.is_public:  # from a browser that proved its trusted address
        messages.info(request, PUBLISHED_NOTICE)
    else:
        AwaitingComments(request).remember(comment)
        messages.info(request, APPROVAL_NOTICE)
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


def _too_many(request, post, text, message):
    response = _refused(request, post, text, message, status=429)
    response["Retry-After"] = "60"
    return response


def _refused(request, post, text, message, status):
    response = render(
        request,
        "comments/refused.html",
        {"post": post, "text": text, "message": message},
        status=status,
    )
    add_never_cache_headers(response)
    return response


# --- readers' rights: deleting one's comments -------------------------------
# These pages are never cached: they are per reader, and use Django's CSRF
# token like any form that is not on a shared page.


@never_cache
@allow("GET", "HEAD", "POST")
def deletion_request(request):
    """A reader asks, by email address, for all their comments to be deleted.

    The answer is the same whether or not the address has comments: the same
    redirect and page, and the same work in the request (a task is queued for
    every address; the worker alone looks the address up, and sends the
    confirmation link only where there is something to delete).
    """
    form = DeletionRequestForm(request.POST or None)
    if request.method == "POST":
        address, scope = client_address(request), "comment-deletion"
        # Like comments: every form sent counts toward a high cap, and only
        # requests accepted count toward the limit (a typo is not refused).
        refused = moderation.too_many_forms(address, scope=scope) or (
            form.is_valid() and moderation.over_limit(address, scope=scope)
        )
        if refused:
            response = render(
                request,
                "comments/deletion_request.html",
                {"form": form, "refused": True},
                status=429,
            )
            response["Retry-After"] = "60"
            return response
        if form.is_valid():
            moderation.counted(address, scope=scope)
            enqueue_on_commit(notifications.send_deletion_link, form.cleaned_data["email"])
            return redirect("comments:delete_sent")
    return render(request, "comments/deletion_request.html", {"form": form})


@never_cache
@allow(*SAFE)
def deletion_sent(request):
    return render(request, "comments/deletion_sent.html", {"hours": deletion.lifetime() // 3600})


@never_cache
@allow("GET", "HEAD", "POST")
def deletion_confirm(request, token):
    """The page the emailed link opens: what will be deleted, and a button.

    Opening the link deletes nothing (mail scanners open links); the button
    posts the form (Django's CSRF token), and the token is checked again.
    """
    try:
        email, state = deletion.read_token(token)
    except deletion.LinkError as error:
        return render(
            request, "comments/deletion_link_error.html", {"message": error.message},
            status=error.status,
        )  # fmt: skip
    if request.method == "POST":
        record = Comment.objects.erase_address(email, expected_state=state)
        if record is None:  # deleted by a click a moment before
            return render(
                request, "comments/deletion_link_error.html", {"message": deletion.USED},
                status=410,
            )  # fmt: skip
        logger.info("comments deleted at their author's request: record %s", record.pk)
        return render(request, "comments/deletion_done.html", {"record": record})
    posts = Comment.objects.by_address(email).order_by().values("post_id").distinct().count()
    return render(
        request,
        "comments/deletion_confirm.html",
        {"count": state[0], "posts": posts},
    )


# --- trusted commenters: the link in the approval notice --------------------


@never_cache
@allow(*SAFE)
def address_confirmed(request, token):
    """The link in the approval notice: opens the comment and, with
    COMMENTS_TRUST_RETURNING, makes this browser proof of the comment's
    address (comments.trust) while the comment is public and still sent from
    that address. A link we did not make is not found."""
    link = trust.read_link(token)
    if link is None:
        raise Http404("No such link.")
    pk, key = link
    comment = Comment.objects.select_related("post").filter(pk=pk, is_staff_reply=False).first()
    if comment is None or not comment.is_public or not comment.post.is_public:
        return redirect("articles:index")
    response = redirect(comment.get_absolute_url())
    if settings.COMMENTS_TRUST_RETURNING and trust.proves(key, comment.email):
        trust.remember(response, comment.email)
    return response
