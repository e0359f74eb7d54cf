"""Click's own words in French: usage, help, errors.

Click marks its messages for gettext but ships no French catalogue, and a gettext
catalogue would follow the user's locale, whereas livret always speaks French. Each
click module binds `_` and `ngettext` as module globals and looks them up when a
message is shown, so installing our two functions there translates every message from
one table, without copying any of click's code. A message missing from the table stays
in English rather than failing: a new click version can add words, never break livret.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import click

# click's message -> French. `{name!r}` becomes « {name} »: French quotes, no repr.
MESSAGES = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et s'arrête.",
    "Show the version and exit.": "Affiche la version et s'arrête.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "Aborted!": "Abandon.",
    "deprecated": "obsolète",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Lancez « {command} {option} » pour l'aide.",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "No such option {name!r}.": "Option inconnue « {name} ».",
    "No such command {name!r}.": "Commande inconnue « {name} ».",
    "unknown error": "erreur inconnue",
    "Could not open file {filename!r}: {message}": (
        "Impossible d'ouvrir le fichier « {filename} » : {message}"
    ),
    "Value must be an iterable.": "La valeur doit être une liste.",
    "env var: {var}": "variable d'environnement : {var}",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "(dynamic)": "(dynamique)",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} est hors limites ({range}).",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "« {value} » n'est pas un booléen valide. Valeurs reconnues : {states}"
    ),
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » illisible.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture impossible.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : non exécutable.",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Shell completion is not supported for Bash versions older than 4.4.": (
        "La complétion n'est possible qu'avec Bash 4.4 ou plus récent."
    ),
    "Couldn't detect Bash version, shell completion is not supported.": (
        "Version de Bash inconnue : la complétion n'est pas possible."
    ),
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}

# (singular, plural) -> French (singular, plural).
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Argument en trop ({args})",
        "Arguments en trop ({args})",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Vouliez-vous dire « {possibility} » ?",
        "(Vouliez-vous dire l'un de : {possibilities} ?)",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "« {value} » n'est pas {choice}.",
        "« {value} » n'est pas parmi {choices}.",
    ),
    (
        "Takes {nargs} values but 1 was given.",
        "Takes {nargs} values but {len} were given.",
    ): (
        "Prend {nargs} valeurs, mais 1 seule a été donnée.",
        "Prend {nargs} valeurs, mais {len} ont été données.",
    ),
    (
        "Option {name!r} requires an argument.",
        "Option {name!r} requires {nargs} arguments.",
    ): ("L'option « {name} » attend une valeur.", "L'option « {name} » attend {nargs} valeurs."),
    (
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ): (
        "{len_type} valeurs sont attendues, mais {len_value} a été donnée.",
        "{len_type} valeurs sont attendues, mais {len_value} ont été données.",
    ),
}

# Every click module that shows a message through `_` or `ngettext`.
_MODULES = (
    "core", "exceptions", "formatting", "types", "decorators", "parser", "shell_completion",
    "termui", "utils",
)  # fmt: skip


def gettext_fr(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext_fr(singular: str, plural: str, n: int) -> str:
    french = PLURALS.get((singular, plural))
    if french is None:
        return singular if n == 1 else plural
    # French uses the singular for 0 and 1.
    return french[0] if n <= 1 else french[1]


def _quote(words: Sequence[str]) -> str:
    return ", ".join(f"« {word} »" for word in words)


def _join_param_hints(param_hint: Sequence[str] | str | None) -> str | None:
    """`« --jobs » / « -j »` where click writes `'--jobs' / '-j'` (Python's repr)."""
    if param_hint is None or isinstance(param_hint, str):
        return param_hint
    return " / ".join(f"« {hint} »" for hint in param_hint)


def _format_possibilities(possibilities: list[str]) -> str:
    words = sorted(possibilities)
    return ngettext_fr(
        "Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(words)
    ).format(possibility=words[0] if len(words) == 1 else "", possibilities=_quote(words))


def install() -> None:
    """Make click speak French; idempotent. Call before any command is declared, since
    some help texts are translated when their decorator runs."""
    for name in _MODULES:
        module: Any = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext_fr
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_fr
    # The two helpers that quote names with repr(); missing ones (another click) are skipped.
    exceptions: Any = importlib.import_module("click.exceptions")
    for helper in (_join_param_hints, _format_possibilities):
        if hasattr(exceptions, helper.__name__):
            setattr(exceptions, helper.__name__, helper)


class Formatter(click.HelpFormatter):
    """Headings with the French space before the colon: « Options : »."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")


class Context(click.Context):
    formatter_class = Formatter


class Choix(click.Choice[str]):
    """A choice whose refusal lists the choices in words, without Python quotes."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"« {value} » n'est pas l'un de : {', '.join(map(str, self.choices))}."


class Plage(click.IntRange):
    """An integer range described in words (« au moins 1 ») instead of `x>=1`."""

    name = "nombre entier"

    def _describe_range(self) -> str:
        parts: list[str] = []
        if self.min is not None:
            parts.append(f"{'plus de' if self.min_open else 'au moins'} {self.min}")
        if self.max is not None:
            parts.append(f"{'moins de' if self.max_open else 'au plus'} {self.max}")
        return " et ".join(parts)
