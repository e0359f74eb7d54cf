"""`livret doctor`: can this machine build booklets? One finding per piece, with what to do.

livret runs wherever Python 3.11+ and WeasyPrint run (Linux, macOS, Windows). What
differs between machines is what pip cannot install: Pango (WeasyPrint's layout
library), the fonts the theme asks for, git. Each check does the real thing where it is
cheap (a one-line PDF is printed and encrypted, in memory) and says, when it fails,
how to fix it on this system, following WeasyPrint's documented installation routes.

Nothing is written and nothing is fixed here: the doctor only looks.
"""

from __future__ import annotations

import html
import importlib
import io
import json
import os
import re
import shutil
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livret.errors import LivretError
from livret.project import Project
from livret.protect.access import store_path
from livret.protect.gitguard import ensure_private

MIN_PYTHON = (3, 11)
MIN_PANGO = (1, 44)  # WeasyPrint's own minimum
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was found and, when it is wrong, what to do."""

    ok: bool
    what: str
    todo: str = ""
    required: bool = True

    def line(self) -> str:
        return f"✓ {self.what}" if self.ok else f"✗ {self.what} : {self.todo}"


def healthy(findings: list[Finding]) -> bool:
    """True when nothing required is missing."""
    return all(f.ok or not f.required for f in findings)


# --- what to do, per system -------------------------------------------------------------------


def _system(platform: str) -> str:
    if platform.startswith("win"):
        return "windows"
    return "macos" if platform == "darwin" else "linux"


# The routes WeasyPrint documents (doc.courtbouillon.org, « First steps »): the distribution's
# packages on Debian/Ubuntu, Homebrew on macOS, MSYS2's Pango on Windows.
_ADVICE: dict[str, dict[str, str]] = {
    "python": {
        "linux": "installez Python 3.11 ou plus récent (sudo apt install python3 python3-venv)",
        "macos": "installez Python 3.11 ou plus récent (brew install python@3.12)",
        "windows": "installez Python 3.11 ou plus récent depuis python.org ou le Microsoft Store",
    },
    "pango": {
        "linux": "installez Pango : sudo apt install libpango-1.0-0 libpangoft2-1.0-0 "
        "libharfbuzz-subset0 (Debian/Ubuntu), puis relancez livret doctor",
        "macos": "installez Pango avec Homebrew : brew install pango (ou brew install weasyprint), "
        "puis relancez livret doctor",
        "windows": "installez MSYS2 (https://www.msys2.org), puis dans son terminal : "
        "pacman -S mingw-w64-x86_64-pango ; si la bibliothèque reste introuvable, "
        "set WEASYPRINT_DLL_DIRECTORIES=C:\\msys64\\mingw64\\bin, puis relancez livret doctor",
    },
    "fonts": {
        "linux": "installez les polices Noto : sudo apt install fonts-noto-core",
        "macos": "installez les polices Noto : brew install --cask font-noto-sans font-noto-serif",
        "windows": "téléchargez Noto Sans et Noto Serif (https://fonts.google.com/noto), puis "
        "clic droit sur chaque fichier .ttf, « Installer pour tous les utilisateurs »",
    },
    "scripts": {
        "linux": "sudo apt install fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji "
        "fonts-symbola",
        "macos": "brew install --cask font-noto-sans-hebrew font-noto-naskh-arabic "
        "font-noto-sans-cjk-sc font-noto-serif-cjk-sc font-noto-sans-symbols-2 "
        "font-noto-color-emoji",
        "windows": "installez depuis https://fonts.google.com/noto Noto Sans Hebrew, Noto Naskh "
        "Arabic, Noto Sans SC, Noto Serif SC, Noto Sans Symbols 2 et Noto Color Emoji "
        "(« Installer pour tous les utilisateurs »)",
    },
    "git": {
        "linux": "installez git : sudo apt install git",
        "macos": "installez git : xcode-select --install (ou brew install git)",
        "windows": "installez git : winget install --id Git.Git (ou https://git-scm.com), "
        "puis ouvrez un nouveau terminal",
    },
    "pip": {
        "linux": "réinstallez livret dans son environnement : .venv/bin/python -m pip install -e .",
        "macos": "réinstallez livret dans son environnement : .venv/bin/python -m pip install -e .",
        "windows": "réinstallez livret dans son environnement : "
        ".venv\\Scripts\\python -m pip install -e .",
    },
}


def _advice(topic: str, platform: str) -> str:
    return _ADVICE[topic][_system(platform)]


# --- the checks -------------------------------------------------------------------------------


def _python(platform: str) -> Finding:
    version = ".".join(str(n) for n in sys.version_info[:3])
    ok = sys.version_info[:2] >= MIN_PYTHON
    return Finding(ok, f"Python {version}", "" if ok else _advice("python", platform))


def _import(name: str) -> tuple[Any | None, str]:
    """The module, or None and why (a missing system library shows as OSError)."""
    try:
        return importlib.import_module(name), ""
    except (ImportError, OSError) as error:
        return None, str(error).splitlines()[0] if str(error) else type(error).__name__


def _pango_version() -> tuple[int, int, int]:
    from weasyprint.text.ffi import pango

    number = int(pango.pango_version())  # major * 10000 + minor * 100 + micro
    return number // 10000, number // 100 % 100, number % 100


def _render(html: str) -> bytes:
    import weasyprint
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return bytes(weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf())


def _weasyprint(platform: str) -> tuple[Finding, bool]:
    """WeasyPrint and Pango, by printing one line; the bool says whether printing works."""
    module, why = _import("weasyprint")
    if module is None:
        missing_package = "No module named" in why
        todo = _advice("pip" if missing_package else "pango", platform)
        return Finding(False, f"WeasyPrint ne se charge pas ({why})", todo), False
    try:
        pango = _pango_version()
    except (ImportError, OSError, AttributeError) as error:
        return Finding(False, f"Pango introuvable ({error})", _advice("pango", platform)), False
    shown = f"WeasyPrint {module.__version__}, Pango {'.'.join(map(str, pango))}"
    if pango[:2] < MIN_PANGO:
        todo = f"Pango {MIN_PANGO[0]}.{MIN_PANGO[1]} au moins est nécessaire ; " + _advice(
            "pango", platform
        )
        return Finding(False, f"{shown} : trop ancien", todo), False
    try:
        pdf = _render("<p>Bilan de compétences : « essai » à 100 €</p>")
    except Exception as error:  # any failure of the layout engine is the finding itself
        todo = _advice("pango", platform)
        return Finding(False, f"{shown} : impression impossible ({error})", todo), False
    if not pdf.startswith(b"%PDF-"):
        return Finding(
            False, f"{shown} : le PDF imprimé est vide", _advice("pango", platform)
        ), False
    return Finding(True, f"{shown} : un PDF d'essai est imprimé"), True


def _pikepdf(platform: str) -> Finding:
    module, why = _import("pikepdf")
    if module is None:
        return Finding(False, f"pikepdf ne se charge pas ({why})", _advice("pip", platform))
    try:  # the same AES-256 (R6) the documents get, in memory
        with module.new() as pdf:
            pdf.add_blank_page()
            out = io.BytesIO()
            pdf.save(out, encryption=module.Encryption(user="essai", owner="essai2", R=6))
        with module.open(io.BytesIO(out.getvalue()), password="essai") as opened:
            encrypted = bool(opened.is_encrypted)
    except Exception as error:  # whatever breaks here is what the consultant must know
        return Finding(False, f"pikepdf ne chiffre pas ({error})", _advice("pip", platform))
    if not encrypted:
        return Finding(False, "pikepdf ne chiffre pas", _advice("pip", platform))
    return Finding(True, f"pikepdf {module.__version__} : chiffrement AES-256 vérifié")


def _site_stack(platform: str) -> Finding:
    missing = [n for n in ("mkdocs", "material", "encryptcontent") if _import(n)[0] is None]
    if missing:
        names = ", ".join(missing)
        return Finding(False, f"modules du site manquants ({names})", _advice("pip", platform))
    return Finding(True, "MkDocs, Material et le chiffrement des pages sont installés")


def theme_families(project: Project) -> list[str]:
    """The font families the theme's print stylesheets name first (the ones it wants)."""
    import tinycss2

    from livret.outputs.pdf import PDF_DIR  # here: that module needs pikepdf, maybe missing

    found: list[str] = []
    for css in sorted((project.theme / PDF_DIR).glob("*.css")):
        rules = tinycss2.parse_stylesheet(css.read_text(encoding="utf-8"), True, True)
        for declaration in _declarations(rules):
            if declaration.lower_name == "font-family":
                first = _first_family(declaration.value)
            elif declaration.lower_name == "font":
                first = _first_family(_shorthand_families(declaration.value))
            else:
                continue
            if first and first.lower() not in GENERIC_FAMILIES and first not in found:
                found.append(first)
    return found


def _declarations(rules: list[Any]) -> Iterator[Any]:
    import tinycss2

    for rule in rules:
        if rule.type == "qualified-rule" or (rule.type == "at-rule" and rule.content):
            inner = tinycss2.parse_blocks_contents(rule.content, True, True)
            for item in inner:
                if item.type == "declaration":
                    yield item
                elif item.type in ("qualified-rule", "at-rule"):
                    yield from _declarations([item])


_SIZE_WORDS = {"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large"}
_SIZE_WORDS |= {"smaller", "larger"}


def _shorthand_families(tokens: list[Any]) -> list[Any]:
    """The family list of a `font` shorthand: what follows the size (and `/ line-height`)."""
    meaningful = [t for t in tokens if t.type not in ("whitespace", "comment")]
    for index, token in enumerate(meaningful):
        is_size = token.type in ("dimension", "percentage") or (
            token.type == "ident" and token.lower_value in _SIZE_WORDS
        )
        if is_size:
            rest = meaningful[index + 1 :]
            if rest and rest[0].type == "literal" and rest[0].value == "/":
                rest = rest[2:]
            return rest
    return []


def _first_family(tokens: list[Any]) -> str | None:
    words: list[str] = []
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            break
        if token.type == "string":
            return str(token.value)
        if token.type == "ident":
            words.append(str(token.value))
    return " ".join(words) or None


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _fonts(project: Project, platform: str) -> Finding:
    """Each family is printed; the PDF says which font the system really used for it."""
    import pikepdf

    families = theme_families(project)
    if not families:
        return Finding(True, "polices : le thème n'en demande aucune en particulier")
    paragraphs = "".join(
        # The theme's names are text: a CSS string, then an escaped attribute value.
        f'<p style="font-family: {html.escape(json.dumps(f))}">Bilan de compétences</p>'
        for f in families
    )
    with pikepdf.open(io.BytesIO(_render(paragraphs))) as pdf:
        used = {
            _squash(str(font.get("/BaseFont", "")).split("+")[-1])
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
        }
    missing = [f for f in families if not any(u.startswith(_squash(f)) for u in used)]
    names = ", ".join(families)
    if missing:
        return Finding(
            False,
            f"polices du thème absentes : {', '.join(missing)}",
            _advice("fonts", platform),
        )
    return Finding(True, f"polices du thème présentes : {names}")


# One character per script the print theme's fallback chain covers (theme/pdf/commun.css).
_SCRIPTS = (
    ("le vietnamien et les lettres latines étendues", "ễ"),
    ("le grec", "λ"),
    ("le cyrillique", "Ж"),
    ("l'arabe", "م"),
    ("l'hébreu", "ש"),
    ("le chinois et le japonais", "中"),
    ("le coréen", "한"),
    ("les symboles", "⚖"),
    ("les emoji", "🎯"),
)
_COLOUR_EMOJI = "Noto Color Emoji"


def _scripts(platform: str) -> Finding:
    """Which scripts no installed font draws: their characters would print as empty boxes."""
    from livret.render.glyphs import fonts_for

    found = {name: fonts_for(ord(char)) for name, char in _SCRIPTS}
    if any(families is None for families in found.values()):
        return Finding(
            False, "écritures : fontconfig introuvable, livret check ne peut pas dire quels "
            "caractères s'imprimeront", _advice("pango", platform), required=False
        )  # fmt: skip
    missing = [name for name, families in found.items() if not families]
    if missing:
        return Finding(
            False,
            f"écritures sans police : {', '.join(missing)} (leurs caractères s'imprimeraient "
            "dans la synthèse comme des carrés vides ; livret check les signale)",
            "installez-les : " + _advice("scripts", platform),
            required=False,
        )
    emoji = found["les emoji"] or ()
    colour = "en couleur" if _COLOUR_EMOJI in emoji else f"en noir ({emoji[0]})"
    return Finding(True, f"toutes les écritures ont une police ; emoji imprimés {colour}")


def _git(platform: str) -> Finding:
    found = shutil.which("git")
    if found is None:
        return Finding(False, "git introuvable", _advice("git", platform))
    return Finding(True, f"git présent ({found})")


def _gitignore(project: Project, store: Path) -> Finding:
    try:
        ensure_private(project, [project.private, project.clear_copies, store])
    except LivretError as error:
        return Finding(False, "chemins privés exposés à git", str(error))
    return Finding(True, "chemins privés (.livret/, syntheses/, accès) ignorés par git")


def _team(project: Project) -> Finding | None:
    """In a team repository, whether this machine's key opens the shared accesses."""
    from livret.protect import team

    if not team.is_team(project):
        return None
    try:
        store = team.TeamStore(project)
    except LivretError as error:
        return Finding(False, "accès partagés (acces/) refusés sur cette machine", str(error))
    count = len(store.all())
    return Finding(
        True,
        f"accès partagés : {count} dossier(s), ouverts avec la clé de la machine et "
        f"authentifiés par la clé d'équipe (empreinte {store.fingerprint})",
    )


def _orphans(project: Project) -> list[Finding]:
    """Access entries whose dossier was deleted by hand: named, with the command."""
    from livret.protect.stores import orphan_entries, orphan_message

    return [
        Finding(False, f"{where} : accès sans dossier", orphan_message(slug))
        for slug, where in orphan_entries(project)
    ]


def _store(store: Path) -> Finding:
    """Readable and private, looked at without fixing anything (the build fixes modes)."""
    try:
        info = store.stat()
    except FileNotFoundError:
        return Finding(
            True, f"fichier des accès : pas encore créé ({store}), le premier build le crée"
        )
    except OSError as error:
        todo = "vérifiez le chemin (ou LIVRET_ACCESS) et les droits du dossier"
        return Finding(False, f"fichier des accès inaccessible ({error.strerror})", todo)
    if not stat.S_ISREG(info.st_mode):
        todo = "faites pointer LIVRET_ACCESS vers un fichier, ou déplacez ce qui occupe ce chemin"
        return Finding(False, f"{store} n'est pas un fichier ordinaire", todo)
    # Windows shows every file as 0o666 whatever its ACL: the mode says nothing there.
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        todo = (
            f"lancez « chmod 600 {store} » ; si quelqu'un a pu le lire, changez les phrases de "
            "passe (livret access DOSSIER --rotate)"
        )
        return Finding(False, f"fichier des accès lisible par d'autres comptes ({mode:o})", todo)
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
        count = len(data["livrets"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        todo = "restaurez-le depuis votre sauvegarde"
        return Finding(False, f"fichier des accès illisible ({error})", todo)
    return Finding(True, f"fichier des accès lisible et privé ({count} livret(s))")


def examine(project: Project | None, platform: str = sys.platform) -> list[Finding]:
    """Every finding about this machine, and about the repository when there is one.

    `platform` chooses the installation advice (`sys.platform` values).
    """
    findings = [_python(platform)]
    weasyprint, prints = _weasyprint(platform)
    pikepdf = _pikepdf(platform)
    findings += [weasyprint, pikepdf, _site_stack(platform)]
    if project is not None and prints and pikepdf.ok:  # fonts are checked by printing them
        findings.append(_fonts(project, platform))
    if prints:
        findings.append(_scripts(platform))
    findings.append(_git(platform))
    if project is not None:
        store = store_path(project)
        findings += [_gitignore(project, store), _team(project) or _store(store)]
        findings += _orphans(project)
    findings.append(
        Finding(True, "Chromium : inutile pour livret (seuls les tests du navigateur s'en servent)")
    )
    return findings
