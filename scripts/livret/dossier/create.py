"""Create a new dossier from the commented template."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

from livret.dossier.load import check_slug
from livret.errors import DossierError, LivretError
from livret.project import Project

TEMPLATE_DIR = Path(__file__).parent / "template"


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def new_dossier(
    project: Project, slug: str, prenom: str, nom: str, today: dt.date | None = None
) -> Path:
    """Write `dossiers/<slug>/` from the template; refuse to touch an existing folder."""
    target = project.dossiers / slug
    for label, value in (("prénom", prenom), ("nom", nom)):
        # isprintable() is False for every control, format and line or paragraph separator
        # (U+2028, U+2029, U+0085…): any of them would break the generated YAML.
        if not value.strip() or not value.isprintable() or len(value) > 100:
            raise LivretError(
                f"{label} invalide {json.dumps(value)} : écrivez-le sur une seule ligne, en "
                "100 caractères au plus, sans caractère invisible"
            )
    problems = check_slug(slug, f"dossiers/{slug}")
    if problems:
        raise DossierError(problems)
    if target.exists():
        raise LivretError(f"dossiers/{slug}: ce dossier existe déjà ; choisissez un autre nom")
    values = {
        "SLUG": slug,
        "PRENOM": prenom,
        "NOM": nom,
        # JSON strings are valid YAML and quote whatever a name contains (': #').
        "PRENOM_YAML": json.dumps(prenom, ensure_ascii=False),
        "NOM_YAML": json.dumps(nom, ensure_ascii=False),
        "AUJOURDHUI": (today or dt.date.today()).isoformat(),
    }
    project.dossiers.mkdir(parents=True, exist_ok=True)
    # Written beside the target then renamed, so an interrupted run leaves no half dossier.
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}.", dir=project.dossiers))
    try:
        for source in sorted(TEMPLATE_DIR.rglob("*")):
            if source.is_file():
                dest = staging / source.relative_to(TEMPLATE_DIR)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(_fill(source.read_text(encoding="utf-8"), values), encoding="utf-8")
        (staging / "pieces").mkdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
