"""Which store the repository uses, and the one way to show or renew a booklet's access.

`protect/access.py` holds the `Store` interface and the clear store, `protect/team.py`
the team store; this module is the only one that knows both, so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from livret.errors import LivretError, display_path
from livret.project import Project
from livret.protect.access import ClearStore, Store
from livret.protect.team import TeamStore, is_team
from livret.publish.folders import check_private, last_output, published_outputs, secure_private


def open_store(project: Project) -> Store:
    """The team store when `acces/destinataires.txt` exists, else the clear one."""
    if is_team(project):
        return TeamStore(project)
    return ClearStore(project)


class Renewal(Enum):
    """What a consultant asked `livret access` to change."""

    NONE = "none"
    PASSPHRASE = "passphrase"  # --nouvelle-phrase: same link
    LINK = "link"  # --nouveau-lien (or --rotate): new link and new passphrase


@dataclass(frozen=True)
class Shown:
    slug: str
    site: str  # the booklet's folder, relative to the repository, ending with "/"
    passphrase: str
    former_site: str | None  # the folder the booklet left, with --nouveau-lien
    published: bool  # whether a build published it with this very link and passphrase


def show_access(
    project: Project,
    slug: str,
    *,
    renew: Renewal = Renewal.NONE,
    notices: list[str] | None = None,
) -> Shown:
    """The booklet's folder and passphrase, made on first use or renewed as asked.

    The folder is where the booklet was last published (`site/` before any build). A new
    link leaves, at the old address, a page that only says the booklet moved (written by
    `publish.moved`): the beneficiary who kept the old link knows to ask for the new one.
    Permissions livret had to fix are told in `notices`, for the caller to show.
    """
    from livret.dossier.load import check_slug
    from livret.lock import build_lock
    from livret.publish.moved import leave_moved_page

    problems = check_slug(slug, f"dossiers/{slug}")
    if problems:
        raise LivretError(problems[0].message)
    if not (project.dossiers / slug).is_dir():
        raise LivretError(f"dossiers/{slug}: dossier introuvable")
    # Under the build lock: a build running now would otherwise write the store back
    # as it read it, and silently undo a rotation.
    told = notices if notices is not None else []
    check_private(project)  # before the lock writes into .livret/
    with build_lock(project):
        told += secure_private(project)
        store = open_store(project)
        told += store.notices
        old = store.get(slug)
        if renew is Renewal.NONE or old is None:
            access = store.ensure(slug)
        else:
            access = store.rotate(slug, link=renew is Renewal.LINK)
        former = None
        if renew is Renewal.LINK and old is not None:
            # The old link must stop opening the booklet now, not at the next build.
            former = leave_moved_page(project, old.booklet_id)
        folder = last_output(project, slug) / access.booklet_id
        published = folder.is_dir() and any(
            booklets.get(slug, {}).get("livret") == access.booklet_id
            and booklets[slug].get("compteur", "0") == str(access.counter)
            and booklets[slug].get("cree", access.created) == access.created
            for _, booklets in published_outputs(project)
        )
    return Shown(
        slug=slug,
        site=display_path(folder, project.root) + "/",
        passphrase=access.passphrase,
        former_site=display_path(former, project.root) + "/" if former else None,
        published=published,
    )


def orphan_entries(project: Project) -> list[tuple[str, str]]:
    """(slug, where) of every access entry whose dossier is gone, found without opening
    any secret: the team store by file name, the clear store by its keys.

    An entry outlives its dossier when the folder is deleted by hand: its passphrase
    stays in the repository (or on this machine) for nothing; `livret purge SLUG`
    removes it with the published booklet.
    """
    import json

    from livret.protect.access import store_path
    from livret.protect.team import FOLDER, SUFFIX, TEAM_KEY, folder

    found: dict[str, str] = {}
    if is_team(project):
        try:
            names = sorted(p.name for p in folder(project).iterdir())
        except OSError:
            names = []
        for name in names:
            if name.endswith(SUFFIX) and name != TEAM_KEY and not name.startswith("."):
                found[name[: -len(SUFFIX)]] = f"{FOLDER}/{name}"
    else:
        path = store_path(project)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            slugs = [str(s) for s in raw["livrets"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            slugs = []
        found = {slug: display_path(path, project.root) for slug in slugs}
    return [
        (slug, where)
        for slug, where in sorted(found.items())
        if not (project.dossiers / slug).is_dir()
    ]


def orphan_message(slug: str) -> str:
    return (
        f"accès sans dossier : dossiers/{slug} n'existe plus, mais son lien et sa phrase de "
        f"passe sont toujours gardés ; « livret purge {slug} » les retire, avec le livret "
        "publié"
    )
