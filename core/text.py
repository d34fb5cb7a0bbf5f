"""Editors' text, cleaned of the characters that break what reads it.

Text pasted from Word carries control characters: Shift+Enter is ``\\x0b``
(vertical tab), a page break ``\\x0c``. XML 1.0 forbids them, so one in a post
title made every feed a 500; a line break in a title broke every mail subject
about the post; RIS, read line by line, takes ``\\x0c`` or U+2028 as the end
of a line (Python's ``str.splitlines`` does); HTML calls them parse errors.

One rule for every field of that kind, applied by the model fields below
(``to_python``, so every form and ``full_clean`` shows and checks the cleaned
value, and ``pre_save``, so the shell, commands, imports and ``bulk_create``
store it too). Nothing is refused: the characters are invisible, so the
editor could not find them to fix them.

* **One-line fields** (titles, names, alt text, captions, reference fields):
  every line break (``\\r``, ``\\n``, ``\\x0b``, ``\\x0c``, ``\\x1c``-``\\x1e``,
  NEL, U+2028, U+2029) and tab becomes one space, with the spaces around it.
* **Plain text** (a summary, a bio, a disclaimer): lines stay. ``\\r\\n`` and
  ``\\r`` become ``\\n``; a line break (``\\x0b``, NEL, U+2028) becomes ``\\n``;
  a page or paragraph break (``\\x0c``, ``\\x1c``-``\\x1e``, U+2029) a blank
  line. Tabs stay.
* **Markdown** (bodies, topic descriptions): as plain text, except that a
  line break (Word's Shift+Enter) becomes Markdown's hard line break (two
  spaces, then ``\\n``): readers see the break the writer made.

In all three, every other control character (C0 but tab and line ends, DEL,
C1) and the noncharacters U+FFFE, U+FFFF and U+FDD0-U+FDEF are removed.
"""

import re

from django.db import models

LINE_BREAKS = "\x0b\x85\u2028"  # a new line, not a new paragraph
PARAGRAPH_BREAKS = "\x0c\x1c\x1d\x1e\u2029"  # page, file, group, record, paragraph
_REMOVED_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_FOLDED_RE = re.compile(f"[ \t]*(?:[\t\r\n{LINE_BREAKS}{PARAGRAPH_BREAKS}][ \t]*)+")
_CRLF_RE = re.compile("\r\n?")
_LINE_BREAK_RE = re.compile(f"[{LINE_BREAKS}]")
_PARAGRAPH_BREAK_RE = re.compile(f"[{PARAGRAPH_BREAKS}]")


def one_line(value):
    """``value`` on one line, without control characters."""
    value = _REMOVED_RE.sub("", value)
    folded = _FOLDED_RE.sub(" ", value)
    return folded.strip() if folded != value else value


def plain_text(value, line_break="\n"):
    """``value`` with its lines and tabs, without other control characters."""
    value = _CRLF_RE.sub("\n", _REMOVED_RE.sub("", value))
    value = _LINE_BREAK_RE.sub(line_break, value)
    return _PARAGRAPH_BREAK_RE.sub("\n\n", value)


def markdown(value):
    """Plain text whose line breaks are Markdown's hard breaks."""
    return plain_text(value, line_break="  \n")


class _CleanedText:
    """A model field whose text is cleaned by ``clean_text``, in forms and
    ``full_clean`` (``to_python``) and whenever it is saved (``pre_save``)."""

    clean_text = staticmethod(one_line)

    def to_python(self, value):
        value = super().to_python(value)
        return self.clean_text(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if isinstance(value, str):
            cleaned = self.clean_text(value)
            if cleaned != value:
                setattr(model_instance, self.attname, cleaned)
            return cleaned
        return value


class OneLineField(_CleanedText, models.CharField):
    """A CharField on one line (``one_line``)."""


class OneLineURLField(_CleanedText, models.URLField):
    """A URLField without control characters: one that had a line break in it
    is refused by the URL's own check (it has a space)."""


class PlainTextField(_CleanedText, models.TextField):
    """A TextField of plain text (``plain_text``)."""

    clean_text = staticmethod(plain_text)


class MarkdownField(_CleanedText, models.TextField):
    """A TextField of Markdown (``markdown``)."""

    clean_text = staticmethod(markdown)


def clean_rows(queryset, cleaners, stamps=()):
    """For a data migration: apply ``cleaners`` ({field name: function}) to the
    stored rows, updating the rows they change (and setting the ``stamps``
    fields to now, so cached copies of them are stale). Returns how many."""
    from django.utils import timezone

    changed_rows = 0
    rows = queryset.order_by("pk").only("pk", *cleaners)
    for row in rows.iterator(chunk_size=500):
        changes = {}
        for name, clean in cleaners.items():
            value = getattr(row, name)
            if isinstance(value, str) and clean(value) != value:
                changes[name] = clean(value)
        if changes:
            now = timezone.now()
            queryset.filter(pk=row.pk).update(**changes, **dict.fromkeys(stamps, now))
            changed_rows += 1
    return changed_rows


# Django's user model is not ours to change: its names (on every post, in the
# feeds, the JSON-LD, the mails) are cleaned as they are saved (CoreConfig.ready).
USER_NAME_FIELDS = ("first_name", "last_name")


def clean_user_names(sender, instance, raw=False, **kwargs):
    """``pre_save`` of the user model: names on one line (``one_line``)."""
    if raw:
        return
    for name in USER_NAME_FIELDS:
        value = getattr(instance, name, None)
        if isinstance(value, str):
            setattr(instance, name, one_line(value))
