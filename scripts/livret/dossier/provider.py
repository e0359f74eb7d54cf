"""The provider's base configuration (`mkdocs.yml`): name, colours, provider details.

The provider chooses how booklets look and who they come from; livret alone writes
everything that bears on privacy (plugins, encryption, fonts, URLs). A base config
that tries to set one of those is an error at its line, never silently ignored.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError

from livret.dossier.model import EMAIL_PATTERN, Strict, Texte
from livret.errors import DossierError, Problem
from livret.project import Project
from livret.protect.allowlist import check_svg
from livret.protect.urls import decide, url_form
from livret.sources.codes import ErrorCode, custom_error
from livret.sources.messages import validation_problems
from livret.sources.yamlpos import read_yaml

# Options livret writes itself, with the reason given to the provider.
FORBIDDEN = {
    "plugins": "livret choisit lui-même les extensions et le chiffrement",
    "hooks": "livret choisit lui-même le code exécuté pendant la construction",
    "markdown_extensions": "livret choisit lui-même le rendu du texte",
    "extra_css": "placez vos styles dans theme/material/assets/stylesheets/livret.css",
    "extra_javascript": "aucun script supplémentaire n'est permis dans un livret privé",
    "site_url": "l'adresse d'un livret ne doit figurer dans aucune page ; écrivez l'adresse "
    "du dossier publié sous extra.publication.adresse, que seul livret access affiche",
    "site_description": "cette mention serait lisible sans phrase de passe",
    "site_author": "cette mention serait lisible sans phrase de passe",
    "repo_url": "un livret ne renvoie vers aucun dépôt",
    "repo_name": "un livret ne renvoie vers aucun dépôt",
    "edit_uri": "un livret ne renvoie vers aucun dépôt",
    "google_analytics": "aucune mesure d'audience dans un livret privé",
    "docs_dir": "livret fixe lui-même les dossiers de travail",
    "site_dir": "utilisez livret build --out",
    "use_directory_urls": "livret fixe lui-même la forme des liens (ouverture hors ligne)",
    "nav": "livret écrit lui-même la navigation",
    "INHERIT": "livret écrit lui-même la configuration complète",
}
FORBIDDEN_THEME = {
    "name": "le thème est toujours Material",
    "custom_dir": "les gabarits sont dans theme/material/",
    "font": "les polices sont locales : aucune police n'est chargée depuis Google",
    "language": "les livrets sont en français",
}
FORBIDDEN_EXTRA = {
    "analytics": "aucune mesure d'audience dans un livret privé",
    "consent": "aucune mesure d'audience dans un livret privé",
    "social": "aucun lien de réseau social dans un livret privé",
}

Couleur = Literal[
    "red", "pink", "purple", "deep purple", "indigo", "blue", "light blue", "cyan", "teal",
    "green", "light green", "lime", "yellow", "amber", "orange", "deep orange", "brown",
    "grey", "blue grey", "black", "white",
]  # fmt: skip


class Palette(Strict):
    """Couleurs Material du livret."""

    primary: Couleur = Field("indigo", description="Couleur principale (nom Material).")
    accent: Couleur = Field("indigo", description="Couleur d'accent (nom Material).")


class Theme(Strict):
    """Réglages d'apparence permis au prestataire."""

    palette: Palette = Field(default_factory=Palette, description="Couleurs.")


class Prestataire(Strict):
    """L'organisme prestataire, tel qu'il apparaît sur le livret et la synthèse."""

    nom: Texte = Field(description="Nom de l'organisme.")
    adresse: Texte | None = Field(None, description="Adresse postale sur une ligne.")
    telephone: Texte | None = Field(None, description="Téléphone.")
    email: str | None = Field(None, pattern=EMAIL_PATTERN, description="Adresse de contact.")
    site: Texte | None = Field(None, description="Site web (affiché en texte).")
    nda: Texte | None = Field(
        None, description="Numéro de déclaration d'activité (NDA) et préfecture."
    )
    qualiopi: Texte | None = Field(None, description="Mention de certification Qualiopi.")
    logo: Texte | None = Field(None, description="Logo SVG ou PNG, chemin depuis la racine.")


def _lien_questionnaire(value: str | None) -> str | None:
    """A questionnaire link is shown to every beneficiary: only a plain web address."""
    if value is None:
        return None
    link = decide(url_form(value))
    if link is None or link.kind != "external" or not link.url.startswith("https://"):
        raise custom_error(ErrorCode.QUESTIONNAIRE_REFUSE)
    return link.url


LienQuestionnaire = Annotated[Texte | None, AfterValidator(_lien_questionnaire)]


class Questionnaires(Strict):
    """Les questionnaires de satisfaction de l'organisme (indicateur 30 de Qualiopi)."""

    fin: LienQuestionnaire = Field(
        None, description="Adresse https du questionnaire de fin de bilan (facultative)."
    )
    six_mois: LienQuestionnaire = Field(
        None, description="Adresse https du questionnaire à six mois (facultative)."
    )


# The public address of the published folder, as an allowlist: https, a host name made of
# ASCII labels (an international name is written in its xn-- form), an optional port and a
# plain path. No user name or password (they would travel in every link sent), no query or
# fragment (the booklet id is appended to the path).
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ADRESSE = re.compile(
    rf"https://{_LABEL}(?:\.{_LABEL})+(?::[0-9]{{1,5}})?(?P<path>(?:/[A-Za-z0-9._~-]*)*)"
)


def _adresse_publication(value: str | None) -> str | None:
    """The published folder's address, ending with one `/`, or refused.

    Decided on the URL as a browser would read it (`url_form`), then on the allowlist
    above; `.` and `..` path segments are refused as they would move the link elsewhere.
    """
    if value is None:
        return None
    link = decide(url_form(value))
    if link is None or link.kind != "external":
        raise custom_error(ErrorCode.ADRESSE_PUBLICATION_REFUSEE)
    scheme, _, rest = link.url.partition("://")
    host, slash, path = rest.partition("/")
    address = f"{scheme.lower()}://{host.lower()}{slash}{path}"
    match = _ADRESSE.fullmatch(address)
    if match is None or {".", ".."} & set(match["path"].split("/")):
        raise custom_error(ErrorCode.ADRESSE_PUBLICATION_REFUSEE)
    return address.rstrip("/") + "/"


AdressePublication = Annotated[Texte | None, AfterValidator(_adresse_publication)]


class Publication(Strict):
    """Où le dossier publié (site/) est servi : connu de livret access seul, jamais écrit
    dans une page."""

    adresse: AdressePublication = Field(
        None,
        description="Adresse https publique du dossier publié (site/), par exemple "
        "https://livrets.example.org/ ; livret access y ajoute l'identifiant du livret pour "
        "donner le lien complet. Elle n'est écrite dans aucune page.",
    )


# What a fiche projet may show besides the project itself (title and description).
Rubrique = Literal["formation", "competences", "conditions", "plan"]
_RUBRIQUES = (
    "Ce que la fiche projet montre à ce tiers, en plus de l'intitulé et de la description "
    "du projet : formation, competences (les compétences transférables), conditions "
    "(conditions de réussite), plan (les prochaines étapes)."
)


class FicheProjet(Strict):
    """Ce que chaque tiers voit dans la fiche projet que le ou la bénéficiaire permet de
    lui transmettre (consentement.partage). Le moins possible par défaut."""

    cep: tuple[Rubrique, ...] = Field(
        ("formation", "competences", "conditions", "plan"), description=_RUBRIQUES
    )
    employeur: tuple[Rubrique, ...] = Field(
        ("formation", "competences", "plan"), description=_RUBRIQUES
    )
    financeur: tuple[Rubrique, ...] = Field(("formation", "plan"), description=_RUBRIQUES)
    autre: tuple[Rubrique, ...] = Field(("formation",), description=_RUBRIQUES)


class Cadre(Strict):
    """Le cadre légal appliqué aux dossiers : les bornes et les interrupteurs des règles.

    Chaque valeur par défaut est celle du droit en vigueur ; le README cite les articles.
    """

    # Strict fields: `true` is not 1 hour, "24" in quotes or `1` for true are typing slips
    # that would silently move a legal bound.

    duree_maximale_heures: float = Field(
        24,
        gt=0,
        le=100,
        strict=True,
        description="Durée totale maximale des séances (L6313-4 : 24 h).",
    )
    duree_minimale_heures: float | None = Field(
        13,
        gt=0,
        le=100,
        strict=True,
        description="Durée totale en dessous de laquelle livret avertit (projet de décret "
        "modifiant R6313-4 : 13 h) ; null pour ne pas avertir.",
    )
    suivi_compte_dans_duree: bool = Field(
        False,
        strict=True,
        description="true si les séances de la phase suivi comptent dans la durée du bilan "
        "(par défaut non : l'entretien de suivi a lieu après le bilan).",
    )
    plafond_cpf_euros: float | None = Field(
        1600,
        gt=0,
        le=100_000,
        strict=True,
        description="Montant au-delà duquel un financement cpf est signalé (D6323-1 A, "
        "décret 2026-127 : 1 600 €) ; null pour ne pas avertir.",
    )
    conservation_ans: int = Field(
        3,
        ge=1,
        le=50,
        strict=True,
        description="Durée de conservation des dossiers après periode.fin, en années "
        "(R6313-7 modifié par le décret 2023-1350 : 3 ans).",
    )
    questionnaires: Questionnaires = Field(
        default_factory=Questionnaires, description="Questionnaires de satisfaction."
    )
    fiche_projet: FicheProjet = Field(
        default_factory=FicheProjet, description="Ce que montre la fiche projet à chaque tiers."
    )


class Extra(Strict):
    """Informations propres à livret."""

    prestataire: Prestataire = Field(description="L'organisme prestataire.")
    cadre: Cadre = Field(default_factory=Cadre, description="Le cadre légal appliqué aux dossiers.")
    publication: Publication = Field(
        default_factory=Publication, description="Où les livrets sont publiés."
    )


class Base(Strict):
    """Le fichier mkdocs.yml du prestataire."""

    site_name: Texte = Field(description="Nom neutre affiché sur chaque page, même verrouillée.")
    copyright: Texte | None = Field(None, description="Mention de pied de page.")
    theme: Theme = Field(default_factory=Theme, description="Apparence.")
    extra: Extra = Field(description="Le prestataire.")


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def logo_bytes(logo: Path) -> bytes:
    """The logo as published: an SVG as checked, a PNG re-encoded without its metadata
    (text chunks can hold anything, and the logo sits in clear in every booklet)."""
    if logo.suffix.lower() == ".png":
        from livret.protect.pieces import clean_image

        return clean_image(logo)
    return logo.read_bytes()


@dataclass(frozen=True)
class Provider:
    """The validated base configuration and where its files are."""

    base: Base
    logo: Path | None
    config_path: Path


def _check_logo(project: Project, written: str) -> tuple[Path | None, str | None]:
    """The logo file, or why it is refused: it is published in clear in every booklet."""
    logo = (project.root / written).resolve()
    if not logo.is_relative_to(project.theme.resolve()):
        # Anything else could be a dossier's file, or any file of the computer.
        return None, (
            f"logo refusé « {written} » : le logo doit être un fichier du dossier theme/ "
            "du dépôt, par exemple theme/logo.svg"
        )
    if not logo.is_file() or logo.suffix.lower() not in (".svg", ".png"):
        return None, (
            f"logo introuvable « {written} » : indiquez un fichier SVG ou PNG du dossier "
            "theme/, par exemple theme/logo.svg"
        )
    data = logo.read_bytes()
    if logo.suffix.lower() == ".svg":
        findings = check_svg(data)
        if findings:
            first = findings[0]
            return None, (
                f"logo refusé « {written} » : ligne {first.line}, {first.message} ; un logo "
                "SVG ne peut contenir que des formes et du texte (ni script, ni lien, ni image "
                "externe) : exportez-le en « SVG simple » ou en PNG"
            )
    elif not _is_png(data):
        return None, (
            f"logo refusé « {written} » : ce fichier n'est pas une image PNG lisible ; "
            "enregistrez le logo en PNG ou en SVG"
        )
    return logo, None


def _is_png(data: bytes) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.format == "PNG"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return False


def load_provider(project: Project) -> Provider:
    """Read and check `mkdocs.yml`; every problem at its line."""
    path = project.config
    shown = "mkdocs.yml"
    doc = read_yaml(shown, path.read_bytes())
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for scope, rules in (
        ((), FORBIDDEN),
        (("theme",), FORBIDDEN_THEME),
        (("extra",), FORBIDDEN_EXTRA),
    ):
        section: Any = data
        for key in scope:
            section = section.get(key) if isinstance(section, dict) else None
        if not isinstance(section, dict):
            continue
        for key, reason in rules.items():
            if key in section:
                pos = doc.key_pos((*scope, key))
                option = ".".join((*scope, key))
                problems.append(
                    Problem(
                        shown, pos.line, pos.column, f"option « {option} » interdite : {reason}"
                    )
                )
                del section[key]
    try:
        base = Base.model_validate(data)
    except ValidationError as error:
        problems += validation_problems(error.errors(), doc, Base)
        raise DossierError(problems) from None
    cadre = base.extra.cadre
    if cadre.duree_minimale_heures is not None and (
        cadre.duree_minimale_heures > cadre.duree_maximale_heures
    ):
        # At the bound the provider wrote: the other one may be a default, written nowhere.
        written = ("extra", "cadre", "duree_minimale_heures")
        if written not in doc.values:
            written = ("extra", "cadre", "duree_maximale_heures")
        pos = doc.value_pos(written)
        problems.append(
            Problem(
                shown,
                pos.line,
                pos.column,
                f"durée minimale ({_number(cadre.duree_minimale_heures)} h) au-delà de la durée "
                f"maximale ({_number(cadre.duree_maximale_heures)} h) : aucun bilan ne pourrait "
                "les respecter ; corrigez l'une des deux",
            )
        )
    logo = None
    if base.extra.prestataire.logo:
        pos = doc.value_pos(("extra", "prestataire", "logo"))
        logo, why = _check_logo(project, base.extra.prestataire.logo)
        if why:
            problems.append(Problem(shown, pos.line, pos.column, why))
    if problems:
        raise DossierError(problems)
    return Provider(base, logo, path)
