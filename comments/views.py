import logging

from django.contrib import messages
from django.db import OperationalError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from articles.models import Post
from core import personal_data
from core.methods import SAFE, allow
from core.middleware import BUSY_RETRY_SECONDS, database_busy
from core.security import same_origin_required

from . import deletion, rules, trust
from .awaiting import AwaitingComments
from .forms import CommentForm, DeletionRequestForm
from .models import Comment

APPROVAL_NOTICE = "Please note, comments need to be approved before they are published."
PUBLISHED_NOTICE = "Thank you: your comment is published."
BUSY = (
    "The site is busy right now and your comment was not saved. Please wait a few "
    "seconds and send it again."
)

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
    """Receive a comment: refuse, re-render with errors, or store and redirect.

    The request passes each step once: the form, the rules (comments.rules,
    for ``request.client``, worked out at the door by core.client_ip), and
    the model (``Comment.objects.receive``)."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    text = request.POST.get("text", "")
    form = CommentForm(post, data=request.POST)
    valid = form.is_valid()
    refusal = rules.comment_refusal(post, request.client, valid)
    if refusal is not None:
        return _refused(request, post, text, refusal.message, refusal.status, refusal.retry_after)
    if not valid:
        form.refresh_token()
        post = Post.objects.published().for_page().get(pk=post.pk)
        response = render(
            request,
            "articles/post_detail.html",
            {"post": post, "object": post, "comment_form": form},
        )
        add_never_cache_headers(response)
        return response

    try:
        comment = Comment.objects.receive(
            post,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            text=form.cleaned_data["text"],
            client=request.client,
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
        return _refused(request, post, text, BUSY, 503, BUSY_RETRY_SECONDS)
    if comment.is_public:  # from a browser that proved its trusted address
        messages.info(request, PUBLISHED_NOTICE)
    else:
        AwaitingComments(request).remember(comment)
        messages.info(request, APPROVAL_NOTICE)
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


def _refused(request, post, text, message, status, retry_after=None):
    response = render(
        request,
        "comments/refused.html",
        {"post": post, "text": text, "message": message},
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
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
        valid = form.is_valid()
        if rules.deletion_refusal(request.client, valid):
            response = render(
                request,
                "comments/deletion_request.html",
                {"form": form, "refused": True, "nouns": personal_data.nouns()},
                status=429,
            )
            response["Retry-After"] = str(rules.RETRY_AFTER)
            return response
        if valid:
            rules.deletion_asked(form.cleaned_data["email"], request.client)
            return redirect("comments:delete_sent")
    return render(
        request,
        "comments/deletion_request.html",
        {"form": form, "nouns": personal_data.nouns()},
    )


@never_cache
@allow(*SAFE)
def deletion_sent(request):
    return render(
        request,
        "comments/deletion_sent.html",
        {"hours": deletion.lifetime() // 3600, "nouns": personal_data.nouns()},
    )


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
        erased = deletion.erase(email, state)
        if erased is None:  # deleted by a click a moment before
            return render(
                request, "comments/deletion_link_error.html", {"message": deletion.USED},
                status=410,
            )  # fmt: skip
        record, done = erased
        logger.info(
            "deleted at their owner's request: comments record %s, %d other part(s)",
            record.pk if record else None, len(done),
        )  # fmt: skip
        return render(request, "comments/deletion_done.html", {"record": record, "done": done})
    shorts, kept = deletion.describe(state)
    count = state["count"]
    return render(
        request,
        "comments/deletion_confirm.html",
        {
            "count": count,
            "posts": Comment.objects.by_address(email).post_total() if count else 0,
            "kept": kept,
            "shorts": shorts,
        },
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
    comment, proves = Comment.objects.confirmed_by_link(*link)
    if comment is None:
        return redirect("articles:index")
    response = redirect(comment.get_absolute_url())
    if proves:
        trust.remember(response, comment.email)
    return response
