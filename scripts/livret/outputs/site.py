"""The only module that imports MkDocs: configuration, hardened encryption, build.

Everything that bears on privacy is written here and nowhere else: the plugin list,
the hardened encryption settings (each one's reason is written where it is set), the
theme options that keep the browser from calling anyone. Moving to another static site
engine later means replacing this module.
"""

from __future__ import annotations

import errno
import functools
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import escape
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from livret.dossier.provider import Provider, logo_bytes
from livret.errors import LivretError
from livret.project import Project
from livret.protect.allowlist import html_problems
from livret.render.labels import load_labels
from livret.render.pages import Page
from livret.verify import UnsafeBooklet, rewrite_script

# Elements Material draws outside the page content that name pages or headings.
ENCRYPTED_SOMETHING = {
    "md-nav": ["nav", "class"],  # left navigation and table of contents
    "md-footer__inner": ["nav", "class"],  # previous / next links (a <nav> in Material 9)
    "md-header__topic": ["div", "class"],  # page title in the header
}
KDF_POW = 6  # 10**6 PBKDF2-SHA256 iterations (OWASP asks for at least 600,000)

_SKIP_LINK = re.compile(r'<a\b[^>]*\bclass="md-skip"[^>]*>.*?</a>', re.S)


def encryption_settings(
    passphrase: str, booklet_id: str, form: dict[str, str] | None = None
) -> dict[str, Any]:
    """The hardened encryptcontent options; the provider's config cannot change them."""
    if not passphrase:
        # The plugin builds a clear site when the password is empty: never let it.
        raise LivretError("aucune phrase de passe : construction refusée")
    return {
        "global_password": passphrase,
        "kdf_pow": KDF_POW,
        "webcrypto": True,  # the browser's own crypto, no script fetched from a CDN
        "esm": False,  # classic scripts, so the booklet also opens from file://
        "search_index": "encrypted",
        "cache_file": "",  # the default cache stores passphrases in clear
        "remember_keys": True,  # the next page opens without retyping...
        "remember_password": False,
        "session_storage": True,  # ...until the tab or browser is closed
        "remember_prefix": f"livret_{booklet_id}_",
        "password_button": True,
        "title_prefix": "",
        # The plugin inserts these into its form without escaping: they are escaped here.
        "summary": _text(form, "titre"),
        "placeholder": _text(form, "champ"),
        "password_button_text": _text(form, "bouton"),
        # This one goes into a script as JSON, then into the page as text: it stays as is,
        # and the verifier refuses a page whose script holds < or >.
        "decryption_failure_message": (form or {}).get("erreur", ""),
        "encryption_info_message": _text(form, "consigne"),
        "encrypted_something": ENCRYPTED_SOMETHING,
        "sharelinks": False,
        "selfhost": False,
        "inject": {},
        "insecure_test": False,
        "tag_encrypted_page": False,  # every page is encrypted: a lock on each says nothing
    }


def lock_form(theme: Path, booklet_id: str, provider_name: str) -> dict[str, Any]:
    """The accessible unlock form (theme/material/verrou.html) and what it shows besides the
    plugin's labels: the provider's name (not personal) and the booklet's random id, a
    neutral user name under which a password manager keeps the passphrase. The plugin
    prints them without escaping: they are escaped here, as the labels are."""
    return {
        "html_template_path": str(theme / "material" / "verrou.html"),
        "html_extra_vars": {
            "prestataire": str(escape(provider_name)),
            "identifiant": str(escape(booklet_id)),
        },
    }


def _text(form: dict[str, str] | None, key: str) -> str:
    """A label of the unlock form as HTML text: whatever it holds, it shows as written."""
    return str(escape((form or {}).get(key, "")))


def _reset_encryption_state(config: Any) -> None:
    """The plugin keeps keys and passphrases in a class-level dict: start each build empty."""
    from encryptcontent.plugin import encryptContentPlugin

    encryptContentPlugin.setup = {}
    for plugin in config.plugins.values():
        if isinstance(plugin, encryptContentPlugin):
            plugin.setup = {}  # an instance dict, so nothing is shared with other builds


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled theme templates kept for the life of the process.

    MkDocs makes a new Jinja environment for every build; without this, a worker
    building many booklets would compile Material's templates again for each one.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _MemoryBytecodeCache()


class _PagesPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Puts our pre-rendered HTML in place of MkDocs' Markdown, before encryption.

    It also holds the pages up to the allowlist (`livret.allowlist`) while they are still
    in clear: the content we hand over, and the whole page with Material's navigation,
    which the encryption plugin encrypts right after.
    """

    def __init__(self, pages: dict[str, Page], *, shell: bool = True) -> None:
        super().__init__()
        self.pages = pages
        self.problems: list[str] = []
        # The whole page is checked as a shell around encrypted content; the preview's
        # content is in clear (and checked above as content), so it skips this check.
        self.shell = shell

    def on_env(self, env: jinja2.Environment, **kwargs: Any) -> jinja2.Environment:
        env.bytecode_cache = _BYTECODE
        return env

    @event_priority(100)  # before encryptcontent (default priority 0) encrypts the content
    def on_page_content(self, html: str, page: Any, **kwargs: Any) -> str:
        content = str(self.pages[page.file.src_uri].html)
        where = page.file.dest_uri
        self.problems += [f"{where} : {p}" for p in html_problems(content, where, content=True)]
        return content

    @event_priority(50)  # before encryptcontent encrypts navigation, header and footer
    def _check_clear_page(self, /, output: str, page: Any, **kwargs: Any) -> str:
        if not self.shell:
            return output
        where = page.file.dest_uri
        self.problems += [f"{where} : {p}" for p in html_problems(output, where, content=False)]
        return output

    @event_priority(-100)
    def _strip_skip_link(self, /, output: str, page: Any, **kwargs: Any) -> str:
        # Material's skip link names the first heading, outside every encrypted element.
        return _SKIP_LINK.sub("", output)

    on_post_page = CombinedEvent(_check_clear_page, _strip_skip_link)


def _load_config(work: Path, settings: dict[str, Any]) -> Any:
    # An empty config file: every option comes from us, none from the working directory.
    config = load_config(config_file=str(_empty_config(work)), **settings)
    _cache_theme_listing(config.theme, Path(settings["theme"]["custom_dir"]))
    return config


# Theme files MkDocs copies, per installed theme folder: (folder, excluded names) -> names.
_LISTED: dict[tuple[str, tuple[str, ...]], list[str]] = {}  # guarded by the GIL: idempotent


def _cache_theme_listing(theme: Any, custom_dir: Path) -> None:
    """List the installed themes' files once per process, not at every build.

    MkDocs lists and filters every file of every theme folder at each build: Material's
    fourteen thousand icons alone cost about 0.1 s, half a preview rebuild. The installed
    folders do not change while livret runs; the provider's `theme/material` may, and is
    listed again each time (a few files).
    """
    make_env = theme.get_env

    def get_env() -> jinja2.Environment:
        env: jinja2.Environment = make_env()
        static = tuple(sorted(theme.static_templates))
        listing = functools.partial(_list_templates, env, custom_dir, static)
        env.list_templates = listing  # type: ignore[method-assign]
        return env

    theme.get_env = get_env


def _list_templates(
    env: jinja2.Environment,
    custom_dir: Path,
    static: tuple[str, ...],
    extensions: Any = None,
    filter_func: Callable[[str], bool] | None = None,
) -> list[str]:
    loader = env.loader
    if extensions is not None or not isinstance(loader, jinja2.FileSystemLoader):
        return jinja2.Environment.list_templates(env, extensions, filter_func)
    keep = filter_func or (lambda name: True)
    # MkDocs' filter (one closure, by its name) depends only on the static templates.
    which = (getattr(filter_func, "__qualname__", ""), *static)
    names: set[str] = set()
    for folder in loader.searchpath:
        one = jinja2.FileSystemLoader(folder, loader.encoding, loader.followlinks)
        if Path(folder) == custom_dir:
            names.update(n for n in one.list_templates() if keep(n))
            continue
        key = (str(folder), which)
        if key not in _LISTED:
            _LISTED[key] = [n for n in one.list_templates() if keep(n)]
        names.update(_LISTED[key])
    return sorted(names)


def warm_up() -> None:
    """Import MkDocs' build now, before worker processes are forked, not in each of them.

    This module already imports it; the function names the need, so no other module
    has to import MkDocs for it.
    """
    import mkdocs.commands.build  # noqa: F401


@dataclass(frozen=True)
class SiteInputs:
    """What a booklet site is made of, besides the provider's config."""

    pages: list[Page]
    booklet_id: str
    passphrase: str


def _write_docs(docs: Path, inputs: SiteInputs, provider: Provider) -> list[Any]:
    docs.mkdir(parents=True)
    nav: list[Any] = []
    sections: dict[str, list[Any]] = {}
    for page in inputs.pages:
        if "<" in page.title or ">" in page.title:
            # Material prints page titles as they are, in the menu and the header.
            raise LivretError(
                f"titre de page « {page.title} » : les signes < et > sont interdits dans un "
                "titre (theme/libelles.yml, ou titre: d'une page de content/)"
            )
        # The Markdown is a placeholder: the plugin swaps in the rendered HTML.
        title = json.dumps(page.title, ensure_ascii=False)  # a JSON string is valid YAML
        (docs / page.filename).write_text(f"---\ntitle: {title}\n---\n", encoding="utf-8")
        entry = {page.title: page.filename}
        if page.section:
            if page.section not in sections:
                sections[page.section] = []
                nav.append({page.section: sections[page.section]})
            sections[page.section].append(entry)
        else:
            nav.append(entry)
    if provider.logo is not None:
        (docs / "assets").mkdir()
        (docs / "assets" / f"logo{provider.logo.suffix}").write_bytes(logo_bytes(provider.logo))
    return nav


def mkdocs_config(
    project: Project, provider: Provider, inputs: SiteInputs, docs: Path, site: Path
) -> dict[str, Any]:
    settings = _theme_config(project, provider, inputs.booklet_id, docs, site)
    # encryptcontent alone; MkDocs' search has nothing to index in encrypted pages.
    settings["plugins"] = [
        {
            "encryptcontent": encryption_settings(
                inputs.passphrase, inputs.booklet_id, load_labels(project.theme)["verrou"]
            )
            | lock_form(project.theme, inputs.booklet_id, provider.base.extra.prestataire.nom)
        }
    ]
    return settings


def _theme_config(
    project: Project, provider: Provider, booklet_id: str, docs: Path, site: Path
) -> dict[str, Any]:
    """Everything but the plugins: the published booklet and the preview share it."""
    base = provider.base
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": str(project.theme / "material"),
        "language": "fr",
        "font": False,  # Material would load Google Fonts
        "palette": base.theme.palette.model_dump(),
        "features": ["navigation.footer"],
    }
    if provider.logo is not None:
        theme["logo"] = f"assets/logo{provider.logo.suffix}"
        theme["favicon"] = f"assets/logo{provider.logo.suffix}"
    return {
        # Markup: shown as text by Material whether a template escapes it (`| e`) or not.
        "site_name": escape(base.site_name),
        "copyright": escape(base.copyright) if base.copyright else None,
        "docs_dir": str(docs),
        "site_dir": str(site),
        "use_directory_urls": False,  # links between pages then work from file:// too
        "theme": theme,
        "plugins": [],
        "markdown_extensions": [],
        "extra_css": ["assets/stylesheets/livret.css"],
        "extra_javascript": ["assets/javascripts/livret.js"],
        "extra": {"generator": False, "livret_id": booklet_id},
        "strict": False,
    }


@contextmanager
def _captured_logs() -> Iterator[list[logging.LogRecord]]:
    """MkDocs logs to the terminal; the library does not print, so keep its records."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("mkdocs")
    handler = Keep(logging.WARNING)
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


# Theme files a booklet never uses: source maps and the search engine (no search index).
_UNUSED_ASSETS = ("assets/javascripts/lunr", "assets/javascripts/workers")


def _prune(site: Path) -> None:
    for folder in _UNUSED_ASSETS:
        shutil.rmtree(site / folder, ignore_errors=True)
    for source_map in site.rglob("*.map"):
        source_map.unlink()
    for script in (site / "assets").rglob("*.js"):
        data = script.read_bytes()
        cleaned = rewrite_script(data)
        if cleaned != data:
            script.write_bytes(cleaned)


@dataclass(frozen=True)
class BuiltSite:
    """The built folder and the theme folders its assets were copied from."""

    folder: Path
    theme_dirs: list[Path]
    # Files a plugin writes from its own template (the unlock script), as it writes them.
    generated: dict[str, bytes]


def _refuse_unsafe(records: list[logging.LogRecord], checker: _PagesPlugin, refusal: str) -> None:
    """After a build: MkDocs' own errors are a bug; the allowlist's findings a refusal."""
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    if errors:
        raise RuntimeError("MkDocs a signalé des erreurs : " + " | ".join(errors))
    if checker.problems:
        raise UnsafeBooklet(f"{refusal} : " + " ; ".join(checker.problems[:10]))


def build_site(project: Project, provider: Provider, inputs: SiteInputs, work: Path) -> BuiltSite:
    """Build the encrypted site in `work/site`."""
    docs, site = work / "docs", work / "site"
    nav = _write_docs(docs, inputs, provider)
    settings = mkdocs_config(project, provider, inputs, docs, site)
    settings["nav"] = nav
    pages = {page.filename: page for page in inputs.pages}
    # An empty config file: every option comes from us, none from the working directory.
    with _captured_logs() as records:
        config = _load_config(work, settings)
        checker = _PagesPlugin(pages)
        config.plugins["livret-pages"] = checker
        _reset_encryption_state(config)
        try:
            build(config)
            generated = {DECRYPT_SCRIPT: _unlock_script(config)}
        finally:
            _reset_encryption_state(config)
    _refuse_unsafe(records, checker, "publication refusée, le livret n'est pas sûr")
    _prune(site)
    # The logo is copied from the provider's file: count its folder as a theme source.
    dirs = [Path(d) for d in config.theme.dirs] + [docs]
    return BuiltSite(site, dirs, generated)


DECRYPT_SCRIPT = "assets/javascripts/decrypt-contents.js"


def _unlock_script(config: Any) -> bytes:
    """The unlock script as the encryption plugin renders it from its own template."""
    from encryptcontent.plugin import encryptContentPlugin

    for plugin in config.plugins.values():
        if isinstance(plugin, encryptContentPlugin):
            render = plugin.__generate_decrypt_js__  # a dunder name: not mangled
            return str(render()).encode("utf-8")
    raise LivretError("extension de chiffrement absente : construction refusée")


def _empty_config(work: Path) -> Path:
    path = work / "mkdocs.yml"
    path.write_text("site_name: livret\n", encoding="utf-8")
    return path


# --- the consultant's live preview (`livret serve`) -------------------------------------------
#
# The same configuration and page plugin as a booklet, without the encryption plugin: the
# preview is read on this computer only, by the consultant. MkDocs' own live-reload server
# serves it; nothing of it is written outside the temporary folder the caller gives.

PREVIEW_ID = "apercu"  # in place of the random booklet id: keys the action plan ticks only
LOOPBACK = "127.0.0.1"
# How often the watched folders are looked at. Polling (MkDocs' choice) also works on the
# network and WSL drives where change notifications do not arrive; every 0.1 s keeps the
# delay from a save to the rebuild short, and costs little for a few dozen files.
_POLLING_INTERVAL = 0.1
# Quiet time after a change before rebuilding (MkDocs waits 0.1 s): an editor's save is
# one write, and a burst of saves still gives one rebuild.
_BUILD_DELAY = 0.05


class _BannerPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Puts the preview banner at the top of every page, once the page is complete."""

    def __init__(self, banner: str) -> None:
        super().__init__()
        self.banner = banner

    @event_priority(-100)
    def on_post_page(self, output: str, page: Any, **kwargs: Any) -> str:
        match = re.search(r"<body\b[^>]*>", output)
        at = match.end() if match else 0
        return output[:at] + self.banner + output[at:]


def build_preview(
    project: Project, provider: Provider, pages: list[Page], work: Path, banner: str
) -> Path:
    """Build the unencrypted preview of `pages` into `work/site`, which is emptied first.

    `banner` is HTML put at the top of every page. The content goes through the same
    allowlist as a booklet's: hostile dossier text does not run in the preview either.
    (The shell around it is the published booklet's, checked at every build.)
    """
    docs, site = work / "docs", work / "site"
    shutil.rmtree(docs, ignore_errors=True)
    nav = _write_docs(docs, SiteInputs(pages, PREVIEW_ID, ""), provider)
    settings = _theme_config(project, provider, PREVIEW_ID, docs, site)
    settings["nav"] = nav
    with _captured_logs() as records:
        config = _load_config(work, settings)
        checker = _PagesPlugin({page.filename: page for page in pages}, shell=False)
        config.plugins["livret-pages"] = checker
        config.plugins["livret-apercu"] = _BannerPlugin(banner)
        build(config)
    _refuse_unsafe(records, checker, "aperçu refusé, la page n'est pas sûre")
    _prune(site)  # the same theme files as a booklet: no script calls a CDN
    return site


# Material's bundled scripts and stylesheets: their names carry a hash of their content.
_THEME_ASSET = re.compile(
    r"/assets/(?:javascripts|stylesheets)/[a-z]+\.[0-9a-f]{8}\.min\.(?:js|css)"
)

# What the preview server answers by itself: (content type, bytes), or None for "not mine".
Extra = Callable[[str], tuple[str, bytes] | None]


class _Server(LiveReloadServer):
    """MkDocs' server, bound early (a busy port is said before the first build)."""

    _bound = False

    def server_bind(self) -> None:
        if not self._bound:
            super().server_bind()

    def server_activate(self) -> None:
        if not self._bound:
            super().server_activate()
            self._bound = True


class PreviewServer:
    """MkDocs' live-reload server on 127.0.0.1 for a folder the caller rebuilds.

    `rebuild` is called once at `run` and again after every change under `watched`;
    each open page reloads itself when a rebuild ends (MkDocs' long-polling script, added
    to every HTML page served). `extra` answers some paths itself (the PDF, built on
    demand). Only loopback is ever bound, and only requests naming 127.0.0.1 or localhost
    in their Host header are answered: another site's page could otherwise reach the
    preview through a DNS name pointed at 127.0.0.1 (DNS rebinding).
    """

    def __init__(
        self,
        folder: Path,
        port: int,
        rebuild: Callable[[], None],
        watched: list[Path],
        extra: Extra,
    ) -> None:
        self.folder = folder
        self._watched = watched
        self._extra = extra
        self._server = _Server(
            builder=rebuild,
            host=LOOPBACK,
            port=port,
            root=str(folder),
            polling_interval=_POLLING_INTERVAL,
        )
        self._server.build_delay = _BUILD_DELAY
        self._server.error_handler = self._error_page
        try:
            self._server.server_bind()
            self._server.server_activate()
        except OSError as error:
            self._server.server_close()
            raise _bind_error(error, port) from None
        self.port = int(self._server.server_address[1])
        self.url = f"http://{LOOPBACK}:{self.port}/"
        self._hosts = {f"{LOOPBACK}:{self.port}", f"localhost:{self.port}"}
        self._server.set_app(self._app)

    def run(self) -> None:
        """Build, then serve and rebuild on changes until interrupted (Ctrl-C)."""
        logger = logging.getLogger("mkdocs.livereload")
        propagate, level = logger.propagate, logger.level
        # MkDocs logs every request and rebuild; the caller reports rebuilds itself.
        logger.propagate = False
        logger.setLevel(logging.CRITICAL)
        try:
            self._server.builder()
            for path in self._watched:
                if path.exists():
                    self._server.watch(str(path))
            self._server.serve()  # type: ignore[no-untyped-call]
        finally:
            logger.propagate = propagate
            logger.setLevel(level)
            self.close()

    def close(self) -> None:
        self._server.shutdown()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        # Personal data is never kept in the browser's cache. Material's own files, named
        # by their content, are: each reload then only fetches the pages.
        cache = "max-age=3600, immutable" if _THEME_ASSET.fullmatch(path) else "no-store"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [h for h in headers if h[0].lower() != "cache-control"]
            headers += [
                ("Cache-Control", cache),
                ("Referrer-Policy", "no-referrer"),
                ("X-Content-Type-Options", "nosniff"),
            ]
            return start_response(status, headers, exc_info)

        if environ.get("HTTP_HOST", "") not in self._hosts:
            cache = "no-store"
            start("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return ["Aperçu réservé à http://127.0.0.1 sur cet ordinateur.".encode()]
        if not path.startswith("/livereload/"):
            answer = self._extra(path)
            if answer is not None:
                kind, data = answer
                start("200 OK", [("Content-Type", kind), ("Content-Length", str(len(data)))])
                return [data]
        return self._server.serve_request(environ, start)

    def _error_page(self, code: int) -> bytes | None:
        page = self.folder / f"{code}.html"
        return page.read_bytes() if page.is_file() else None


def _bind_error(error: OSError, port: int) -> LivretError:
    if error.errno == errno.EADDRINUSE:
        return LivretError(
            f"le port {port} est déjà utilisé sur {LOOPBACK} (un autre aperçu est peut-être "
            f"ouvert) : arrêtez-le, ou choisissez un autre port avec --port, par exemple "
            f"--port {port + 1 if port < 65535 else 8001}"
        )
    if error.errno == errno.EACCES:
        return LivretError(
            f"le port {port} est réservé sur cet ordinateur : choisissez un port au-dessus de "
            "1024 avec --port, par exemple --port 8000"
        )
    return LivretError(f"impossible d'ouvrir l'aperçu sur {LOOPBACK}:{port} : {error.strerror}")
