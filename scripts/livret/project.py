"""Where the consultant's repository is, and the paths livret uses inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from livret.errors import LivretError


@dataclass(frozen=True)
class Project:
    """A consultant's repository: dossiers, shared content, theme and base config."""

    root: Path

    @property
    def dossiers(self) -> Path:
        return self.root / "dossiers"

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def theme(self) -> Path:
        return self.root / "theme"

    @property
    def config(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def private(self) -> Path:
        """Git-ignored folder for what must never be published (access store, clear PDFs)."""
        return self.root / ".livret"


def find_project(start: Path | None = None) -> Project:
    """The repository holding `dossiers/`, from `start` (default: current folder) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dossiers").is_dir() and (folder / "mkdocs.yml").is_file():
            return Project(folder)
    raise LivretError(
        f"{here}: aucun dépôt livret trouvé ici ni au-dessus (il faut un dossier « dossiers/ » "
        "et un fichier « mkdocs.yml ») : placez-vous dans le dépôt ou utilisez -C CHEMIN"
    )
