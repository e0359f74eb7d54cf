"""Where the consultant's repository is, and the paths livret uses inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from livret.errors import LivretError

# Every name livret gives to a path of the consultant's repository, spelled once.
DOSSIERS_DIR = "dossiers"
CONTENT_DIR = "content"
THEME_DIR = "theme"
CONFIG_FILE = "mkdocs.yml"
PRIVATE_DIR = ".livret"  # git-ignored: access store, state files, lock, scratch space
WORK_DIR = f"{PRIVATE_DIR}/travail"  # scratch space, on the same disk as the repository
CLEAR_DIR = "syntheses"  # git-ignored: the clear PDFs, for the consultant only
ATTENDANCE_DIR = f"{CLEAR_DIR}/emargements"  # git-ignored: attendance sheets, one per slug
FICHES_DIR = f"{CLEAR_DIR}/fiches"  # git-ignored: fiches projet for third parties
REGISTER_FILE = "registre-destructions.csv"  # committed: what was destroyed, naming no one
DEFAULT_OUT = "site"  # the published folder when --out is not given
LOCK_FILE = "construction.lock"  # in PRIVATE_DIR
STATE_PREFIX = "etat-"  # PRIVATE_DIR/etat-<hash of the output folder>.json
STAGED_PREFIX = ".arrivee-"  # a booklet being built inside the output folder
SET_ASIDE_SUFFIX = ".ancien"  # an old booklet set aside by a swap without renameat2


@dataclass(frozen=True)
class Project:
    """A consultant's repository: dossiers, shared content, theme and base config."""

    root: Path

    @property
    def dossiers(self) -> Path:
        return self.root / DOSSIERS_DIR

    @property
    def content(self) -> Path:
        return self.root / CONTENT_DIR

    @property
    def theme(self) -> Path:
        return self.root / THEME_DIR

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def private(self) -> Path:
        """Git-ignored folder for what must never be published (access store, clear PDFs)."""
        return self.root / PRIVATE_DIR

    @property
    def work(self) -> Path:
        return self.root / WORK_DIR

    @property
    def clear_copies(self) -> Path:
        return self.root / CLEAR_DIR

    def clear_copy(self, slug: str) -> Path:
        """The consultant's clear copy of a dossier's synthèse: git-ignored, never published."""
        return self.clear_copies / f"{slug}.pdf"

    def attendance_sheet(self, slug: str) -> Path:
        """The attendance sheet of a dossier (a folder of its own: no slug can collide)."""
        return self.root / ATTENDANCE_DIR / f"{slug}.pdf"

    def fiche(self, slug: str, party: str) -> Path:
        """A fiche projet for one third party; party names have no hyphen, so the last
        hyphenated word of the file name is always the party: no two files collide."""
        return self.root / FICHES_DIR / f"{slug}-{party}.pdf"

    @property
    def register(self) -> Path:
        return self.root / REGISTER_FILE

    @property
    def default_out(self) -> Path:
        return self.root / DEFAULT_OUT

    @property
    def lock(self) -> Path:
        return self.private / LOCK_FILE

    def state_file(self, key: str) -> Path:
        return self.private / f"{STATE_PREFIX}{key}.json"


# The theme files livret reads, checked before any work so that a deleted file is one
# clear sentence rather than a traceback halfway through a build.
THEME_FILES = (
    "libelles.yml",
    "accueil-site.html",
    "material/main.html",
    "pages/_macros.html",
    "pages/accueil.html",
    "pages/demarche.html",
    "pages/competences.html",
    "pages/anime.html",
    "pages/pistes.html",
    "pages/projet.html",
    "pages/plan.html",
    "pages/notes.html",
    "pages/documents.html",
    "pdf/_commun.html",
    "pdf/commun.css",
    "pdf/synthese.html",
    "pdf/synthese.css",
    "pdf/emargement.html",
    "pdf/emargement.css",
    "pdf/_fiche.html",
    "pdf/fiche.html",
    "pdf/fiche.css",
)


def _restore(what: str, *, several: bool = False) -> str:
    return (
        f"remettez-{'les' if several else 'le'} depuis le dépôt livret d'origine "
        f"(dans un dépôt git : « git checkout -- {what} »)"
    )


def check_layout(project: Project) -> None:
    """Refuse a repository missing `mkdocs.yml` or a theme file, naming how to get it back."""
    if not project.config.is_file():
        raise LivretError(
            f"{project.root}: fichier « mkdocs.yml » manquant à la racine du dépôt : "
            + _restore("mkdocs.yml")
        )
    if not project.theme.is_dir():
        raise LivretError(
            f"{project.root}: dossier « theme/ » manquant (gabarits des pages et du PDF, "
            "libellés) : " + _restore("theme/")
        )
    missing = [name for name in THEME_FILES if not (project.theme / name).is_file()]
    if missing:
        shown = ", ".join(f"theme/{name}" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise LivretError(
            f"fichier{plural} du thème manquant{plural} : {shown} ; "
            + _restore("theme/", several=bool(plural))
        )


def find_project(start: Path | None = None) -> Project:
    """The repository holding `dossiers/`, from `start` (default: current folder) upwards,
    checked to hold every file livret reads besides the dossiers."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DOSSIERS_DIR).is_dir() and (
            (folder / CONFIG_FILE).is_file() or (folder / THEME_DIR).is_dir()
        ):
            project = Project(folder)
            check_layout(project)
            return project
    raise LivretError(
        f"{here}: aucun dépôt livret trouvé ici ni au-dessus (il faut un dossier « dossiers/ » "
        "et un fichier « mkdocs.yml ») : placez-vous dans le dépôt ou utilisez -C CHEMIN"
    )
