"""What apps keep about a reader's email address, for the deletion a reader
asks for by email (comments' deletion request, docs/readers.md), without the
app that runs that request knowing the others: the way core.retention lets
apps register what the retention command deletes.

An app that stores an address registers a ``Holder`` in its
``AppConfig.ready()``::

    personal_data.register(Holder(name="newsletter", ...))

and the deletion flow asks every holder, for an address in its normal form
(core.emails):

- ``state(email)``: what is held, as a small JSON value made of ids (it goes
  into the signed link, which must name no one), or None: nothing held. It
  must change when what is held is replaced (a new row, a new id), so a link
  made for the old one no longer works;
- ``address(state)``: the address as stored, read from the state (None: gone);
- ``describe(state)``: ``(short, sentence)``: a few words for the button
  ("my newsletter subscription") and a sentence for the confirmation page
  that says what will be deleted;
- ``erase(email, state)``: delete it, if it is still what ``state`` says
  (else None, and nothing deleted); returns a sentence saying what was
  deleted. It runs inside the flow's transaction, with the other holders'.

``noun`` is what the request page names before anything is known (the same
for every address): "a newsletter subscription".
"""

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Holder:
    name: str
    noun: str
    state: Callable
    address: Callable
    describe: Callable
    erase: Callable


_holders = {}


def register(holder):
    """Let the readers' deletion flow find, describe and delete what ``holder`` keeps."""
    _holders[holder.name] = holder


def holders():
    """Every registered holder, in registration order."""
    return list(_holders.values())


def nouns():
    """What the holders keep, named for a page that knows no address yet."""
    return [holder.noun for holder in _holders.values()]
