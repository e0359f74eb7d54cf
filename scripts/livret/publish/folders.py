"""Where livret may write: the folders booklets are published to, and its private folders.

A published folder is copied as a whole to a static host. If it overlaps the repository,
a dossier, `.livret/` or `syntheses/`, private data goes with it; if it is a folder of the
consultant's that livret did not make, the first build deletes what is in it. So every
output folder is checked here before anything is written, on its real path (symbolic links
and `..` resolved), and livret leaves a marker file in each folder it creates.

Each output folder also has a state file in `.livret/` (`etat-<hash>.json`) that records
its real path and what was published there, so that a rotated link can be removed from
every folder livret ever published to.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

from livret.errors import LivretError, display_path
from livret.files import write_private
from livret.project import (
    ATTENDANCE_DIR,
    CLEAR_DIR,
    CONTENT_DIR,
    DEFAULT_OUT,
    DOSSIERS_DIR,
    FICHES_DIR,
    PRIVATE_DIR,
    SET_ASIDE_SUFFIX,
    STAGED_PREFIX,
    STATE_PREFIX,
    THEME_DIR,
    WORK_DIR,
    Project,
)

MARKER = ".livret-publication"
MARKER_TEXT = "Dossier de publication créé par livret : ne rien y déposer d'autre.\n"
BOOKLET_DIR = re.compile(r"^[a-z2-7]{24}$")

# Folders of the repository that hold what must never be published, or that livret reads.
PROTECTED = (DOSSIERS_DIR, PRIVATE_DIR, CLEAR_DIR, CONTENT_DIR, THEME_DIR, ".git")
# Private folders livret writes into: a symbolic link there sends private data elsewhere.
PRIVATE_DIRS = (PRIVATE_DIR, WORK_DIR, CLEAR_DIR, ATTENDANCE_DIR, FICHES_DIR)
# What livret itself writes at the top of a published folder.
_SITE_FILES = ("index.html", "robots.txt", MARKER)
_LEFTOVER_DIR = re.compile(rf"^{re.escape(STAGED_PREFIX)}.+$|^\..+{re.escape(SET_ASIDE_SUFFIX)}$")

STATE_VERSION = 2
_STATE = re.compile(rf"^{re.escape(STATE_PREFIX)}[0-9a-f]{{12}}\.json$")


# --- private folders --------------------------------------------------------------------------


def check_private(project: Project) -> None:
    """Refuse when a private folder is a symbolic link or not a folder at all."""
    for name in PRIVATE_DIRS:
        path = project.root / name
        if path.is_symlink():
            raise LivretError(
                f"{name} est un lien symbolique : livret y range des données privées et ne "
                f"suit pas de lien ; remplacez-le par un vrai dossier (rm {name} ; mkdir {name})"
            )
        if path.exists() and not path.is_dir():
            raise LivretError(
                f"{name} n'est pas un dossier : livret y range des données privées ; "
                "déplacez ce fichier ailleurs, puis relancez"
            )


def owner_only(path: Path, mode: int, what: str) -> str | None:
    """Give `path` back to its owner alone; a French notice when it had to be done.

    A store or folder that other accounts could read has leaked nothing yet that we can
    know of; fixing it and saying so is better than refusing to work.

    Not on Windows: its `stat` shows every file as 0o666 (or 0o444) whatever its ACL, and
    `chmod` only sets read-only, so the check would fire on every run and fix nothing.
    There, the user's profile folder (where the repository should live) is private.
    """
    if os.name == "nt":
        return None
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LivretError(f"{path} : {what} inaccessible ({error.strerror})") from None
    if not current & 0o077:
        return None
    try:
        os.chmod(path, mode)
    except OSError:
        raise LivretError(
            f"{path} : {what} est accessible à d'autres comptes (droits {current:o}) et livret "
            f"ne peut pas le corriger ; lancez « chmod {mode:o} {path} », puis relancez"
        ) from None
    return (
        f"{path} : {what} était accessible à d'autres comptes (droits {current:o}) ; ses "
        f"droits sont ramenés à {mode:o}. Si quelqu'un a pu le lire, changez les phrases de "
        "passe (livret access DOSSIER --rotate)."
    )


def secure_private(project: Project) -> list[str]:
    """Private folders readable by others are closed again; the notices say which."""
    check_private(project)
    notices = [
        owner_only(project.root / name, 0o700, "ce dossier privé")
        for name in (PRIVATE_DIR, CLEAR_DIR)
    ]
    return [n for n in notices if n]


# --- output folders ---------------------------------------------------------------------------


def _real(path: Path) -> Path:
    """The real path; unlike `Path.resolve` on Python 3.11, a loop of links is no error."""
    return Path(os.path.realpath(path))


def _refuse(shown: str, why: str, todo: str) -> LivretError:
    return LivretError(f"--out {shown} : {why} ; {todo}")


def _overlaps(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _symlink_on_the_way(given: Path, root: Path) -> Path | None:
    """The first symbolic link met along `given`, other than one on the way to the repository.

    Every prefix is looked at as the system would walk it, `..` included. A link that
    leads to the repository itself or one of its parents (a home folder moved to another
    disk, say) is how the consultant reaches the repository and is accepted; any other
    link could be pointed elsewhere between the check and the write.
    """
    parts = given.parts
    for index in range(1, len(parts) + 1):
        prefix = Path(*parts[:index])
        if parts[index - 1] == ".." or not prefix.is_symlink():
            continue
        last = index == len(parts)
        real = _real(prefix)
        if last or not (real == root or root.is_relative_to(real)):
            return prefix
    return None


def _livret_made(entry: Path) -> bool:
    """An entry livret writes at the top of a published folder."""
    if entry.is_symlink():
        return False
    if entry.name in _SITE_FILES:
        return entry.is_file()
    return entry.is_dir() and bool(BOOKLET_DIR.match(entry.name) or _LEFTOVER_DIR.match(entry.name))


def check_output(project: Project, out: Path, store: Path | None = None) -> Path:
    """The real path of `out` when booklets may be published there; refuse otherwise.

    Writes nothing. `store` is the access store, which must never end up in `out`.
    """
    check_private(project)
    root = _real(project.root)
    given = out if out.is_absolute() else Path.cwd() / out
    shown = out.as_posix()
    link = _symlink_on_the_way(given, root)
    if link is not None:
        real = _real(given)
        raise _refuse(
            shown,
            f"le chemin passe par le lien symbolique {link}",
            f"donnez le chemin réel du dossier ({real}) ou un dossier sans lien",
        )
    real = _real(given)
    if real == root or root.is_relative_to(real):
        raise _refuse(
            shown,
            "ce dossier contient le dépôt, ses dossiers et ses phrases de passe seraient publiés",
            f"choisissez un dossier à part, par exemple {DEFAULT_OUT}/",
        )
    guarded = [project.root / name for name in PROTECTED]
    if project.dossiers.is_dir():
        guarded += sorted(project.dossiers.iterdir())
    if store is not None:
        guarded.append(store)
    for path in guarded:
        if _overlaps(real, _real(path)):
            name = display_path(path, project.root)
            raise _refuse(
                shown,
                f"ce dossier recouvre « {name} », qui ne doit jamais être publié",
                f"choisissez un dossier à part, par exemple {DEFAULT_OUT}/",
            )
    if real.exists() and not real.is_dir():
        raise _refuse(shown, "ce n'est pas un dossier", "donnez le chemin d'un dossier")
    if real.is_dir():
        marker = real / MARKER
        if marker.is_symlink() or (marker.exists() and not marker.is_file()):
            raise _refuse(shown, f"{MARKER} n'est pas un fichier ordinaire", f"supprimez {marker}")
        foreign = sorted(e.name for e in real.iterdir() if not _livret_made(e))
        if foreign and not marker.is_file():
            listed = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
            raise _refuse(
                shown,
                f"ce dossier existe, n'a pas été créé par livret et contient {listed} ; "
                "livret y effacerait des fichiers",
                "choisissez un dossier vide ou qui n'existe pas encore",
            )
    return real


def claim_output(real: Path) -> None:
    """Create the checked folder, or adopt it, with the marker that says livret made it.

    A folder that holds only what livret writes (an existing `site/`) is adopted as is.
    """
    real.mkdir(parents=True, exist_ok=True)
    marker = real / MARKER
    if not marker.is_file():
        marker.write_text(MARKER_TEXT, encoding="utf-8")


def writing_error(error: OSError, where: Path, root: Path) -> LivretError | None:
    """A French error for a disk that cannot take more (full, read-only…), else None."""
    reasons = {
        errno.ENOSPC: "le disque est plein",
        errno.EDQUOT: "le quota du disque est atteint",
        errno.EFBIG: "un fichier dépasse la taille permise",
        errno.EROFS: "le disque est en lecture seule",
        errno.EIO: "le disque signale une erreur",
    }
    reason = reasons.get(error.errno or 0)
    if reason is None:
        return None
    return LivretError(
        f"{display_path(where, root)} : écriture impossible, {reason} ; le livret déjà publié "
        "reste en place. Libérez de la place (ou vérifiez le disque), puis relancez livret build"
    )


# --- state files ------------------------------------------------------------------------------


def state_path(project: Project, real_out: Path) -> Path:
    key = hashlib.sha256(str(real_out).encode()).hexdigest()[:12]
    return project.state_file(key)


def _read_state(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("version") == STATE_VERSION
        and isinstance(data.get("sortie"), str)
        and isinstance(data.get("livrets"), dict)
        and all(isinstance(e, dict) for e in data["livrets"].values())
    )
    return data if ok else None


def load_state(path: Path) -> dict[str, dict[str, str]]:
    """The booklets published to one folder; an old or broken file reads as empty.

    No state means every booklet is rebuilt, which is always safe.
    """
    data = _read_state(path)
    return {} if data is None else {str(k): dict(v) for k, v in data["livrets"].items()}


def save_state(path: Path, real_out: Path, booklets: dict[str, dict[str, str]]) -> None:
    data = {"version": STATE_VERSION, "sortie": str(real_out), "livrets": booklets}
    write_private(path, json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def published_outputs(project: Project) -> list[tuple[Path, dict[str, dict[str, str]]]]:
    """Every folder livret recorded publishing to, with its booklets; `site/` always.

    `site/` stands for state files written before folders were recorded.
    """
    found: dict[Path, dict[str, dict[str, str]]] = {}
    if project.private.is_dir() and not project.private.is_symlink():
        for path in sorted(project.private.iterdir()):
            data = _read_state(path) if _STATE.match(path.name) else None
            if data is not None and Path(data["sortie"]).is_absolute():
                found[Path(data["sortie"])] = {str(k): dict(v) for k, v in data["livrets"].items()}
    found.setdefault(_real(project.default_out), {})
    return list(found.items())


def last_output(project: Project, slug: str) -> Path:
    """The folder where the booklet was last published; `site/` when it never was."""
    best: tuple[str, Path] | None = None
    for out, booklets in published_outputs(project):
        when = booklets.get(slug, {}).get("publie")
        if when and (best is None or when > best[0]):
            best = (when, out)
    return best[1] if best else project.default_out


def remove_booklet(project: Project, booklet_id: str) -> None:
    """Take one booklet folder out of every folder livret published to (a rotated link)."""
    if not BOOKLET_DIR.match(booklet_id):
        return
    for out, _ in published_outputs(project):
        target = out / booklet_id
        if not out.is_symlink() and target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
