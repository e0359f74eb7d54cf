"""Keep what must stay private out of git: the passphrase store, clear PDFs, build state.

A consultant's repository is usually pushed somewhere. Anything under it that holds
personal data in clear, or secrets, must be ignored by git before livret writes it.
When git is present but cannot answer (a repository owned by another user, say), we
refuse rather than guess.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from livret.errors import LivretError
from livret.project import Project


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-c", f"safe.directory={root}", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return None  # no git on this machine: nothing can be committed by it


def _in_work_tree(root: Path) -> bool:
    answer = _git(root, "rev-parse", "--is-inside-work-tree")
    if answer is None:
        return False
    if answer.returncode == 0:
        return answer.stdout.strip() == "true"
    if "not a git repository" in answer.stderr:
        return False
    raise LivretError(
        f"{root}: git ne peut pas dire quels fichiers il suit ({answer.stderr.strip()}) ; "
        "livret refuse d'écrire des données privées sans le savoir"
    )


def ensure_private(project: Project, paths: list[Path]) -> None:
    """Refuse when one of `paths` (inside the repository) is tracked or not ignored by git."""
    root = project.root.resolve()
    if not _in_work_tree(root):
        return
    for path in paths:
        try:
            # realpath: a loop of links is no error (Path.resolve raises on 3.11)
            relative = Path(os.path.realpath(path)).relative_to(root).as_posix()
        except ValueError:
            continue  # outside the repository: git cannot publish it
        tracked = _git(root, "ls-files", relative)
        if tracked is not None and tracked.stdout.strip():
            raise LivretError(
                f"{relative}: des données privées sont suivies par git ; retirez-les "
                f"(git rm -r --cached {relative}), puis changez les phrases de passe concernées "
                "(livret access DOSSIER --rotate)"
            )
        # A folder that does not exist yet only matches "name/" patterns when asked as one.
        as_folder = path.is_dir() or (not path.exists() and not path.suffix)
        ignored = _git(root, "check-ignore", "-q", relative + ("/" if as_folder else ""))
        if ignored is not None and ignored.returncode != 0:
            raise LivretError(
                f"{relative}: ce chemin privé n'est pas ignoré par git ; ajoutez la ligne "
                f"« /{relative} » au fichier .gitignore"
            )
