"""Which links a booklet keeps: decided on the URL the browser would follow, by allowlist.

A link written in a dossier reaches the browser through an HTML attribute. The browser
first decodes character references (`&#106;`, `&colon;`, `&Tab;`…), then its URL parser
drops leading and trailing control characters and spaces and removes every tab and line
break (WHATWG URL standard). So `&#106;ava&#9;script:` is `javascript:` to it. We decode
the same way, then keep only the few forms a booklet needs; anything else loses its
target. There is no list of bad schemes here: an unknown form is refused by default.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

LinkKind = Literal["external", "mail", "page", "fragment"]

# Removed anywhere by the URL parser, and stripped at both ends (C0 controls and space).
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
# `https://host…`, exactly: two forward slashes and a host that starts like one.
_WEB = re.compile(r"^(https?)://[^\s/\\?#@:][^\s\\]*$", re.IGNORECASE)
_MAIL = re.compile(r"^mailto:[^\s\\/:?#]+@[^\s\\/:?#]+(?:\?[^\s\\]*)?$", re.IGNORECASE)
# A page of the booklet, in the same folder (every page is, see render/pages.py).
_PAGE = re.compile(r"^[a-z0-9][a-z0-9-]*\.html(?:#[\w-]*)?$")
_FRAGMENT = re.compile(r"^#[\w-]*$")
# Characters a URL written by a person never needs, and that parsers disagree about.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\<>\"`]")


@dataclass(frozen=True)
class Link:
    """An accepted link: its kind and the exact URL to write in the attribute."""

    kind: LinkKind
    url: str


def url_form(decoded: str) -> str:
    """The URL a browser's URL parser works on, for an attribute value already decoded."""
    return _TAB_OR_NEWLINE.sub("", decoded).strip(_C0_OR_SPACE)


def browser_form(attribute: str) -> str:
    """The URL a browser works on for this attribute value (as written in the HTML)."""
    return url_form(html.unescape(attribute))


def decide(decoded: str) -> Link | None:
    """The link to keep for an already decoded URL, or None when it must lose its target."""
    if _UNSAFE.search(decoded):
        return None
    if _FRAGMENT.match(decoded):
        return Link("fragment", decoded)
    if _PAGE.match(decoded):
        return Link("page", decoded)
    web = _WEB.match(decoded)
    if web:
        return Link("external", web.group(1).lower() + decoded[len(web.group(1)) :])
    if _MAIL.match(decoded):
        return Link("mail", "mailto:" + decoded[len("mailto:") :])
    return None


def decide_attribute(attribute: str) -> Link | None:
    """`decide` on an attribute value as written in HTML (character references undecoded)."""
    return decide(browser_form(attribute))


def shown(url: str, limit: int = 60) -> str:
    """A URL as it can be quoted in a message: control characters made visible, shortened."""
    visible = "".join(
        ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
        for ch in url
    )
    return visible if len(visible) <= limit else visible[: limit - 1] + "…"
