"""Rules that span several fields, which a schema alone cannot say."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import stat
from pathlib import Path, PurePosixPath

from livret.dossier.model import MODES_AVEC_CONVENTION, Bilan, Phase, Synthese
from livret.dossier.provider import Cadre
from livret.errors import Problem
from livret.protect.pieces import check_attachment
from livret.sources.yamlpos import Loc, YamlDoc

PIECE_TYPES = (".pdf", ".png", ".jpg", ".jpeg", ".webp")
# R6313-4: a bilan runs in these three phases, in this order; `suivi` comes after it.
PHASES_DU_BILAN: tuple[Phase, ...] = ("preliminaire", "investigation", "conclusion")


def _at(
    doc: YamlDoc, loc: Loc, message: str, *, key: bool = False, warning: bool = False
) -> Problem:
    pos = doc.key_pos(loc) if key else doc.value_pos(loc)
    return Problem(doc.path, pos.line, pos.column, message, warning)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _duree_fr(minutes: float) -> str:
    """« 27 h 30 », « 24 h », « 45 min »: how a consultant writes a duration."""
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _euros_fr(amount: float) -> str:
    """« 1 600 € », « 1 600,01 € »."""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text.removesuffix(',00')} €"


def _six_mois_apres(day: dt.date) -> dt.date:
    """The usual date of the follow-up interview, as an example (31 August gives 28 February)."""
    month = day.month + 6
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def duree_comptee(bilan: Bilan, cadre: Cadre) -> int:
    """Minutes of the sessions that count towards the bilan's duration (L6313-4).

    The follow-up interview comes after the bilan: its sessions count only when the
    provider says so (`suivi_compte_dans_duree`).
    """
    return sum(
        s.duree for s in bilan.seances if s.phase != "suivi" or cadre.suivi_compte_dans_duree
    )


def check_bilan(bilan: Bilan, doc: YamlDoc, cadre: Cadre | None = None) -> list[Problem]:
    """Cross-field and legal rules of bilan.yml: errors, and warnings (`warning=True`).

    `cadre` holds the provider's bounds and switches (`extra.cadre` of mkdocs.yml); without
    one, the law's defaults apply.
    """
    return [
        *_check_dates(bilan, doc),
        *_check_consent_and_funding(bilan, doc),
        *_check_cadre(bilan, doc, cadre or Cadre()),
    ]


def _check_dates(bilan: Bilan, doc: YamlDoc) -> list[Problem]:
    """The period the right way round, sessions inside it, the follow-up after it."""
    problems = []
    debut, fin = bilan.periode.debut, bilan.periode.fin
    periode_valide = fin is None or fin >= debut
    if not periode_valide:
        assert fin is not None
        problems.append(
            _at(
                doc,
                ("periode", "fin"),
                f"la fin ({_fr(fin)}) précède le début ({_fr(debut)}) : "
                "corrigez la date de fin ou celle de début",
            )
        )
    for index, seance in enumerate(bilan.seances):
        # With the period upside down, every session would be out of it: say it once, above.
        if periode_valide and (seance.date < debut or (fin is not None and seance.date > fin)):
            bornes = f"du {_fr(debut)} au {_fr(fin)}" if fin else f"à partir du {_fr(debut)}"
            problems.append(
                _at(
                    doc,
                    ("seances", index, "date"),
                    f"séance du {_fr(seance.date)} hors de la période du bilan ({bornes}) : "
                    "corrigez la date de la séance ou la période",
                )
            )
    if bilan.suivi is not None and bilan.suivi.date <= (fin or debut):
        problems.append(
            _at(
                doc,
                ("suivi", "date"),
                f"l'entretien de suivi ({_fr(bilan.suivi.date)}) doit avoir lieu après "
                f"la fin du bilan ({_fr(fin or debut)})",
            )
        )
    return problems


def _check_consent_and_funding(bilan: Bilan, doc: YamlDoc) -> list[Problem]:
    """Consent before the first session (L6313-4); a convention where R6313-8 wants one."""
    problems = []
    premiere = min(s.date for s in bilan.seances)
    if bilan.consentement.date > premiere:
        problems.append(
            _at(
                doc,
                ("consentement", "date"),
                f"consentement recueilli le {_fr(bilan.consentement.date)}, après la première "
                f"séance du {_fr(premiere)} : il se recueille au plus tard le jour de la première "
                "séance (article L6313-4) ; corrigez la date",
            )
        )
    mode = bilan.financement.mode
    if mode in MODES_AVEC_CONVENTION and bilan.financement.convention is None:
        problems.append(
            _at(
                doc,
                ("financement", "mode"),
                f"convention tripartite obligatoire pour le mode {mode} (article R6313-8) : "
                "ajoutez « convention: » avec sa référence sous financement",
            )
        )
    return problems


def _check_cadre(bilan: Bilan, doc: YamlDoc, cadre: Cadre) -> list[Problem]:
    """The legal frame: duration bounds, the three phases, follow-up, CPF ceiling."""
    return [
        *_check_durations(bilan, doc, cadre),
        *_check_finished(bilan, doc),
        *_check_cpf(bilan, doc, cadre),
    ]


def _check_durations(bilan: Bilan, doc: YamlDoc, cadre: Cadre) -> list[Problem]:
    """At most the legal maximum (L6313-4); a finished bilan at least the minimum."""
    problems = []
    minutes = duree_comptee(bilan, cadre)
    suivi_ecarte = not cadre.suivi_compte_dans_duree and any(
        s.phase == "suivi" for s in bilan.seances
    )
    sans_suivi = " (séances de suivi non comptées)" if suivi_ecarte else ""
    maximum = cadre.duree_maximale_heures * 60
    if minutes > maximum:
        problems.append(
            _at(
                doc,
                ("seances",),
                f"durée totale des séances de {_duree_fr(minutes)}{sans_suivi}, au-delà des "
                f"{_duree_fr(maximum)} permises pour un bilan (article L6313-4) : raccourcissez "
                "ou retirez des séances, ou corrigez leurs durées",
                key=True,
            )
        )
    minimum = cadre.duree_minimale_heures
    if bilan.periode.fin is not None and minimum is not None and minutes < minimum * 60:
        problems.append(
            _at(
                doc,
                ("seances",),
                f"bilan terminé avec {_duree_fr(minutes)} de séances{sans_suivi}, moins que les "
                f"{_duree_fr(minimum * 60)} d'accompagnement prévues (projet de décret modifiant "
                "l'article R6313-4) : vérifiez les durées et ajoutez les séances manquantes",
                key=True,
                warning=True,
            )
        )
    return problems


def _check_finished(bilan: Bilan, doc: YamlDoc) -> list[Problem]:
    """A finished bilan had its three phases (R6313-4) and plans its follow-up."""
    fin = bilan.periode.fin
    if fin is None:
        return []
    problems = []
    tenues = {s.phase for s in bilan.seances}
    manquantes = [p for p in PHASES_DU_BILAN if p not in tenues]
    if manquantes:
        noms = " et ".join(f"« phase: {p} »" for p in manquantes)
        laquelle = "des phases" if len(manquantes) > 1 else "de la phase"
        problems.append(
            _at(
                doc,
                ("periode", "fin"),
                f"bilan terminé sans séance {laquelle} {noms} : un bilan comprend une phase "
                "préliminaire, une phase d'investigation et une phase de conclusion (article "
                "R6313-4) ; ajoutez sous seances: la séance de chaque phase manquante, ou "
                "retirez « fin: » tant que le bilan se poursuit",
            )
        )
    if bilan.suivi is None:
        exemple = _six_mois_apres(fin).isoformat()
        problems.append(
            _at(
                doc,
                ("periode", "fin"),
                "bilan terminé sans entretien de suivi prévu : ajoutez en fin de fichier "
                f"« suivi: » puis, en retrait, « date: {exemple} » (environ six mois après "
                "la fin) ; la phase de conclusion prévoit cet entretien (article R6313-4) et "
                "Qualiopi l'attend (indicateur 30)",
                warning=True,
            )
        )
    return problems


def _check_cpf(bilan: Bilan, doc: YamlDoc, cadre: Cadre) -> list[Problem]:
    """The CPF pays at most its ceiling per bilan (D6323-1 A)."""
    financement, plafond = bilan.financement, cadre.plafond_cpf_euros
    if (
        financement.mode != "cpf"
        or financement.montant is None
        or plafond is None
        or financement.montant <= plafond
    ):
        return []
    return [
        _at(
            doc,
            ("financement", "montant"),
            f"montant de {_euros_fr(financement.montant)} au-delà des {_euros_fr(plafond)} "
            "que le CPF prend en charge pour un bilan (article D6323-1 A, décret 2026-127) : "
            "vérifiez le montant ; s'il est juste, le reste est payé par un autre financeur "
            "(employeur, OPCO ou bénéficiaire), à prévoir avec lui",
            warning=True,
        )
    ]


def check_piece(relative: str, folder: Path) -> str | None:
    """Why an attachment path is not acceptable, or None when it is."""
    if "\\" in relative:
        # A dossier is read the same on every system: `/` only. On Windows a backslash
        # would also let a UNC path (two backslashes, a server) reach the network.
        return (
            f"« {relative} » : séparez les dossiers par « / », jamais par « \\ », "
            "par exemple pieces/test.pdf"
        )
    pure = PurePosixPath(relative)
    if pure.is_absolute() or relative.startswith("~") or ":" in relative.split("/")[0]:
        return (
            f"chemin absolu interdit « {relative} » : écrivez un chemin dans le dossier, "
            "par exemple pieces/test.pdf"
        )
    if ".." in pure.parts:
        return (
            f"« {relative} » sort du dossier : placez le fichier dans pieces/ et écrivez pieces/…"
        )
    base = folder.resolve()
    target = (folder / relative).resolve()
    if not target.is_relative_to(base):
        return f"« {relative} » est un lien qui sort du dossier : copiez le fichier dans pieces/"
    if not target.is_file():
        guess = _guess_piece(relative, folder)
        if guess:
            return f"pièce introuvable « {relative} » : vouliez-vous dire « {guess} » ?"
        return (
            f"pièce introuvable « {relative} » : vérifiez le nom ou ajoutez le fichier "
            "dans le dossier pieces/"
        )
    if target.suffix.lower() not in PIECE_TYPES:
        return (
            f"type de pièce non pris en charge « {target.suffix} » : "
            "utilisez un PDF ou une image PNG, JPEG ou WebP"
        )
    # Opened and cleaned here, not only at build time, so that `livret check` refuses it too.
    return check_attachment(target, relative)


def _guess_piece(relative: str, folder: Path) -> str | None:
    """The existing file of pieces/ the consultant most likely meant, if one is close.

    Attachments live in pieces/: `riasec.pdf` for `pieces/riasec.pdf` is the common slip,
    then a misspelt name. Only regular files are offered (no link), and only a few
    hundred are looked at, so a huge folder cannot slow `check` down.
    """
    pieces = folder / "pieces"
    if pieces.is_symlink() or not pieces.is_dir():
        return None
    known: list[str] = []
    for top, dirs, files in os.walk(pieces):
        dirs[:] = sorted(d for d in dirs if not (Path(top) / d).is_symlink())
        for name in sorted(files):
            path = Path(top) / name
            if not path.is_symlink() and path.is_file():
                known.append(path.relative_to(folder).as_posix())
        if len(known) > 500:
            break
    written = relative.removeprefix("./")
    for candidate in (f"pieces/{written}", f"pieces/{PurePosixPath(written).name}"):
        if candidate in known:
            return candidate
    close = difflib.get_close_matches(f"pieces/{written}", known, n=1, cutoff=0.8)
    if not close:  # compare names alone: the folder part may be what is wrong
        names = {PurePosixPath(k).name.lower(): k for k in known}
        near = difflib.get_close_matches(PurePosixPath(written).name.lower(), names, n=1)
        close = [names[near[0]]] if near else []
    return close[0] if close else None


def check_synthese(synthese: Synthese, doc: YamlDoc, folder: Path) -> list[Problem]:
    problems = []
    for index, piste in enumerate(synthese.pistes):
        if piste.statut == "ecartee" and piste.raison is None:
            problems.append(
                _at(
                    doc,
                    ("pistes", index, "statut"),
                    f"piste écartée sans raison : ajoutez « raison: » sous « {piste.intitule} » "
                    "pour dire pourquoi elle a été écartée",
                )
            )
    for index, outil in enumerate(synthese.outils):
        if outil.piece is not None:
            why = check_piece(outil.piece, folder)
            if why:
                problems.append(_at(doc, ("outils", index, "piece"), why))
    return problems


def _hard_linked(path: Path) -> bool:
    """A regular file with another name elsewhere: its bytes may belong to anything.

    A hard link is not a symbolic link, so nothing shows where its bytes live; one made
    to /etc/shadow or to another person's dossier would be published as this dossier's.
    """
    info = path.lstat()
    return stat.S_ISREG(info.st_mode) and info.st_nlink > 1


def check_links(folder: Path, display: str, named: set[str]) -> list[Problem]:
    """Links that lead out of the dossier, except symbolic ones `piece:` already reports.

    Hard links are refused wherever they are. A link in pieces/ or notes/ would bring a
    file from elsewhere on the computer into the booklet; `named` holds the normalised
    paths that `piece:` names.
    """
    base = folder.resolve()
    problems = []
    for top, dirs, files in os.walk(folder):
        for name in sorted([*dirs, *files]):
            path = Path(top) / name
            if _hard_linked(path):
                problems.append(
                    Problem(
                        f"{display}/{path.relative_to(folder).as_posix()}",
                        1,
                        1,
                        "fichier lié à un autre fichier de l'ordinateur (lien physique) : "
                        "remplacez-le par une copie indépendante (cp --no-preserve=links)",
                    )
                )
                continue
            if not path.is_symlink() or path.resolve().is_relative_to(base):
                continue
            relative = path.relative_to(folder).as_posix()
            if os.path.normpath(relative) in named:
                continue
            problems.append(
                Problem(
                    f"{display}/{relative}",
                    1,
                    1,
                    "lien symbolique qui sort du dossier : remplacez-le par une copie du fichier",
                )
            )
    return problems
