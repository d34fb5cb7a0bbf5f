"""Cut one element (or every matching element) out of a page, by parsing it.

For the XSS tests: the page's own scripts, forms and stylesheets must not be
counted against a comment, so a test checks only the part of the page where
the comment is shown (``<section id="comments">``, one ``<article>``, one
admin table row). html.parser, not a regular expression, finds where the
element starts and ends.
"""

import re
from html.parser import HTMLParser


class _Finder(HTMLParser):
    def __init__(self, page, match):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.match = match
        # html.parser counts lines by "\n" alone.
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", page))]
        self.found = []
        self._tag = None
        self._depth = 0
        self._start = None

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if self._depth:
            if tag == self._tag:
                self._depth += 1
        elif self.match(tag, dict(attrs)):
            self._tag, self._depth, self._start = tag, 1, self._offset()

    def handle_endtag(self, tag):
        if self._depth and tag == self._tag:
            self._depth -= 1
            if not self._depth:
                end = self.page.index(">", self._offset()) + 1
                self.found.append(self.page[self._start : end])


def _matcher(tag, id=None, css_class=None, id_prefix=None):
    def match(found_tag, attrs):
        if found_tag != tag:
            return False
        if id is not None and attrs.get("id") != id:
            return False
        if id_prefix is not None and not (attrs.get("id") or "").startswith(id_prefix):
            return False
        return css_class is None or css_class in (attrs.get("class") or "").split()

    return match


def find_all(page, tag, *, id=None, css_class=None, id_prefix=None):
    """The outer HTML of every outermost ``tag`` element with that id (or id
    prefix) and class."""
    finder = _Finder(page, _matcher(tag, id, css_class, id_prefix))
    finder.feed(page)
    finder.close()
    return finder.found


def find_one(page, tag, *, id=None, css_class=None):
    found = find_all(page, tag, id=id, css_class=css_class)
    assert len(found) == 1, f"expected one <{tag} id={id} class={css_class}>, found {len(found)}"
    return found[0]
