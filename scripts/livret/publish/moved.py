"""The page left at a booklet's old address when it gets a new link (`--nouveau-lien`).

A beneficiary who kept the old link should learn that the booklet moved, not meet a bare
404 she could take for a lost booklet. The page is the same for every booklet
(`theme/livret-deplace.html`): no name, no date, nothing of the dossier, so it says
nothing beyond "a booklet was here". It is recognised by its bytes, so the build keeps
it (no state records it) and removes it as soon as anything else is in the folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from livret.errors import LivretError
from livret.project import Project
from livret.protect.allowlist import html_problems
from livret.publish.folders import BOOKLET_DIR, published_outputs

PAGE = "livret-deplace.html"


def moved_page(project: Project) -> str:
    text = (project.theme / PAGE).read_text(encoding="utf-8")
    # Shown to anyone with the old link: held to the allowlist of every clear page.
    refused = html_problems(text, "index.html", content=False)
    if refused:
        raise LivretError(f"theme/{PAGE} : {refused[0]} ; page refusée")
    return text


def leave_moved_page(project: Project, booklet_id: str) -> Path | None:
    """Replace the booklet `booklet_id`, in every folder it was published to, by the moved
    page; the last folder done, or None when it was never published."""
    if not BOOKLET_DIR.match(booklet_id):
        return None
    text = moved_page(project)
    done: Path | None = None
    for out, _ in published_outputs(project):
        target = out / booklet_id
        if out.is_symlink() or not target.is_dir() or target.is_symlink():
            continue
        staged = out / f".{booklet_id}.deplace"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir()
        (staged / "index.html").write_text(text, encoding="utf-8")
        shutil.rmtree(target)  # the booklet goes first: never both at once
        staged.rename(target)
        done = target
    return done


def is_moved_page(folder: Path, text: str) -> bool:
    """Whether `folder` holds the moved page and nothing else."""
    try:
        children = list(folder.iterdir())
        return (
            [c.name for c in children] == ["index.html"]
            and not children[0].is_symlink()
            and children[0].read_text(encoding="utf-8") == text
        )
    except (OSError, UnicodeDecodeError):
        return False
