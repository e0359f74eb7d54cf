"""Load a dossier folder: YAML files and notes, with every problem found at once."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from livret.dossier import lint, rules
from livret.dossier.model import SLUG_PATTERN, Bilan, NoteMeta, Synthese
from livret.dossier.provider import Cadre
from livret.errors import DossierError, Problem, display_path
from livret.project import DOSSIERS_DIR
from livret.sources.codes import ProblemCode
from livret.sources.frontmatter import Fault, split_front_matter
from livret.sources.messages import validation_problems
from livret.sources.yamlpos import Pos, YamlDoc, decode_text, parse_yaml

M = TypeVar("M", bound=BaseModel)

LINKED_DOSSIER = (
    "ce dossier est un lien symbolique : livret ne lit pas un dossier rangé ailleurs ; "
    "remplacez le lien par le dossier lui-même"
)


@dataclass(frozen=True)
class Note:
    """A Markdown note with its front matter."""

    path: Path
    display: str
    meta: NoteMeta
    body: str
    body_line: int  # 1-based line of the first body line, for errors inside Markdown
    doc: YamlDoc | None = None  # the front matter, with positions

    @property
    def published(self) -> bool:
        return self.meta.visibilite == "beneficiaire"


@dataclass(frozen=True)
class Dossier:
    """Everything the consultant wrote about one beneficiary, validated."""

    slug: str
    folder: Path
    bilan: Bilan
    synthese: Synthese
    notes: list[Note]
    docs: dict[str, YamlDoc] = field(default_factory=dict)  # "bilan" / "synthese" -> positions
    # Accepted, but probably not meant (a comment that cut a text); shown by check and build.
    warnings: list[Problem] = field(default_factory=list)
    # Left by `livret new`: a warning for check, a refusal for build.
    placeholders: list[Problem] = field(default_factory=list)

    def piece(self, relative: str) -> Path:
        """Absolute path of an attachment already checked to lie inside the folder."""
        return (self.folder / relative).resolve()


def _read(path: Path, display: str) -> tuple[str | None, list[Problem]]:
    if not path.is_file():
        return None, [
            Problem(display, 1, 1, f"fichier manquant : créez {path.name} (voir livret new)")
        ]
    return decode_text(display, path.read_bytes())


def _required_keys(model: type[BaseModel]) -> str:
    return ", ".join(f"{name}:" for name, info in model.model_fields.items() if info.is_required())


def _validate(doc: YamlDoc, model: type[M]) -> tuple[M | None, list[Problem]]:
    if not isinstance(doc.data, dict):
        pos = doc.values.get((), Pos(1, 1))
        return None, [
            Problem(
                doc.path,
                pos.line,
                pos.column,
                f"le contenu doit être des clés en début de ligne ({_required_keys(model)} …), "
                "pas une liste ni un texte seul",
            )
        ]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as error:
        return None, validation_problems(error.errors(), doc, model)


def _load_yaml(
    path: Path, display: str, model: type[M]
) -> tuple[M | None, YamlDoc | None, list[Problem]]:
    text, problems = _read(path, display)
    if text is None:
        return None, None, problems
    doc, problems = parse_yaml(display, text)
    if doc is None:
        if problems and problems[0].code is ProblemCode.FICHIER_VIDE:
            problems = [
                Problem(
                    display,
                    1,
                    1,
                    f"fichier vide : écrivez au moins {_required_keys(model)} "
                    "(livret new crée un modèle commenté)",
                )
            ]
        return None, None, problems
    value, more = _validate(doc, model)
    if problems:  # duplicate keys: the data is not what the consultant meant
        return None, doc, problems + more
    return value, doc, more


def load_note(path: Path, display: str) -> tuple[Note | None, list[Problem]]:
    """A note: `---`, YAML front matter, `---`, then Markdown."""
    text, problems = _read(path, display)
    if text is None:
        return None, problems
    split = split_front_matter(text)
    if split is Fault.MISSING:
        return None, [
            Problem(
                display,
                1,
                1,
                "en-tête manquant : la note doit commencer par une ligne « --- », "
                "puis titre:, date:, visibilite:, puis une ligne « --- »",
            )
        ]
    if split is Fault.UNCLOSED:
        return None, [
            Problem(
                display, 1, 1, "en-tête non refermé : ajoutez une ligne « --- » après visibilite:"
            )
        ]
    doc, problems = parse_yaml(display, split.yaml, line_offset=1)
    if doc is None:
        if problems and problems[0].code is ProblemCode.FICHIER_VIDE:
            problems = [Problem(display, 1, 1, "en-tête vide : ajoutez au moins « titre: »")]
        return None, problems
    meta, more = _validate(doc, NoteMeta)
    if problems or meta is None:
        return None, problems + more
    body = split.body.strip("\n")
    first_body_line = split.body_line
    blank = 0
    while blank < len(split.lines) and not split.lines[blank].strip():
        blank += 1
    return Note(path, display, meta, body, first_body_line + blank, doc), []


def _valid_slug(slug: str) -> bool:
    # fullmatch: with re.match, `$` also matches before a final newline ("slug\n").
    return bool(re.fullmatch(SLUG_PATTERN, slug)) and "--" not in slug


def check_slug(slug: str, display: str) -> list[Problem]:
    if _valid_slug(slug):
        return []
    ascii_only = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    proposal = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    example = (
        f"renommez-le par exemple « {proposal} »"
        if _valid_slug(proposal)
        else "par exemple 2026-durand-claire"
    )
    return [
        Problem(
            display,
            1,
            1,
            f"nom de dossier invalide « {slug} » : de 3 à 64 caractères, minuscules sans "
            f"accent, chiffres et tirets ; {example}",
        )
    ]


def load_dossier(folder: Path, root: Path, cadre: Cadre | None = None) -> Dossier:
    """Load and validate one dossier; raise DossierError with every problem found.

    `cadre` is the provider's legal frame (`extra.cadre` of mkdocs.yml); the law's
    defaults when None.
    """
    slug = folder.name
    show = display_path(folder, root)
    if folder.is_symlink():  # it could lead anywhere on the computer (/etc, another home)
        raise DossierError([Problem(show, 1, 1, LINKED_DOSSIER)])
    problems = check_slug(slug, show)
    bilan, bilan_doc, found = _load_yaml(folder / "bilan.yml", f"{show}/bilan.yml", Bilan)
    problems += found
    synthese, synthese_doc, found = _load_yaml(
        folder / "synthese.yml", f"{show}/synthese.yml", Synthese
    )
    problems += found
    notes: list[Note] = []
    notes_dir = folder / "notes"
    if notes_dir.is_dir():
        for note_path in sorted(notes_dir.glob("*.md")):
            if not note_path.is_file():
                shown_note = f"{show}/notes/{note_path.name}"
                problems.append(Problem(shown_note, 1, 1, "ce n'est pas un fichier : renommez-le"))
                continue
            note, found = load_note(note_path, f"{show}/notes/{note_path.name}")
            problems += found
            if note is not None:
                notes.append(note)
    legal: list[Problem] = []  # warnings of the legal frame, shown once the dossier is valid
    if bilan is not None and bilan_doc is not None:
        for problem in rules.check_bilan(bilan, bilan_doc, cadre):
            (legal if problem.warning else problems).append(problem)
    if synthese is not None and synthese_doc is not None:
        problems += rules.check_synthese(synthese, synthese_doc, folder)
    named = {os.path.normpath(o.piece) for o in synthese.outils if o.piece} if synthese else set()
    problems += rules.check_links(folder, show, named)
    if problems or bilan is None or synthese is None:
        raise DossierError(problems)
    assert bilan_doc is not None and synthese_doc is not None
    warnings = (
        legal
        + lint.swallowed_by_comment(bilan_doc, Bilan)
        + lint.swallowed_by_comment(synthese_doc, Synthese)
    )
    placeholders = lint.placeholders(bilan_doc) + lint.placeholders(synthese_doc)
    for doc in (bilan_doc, synthese_doc):
        warnings += lint.unprintable(doc.path, "\n".join(doc.lines), yaml=True)
    for note in notes:
        if note.published and note.doc is not None:
            warnings += lint.swallowed_by_comment(note.doc, NoteMeta)
            placeholders += lint.placeholders(note.doc)
            text, _ = decode_text(note.display, note.path.read_bytes())
            warnings += lint.unprintable(note.display, text or "", yaml=False)
    return Dossier(
        slug,
        folder,
        bilan,
        synthese,
        notes,
        {"bilan": bilan_doc, "synthese": synthese_doc},
        warnings,
        placeholders,
    )


def dossier_folders(root: Path, slugs: list[str] | None = None) -> list[Path]:
    """The dossier folders to work on: the named ones, or every folder of dossiers/.

    A link to a folder is listed too, so that `load_dossier` refuses it by name.
    """
    base = root / DOSSIERS_DIR
    if slugs:
        return [base / slug for slug in slugs]
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


def check_dossiers(
    root: Path, slugs: list[str] | None = None, cadre: Cadre | None = None
) -> list[Dossier]:
    """Load every named dossier; raise one DossierError with all problems of all files."""
    dossiers: list[Dossier] = []
    problems: list[Problem] = []
    for folder in dossier_folders(root, slugs):
        if not folder.is_dir():
            problems.append(
                Problem(
                    display_path(folder, root),
                    1,
                    1,
                    f"dossier introuvable : « {folder.name} » n'existe pas dans dossiers/ "
                    "(créez-le avec livret new)",
                )
            )
            continue
        try:
            dossiers.append(load_dossier(folder, root, cadre))
        except DossierError as error:
            problems += error.problems
    if problems:
        raise DossierError(problems)
    return dossiers
