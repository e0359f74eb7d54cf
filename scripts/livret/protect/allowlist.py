"""What a published HTML page, SVG image or stylesheet may contain: an allowlist.

The renderer escapes dossier text and decides every link, but the verifier is the last
wall before publication, so it does not trust the renderer: it parses each file as the
browser will (HTML with Lexbor, a WHATWG-conformant parser; SVG with expat; CSS with
tinycss2), on decoded values, and refuses whatever is not on the lists below. Nothing
here looks for "bad" strings: an element, attribute, script or URL not known to be ours
is refused.

Two kinds of HTML are checked: the page as published (the shell around the ciphertext:
Material's header and footer, the unlock form, scripts), and each page's content before
encryption, where dossier text lives. The content may link to other sites (a beneficiary
follows a link to France Travail) but may run, load or embed nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import posixpath
import re
import xml.parsers.expat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode

from livret.protect.urls import decide, url_form

SVG_NS = "http://www.w3.org/2000/svg"

# --- SVG ------------------------------------------------------------------------------------

# Drawing elements only: no script, foreignObject, a, image, animation, feImage or iframe.
SVG_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "metadata",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "style",
        "filter",
        "feGaussianBlur",
        "feOffset",
        "feBlend",
        "feColorMatrix",
        "feFlood",
        "feComposite",
        "feMerge",
        "feMergeNode",
        "feDropShadow",
        "feMorphology",
    ]
)
# Editors write their own inert elements and attributes in these namespaces (Inkscape…).
_EDITOR_NAMESPACES = (
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/",
)
_LOCAL_REF = re.compile(r"^#[\w.:-]+$")
_CSS_LOCAL_URL = re.compile(r"url\(\s*(['\"]?)#[\w.:-]+\1\s*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """Something refused, at a 1-based line and column of the checked file."""

    line: int
    column: int
    message: str


def _attribute_refusal(attr: str, value: str) -> str | None:
    """Why an SVG attribute is refused (its inline style aside), or None."""
    if attr.lower().startswith("on"):
        return f"attribut {attr} interdit (script)"
    if attr == "href":
        if not _LOCAL_REF.match(value.strip()):
            return f"lien « {value[:60]} » interdit : seuls les renvois internes #id"
        return None
    if "url(" in value.lower() and _CSS_LOCAL_URL.sub("", value).lower().count("url("):
        return f"adresse externe interdite dans {attr}"
    return None


class _SvgChecker:
    """Expat callbacks collecting refusals at the parser's current position."""

    def __init__(self) -> None:
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.findings: list[Finding] = []
        self.style_text: list[str] = []
        self.in_style: list[bool] = []
        parser = self.parser
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(self, message: str) -> None:
        line, column = self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1
        self.findings.append(Finding(line, column, message))

    def doctype(self, *_: object) -> None:
        # Entities are how an XML file pulls in other files or explodes in memory.
        self.refuse("déclaration DOCTYPE interdite (entités)")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.in_style.append(name.endswith(" style"))
        namespace, _, local = name.rpartition(" ")
        if namespace not in _EDITOR_NAMESPACES and (
            namespace != SVG_NS or local not in SVG_ELEMENTS
        ):
            self.refuse(f"élément <{local}> interdit")
        for key, value in attributes.items():
            attr = key.rpartition(" ")[2]
            if attr == "style":
                for message in css_problems(value, inline=True):
                    self.refuse(message)
            else:
                refusal = _attribute_refusal(attr, value)
                if refusal:
                    self.refuse(refusal)

    def end(self, name: str) -> None:
        if self.in_style.pop() and self.style_text:
            for message in css_problems("".join(self.style_text)):
                self.refuse(message)
            self.style_text.clear()

    def characters(self, text: str) -> None:
        if self.in_style and self.in_style[-1]:
            self.style_text.append(text)


def check_svg(data: bytes) -> list[Finding]:
    """Refusals for an SVG file: anything that could run, load or link."""
    checker = _SvgChecker()
    try:
        checker.parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        checker.findings.append(
            Finding(error.lineno, error.offset + 1, f"SVG illisible ({error.args[0]})")
        )
    return checker.findings


# --- CSS ------------------------------------------------------------------------------------

_DATA_IMAGE = re.compile(r"^data:(?:image/[\w.+-]+|font/[\w.+-]+)[;,]", re.IGNORECASE)


def _css_urls(nodes: list[tinycss2.ast.Node]) -> Iterator[tuple[str, int, int]]:
    """Every URL in a list of CSS nodes, with its position, however it is spelled."""
    for node in nodes:
        if isinstance(node, tinycss2.ast.URLToken):
            yield node.value, node.source_line, node.source_column
        elif isinstance(node, tinycss2.ast.FunctionBlock):
            if node.lower_name in ("url", "src", "image-set", "image", "-webkit-image-set"):
                for arg in node.arguments:
                    if isinstance(arg, tinycss2.ast.StringToken):
                        yield arg.value, arg.source_line, arg.source_column
            yield from _css_urls(node.arguments)
        elif isinstance(node, tinycss2.ast.AtRule | tinycss2.ast.QualifiedRule):
            yield from _css_urls(list(node.prelude))
            if node.content:
                yield from _css_urls(list(node.content))
        elif isinstance(node, tinycss2.ast.Declaration):
            yield from _css_urls(list(node.value))
        elif hasattr(node, "content") and isinstance(node.content, list):
            yield from _css_urls(node.content)


def css_url_allowed(url: str, inline: bool = False, base: str | None = None) -> bool:
    """A CSS URL may point inside the document (#id), at inline data, or at a file of ours."""
    value = url.strip()
    if _LOCAL_REF.match(value) or _DATA_IMAGE.match(value):
        return True
    return not inline and base is not None and inside_booklet(value, base)


def css_problems(text: str, *, inline: bool = False, base: str | None = None) -> list[str]:
    """Refusals for a stylesheet (or a `style` attribute when `inline`)."""
    problems = []
    if inline:
        nodes = tinycss2.parse_blocks_contents(text)
    else:
        nodes = tinycss2.parse_stylesheet(text)
        for rule in nodes:
            if isinstance(rule, tinycss2.ast.AtRule) and rule.lower_at_keyword == "import":
                problems.append(f"ligne {rule.source_line} : @import interdit")
    for url, line, _column in _css_urls(list(nodes)):
        if not css_url_allowed(url, inline, base):
            problems.append(
                f"ligne {line} : adresse « {url[:60]} » interdite dans une feuille de style"
            )
    return problems


# --- URLs inside a booklet ---------------------------------------------------------------------

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")


def inside_booklet(url: str, base: str) -> bool:
    """A relative URL that, from the file `base` (booklet-relative), stays in the booklet."""
    value = url_form(url)
    if not value or _SCHEME.match(value) or value[0] in "/\\" or _CONTROL.search(value):
        return False
    path = value.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return True
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), path))
    return not (joined == ".." or joined.startswith("../") or joined.startswith("/"))


# --- HTML -----------------------------------------------------------------------------------

# Attributes whose value the browser fetches (or embeds) without a click.
_FETCH = frozenset(
    [
        "src",
        "srcset",
        "poster",
        "data",
        "background",
        "lowsrc",
        "dynsrc",
        "manifest",
        "icon",
        "codebase",
        "archive",
        "longdesc",
        "usemap",
    ]
)
# Attributes that navigate when the reader acts.
_NAVIGATE = frozenset(["href", "action", "formaction", "cite"])
_NEVER = frozenset(["srcdoc", "ping"])
_FORBIDDEN_ELEMENTS = frozenset(
    [
        "base",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "portal",
        "noscript",
        "template",
        "foreignobject",
    ]
)
_META_NAMES = frozenset(("viewport", "robots", "referrer", "livret-id"))
_LINK_RELS = frozenset(("stylesheet", "icon"))
INLINE_IMAGE = re.compile(r"^data:image/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$")

# The unlock script the encryption plugin writes in every page: only its data varies.
_B64 = r"[A-Za-z0-9+/]+={0,2}"
_JSON_STRING = r'"(?:[^"\\<>]|\\["\\/bfnrtu])*"'
_ENCRYPTCONTENT_SCRIPT = re.compile(
    r"\s*var encryptcontent_id = \"[\w-]+\";"
    r"\s*var encryptcontent_path = \"[\w./-]*\";"
    rf"\s*var decryption_failure_message = {_JSON_STRING};"
    rf"\s*var encryptcontent_keystore = \[(?:\"{_B64};{_B64};{_B64}\",?\s*)+\];"
    r"\s*var encryptcontent_obfuscate = 0;"
    r"\s*const encryptcontent_event = new Event\(\"encryptcontent_event\"\);"
    r"\s*var encryptcontent_done = false;\s*"
)


@functools.cache
def _theme_scripts(template_root: str) -> tuple[re.Pattern[str], ...]:
    """Material's own inline scripts, read from its templates: `{{ … }}` may be a path."""
    patterns = []
    for template in sorted(Path(template_root).rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for body in re.findall(r"<script>(.*?)</script>", text, re.S):
            if "{%" in body:
                continue
            parts = re.split(r"\{\{.*?\}\}", body)
            pattern = r"[\w./-]*".join(re.escape(p) for p in parts)
            patterns.append(re.compile(pattern))
    return tuple(patterns)


def _material_templates() -> str:
    import material

    return str(Path(material.__file__).parent / "templates")


def _inline_script_allowed(text: str) -> bool:
    if _ENCRYPTCONTENT_SCRIPT.fullmatch(text):
        return True
    return any(p.fullmatch(text) for p in _theme_scripts(_material_templates()))


def html_problems(text: str, page: str, *, content: bool) -> list[str]:
    """Refusals for one HTML page (`content` False) or one page's content before encryption.

    `page` is the file's path inside the booklet, to resolve its relative URLs.
    """
    problems: list[str] = []
    # A content fragment parses as the body of a document: the same tokenizer either way.
    root = LexborHTMLParser(text).root
    for element in root.traverse(include_text=False) if root is not None else ():
        name = (element.tag or "").lower()
        if name.startswith("-"):
            continue  # comments, doctype
        where = f"<{name}>"
        if name == "svg" or _inside(element, "svg"):
            if name not in _SVG_LOWER:
                problems.append(f"élément SVG {where} interdit")
        elif name == "math" or _inside(element, "math"):
            problems.append(f"élément {where} (MathML) interdit")
        if name in _FORBIDDEN_ELEMENTS:
            problems.append(f"élément {where} interdit")
        if name == "meta":
            if "http-equiv" in element.attributes:
                problems.append("balise <meta http-equiv> interdite")
            meta_name = element.attributes.get("name")
            if meta_name is not None and meta_name not in _META_NAMES:
                problems.append(f'balise <meta name="{meta_name[:40]}"> inconnue')
        if name == "link":
            rels = set((element.attributes.get("rel") or "").lower().split())
            if not rels or not rels <= _LINK_RELS:
                problems.append(f'<link rel="{" ".join(sorted(rels))[:40]}"> interdit')
        if name == "script":
            problems += _script_problems(element, page, content)
        if name == "style":
            problems += css_problems(element.text(), base=page)
        for key, value in element.attributes.items():
            problems += _attribute_problems(name, key, value or "", page, content)
    return problems


_SVG_LOWER = frozenset(n.lower() for n in SVG_ELEMENTS)


def _inside(element: LexborNode, ancestor: str) -> bool:
    parent = element.parent
    while parent is not None:
        if parent.tag == ancestor:
            return True
        parent = parent.parent
    return False


def _script_problems(element: LexborNode, page: str, content: bool) -> list[str]:
    if content:
        # The plugin re-runs scripts found in decrypted content: none may be there.
        return ["script interdit dans le contenu d'une page"]
    attributes = element.attributes
    kind = (attributes.get("type") or "text/javascript").lower()
    src = attributes.get("src")
    body = element.text()
    if kind == "application/json":
        try:
            json.loads(body)
        except ValueError:
            return ["bloc de données JSON illisible"]
        return [] if attributes.get("id") == "__config" and src is None else ["bloc JSON inconnu"]
    if kind not in ("text/javascript", "application/javascript"):
        return [f"script de type « {kind[:30]} » interdit"]
    if src is not None:
        if body.strip():
            return ["script avec src et contenu"]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), url_form(src)))
        if not inside_booklet(src, page) or not target.startswith("assets/javascripts/"):
            return [f"script « {src[:60]} » hors des scripts du livret"]
        return []
    if not _inline_script_allowed(body):
        digest = hashlib.sha256(body.encode()).hexdigest()[:12]
        return [f"script en ligne inconnu (empreinte {digest})"]
    return []


def _attribute_problems(tag: str, key: str, value: str, page: str, content: bool) -> list[str]:
    attr = key.lower().rpartition(":")[2]  # xlink:href is an href
    if attr.startswith("on"):
        return [f"attribut {attr} interdit sur <{tag}> (script)"]
    if attr in _NEVER:
        return [f"attribut {attr} interdit sur <{tag}>"]
    if attr == "style":
        return [f"<{tag} style> : {p}" for p in css_problems(value, inline=True)]
    fetches = attr in _FETCH or (attr == "href" and tag in ("link", "use", "image", "feimage"))
    if key.lower() == "xlink:href":
        fetches = True
    if attr == "srcset":
        urls = [c.strip().split(" ")[0] for c in value.split(",") if c.strip()]
    else:
        urls = [value]
    if fetches:
        for url in urls:
            local = url_form(url)
            if _LOCAL_REF.match(local) or inside_booklet(local, page):
                continue
            if content and tag == "img" and attr == "src" and INLINE_IMAGE.match(local):
                continue
            return [f'<{tag} {attr}="{local[:60]}"> charge une ressource hors du livret']
        return []
    if attr in _NAVIGATE:
        local = url_form(value)
        if _LOCAL_REF.match(local) or local == "#" or inside_booklet(local, page):
            return []
        link = decide(local)
        if content and tag == "a" and attr == "href" and link and link.kind in ("external", "mail"):
            return []
        return [f'<{tag} {attr}="{local[:60]}"> mène hors du livret']
    return []
