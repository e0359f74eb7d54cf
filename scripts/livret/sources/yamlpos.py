"""Read YAML while keeping the position of every key and value.

ruamel.yaml composes the node tree (YAML 1.2, so `non` stays a string and `10:30`
is not a number); we construct plain Python values ourselves so that duplicate
keys become errors (YAML silently keeps the last one) and so that every value can
be traced back to `line:col` for error messages.
"""

from __future__ import annotations

import datetime as dt
import re
from codecs import BOM_UTF8
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from livret.errors import DossierError, Problem
from livret.sources.codes import ProblemCode

Loc = tuple[str | int, ...]


class _Written:
    """A number that remembers how it was written, shown as such when used as text."""

    source: str

    def __new__(cls, value: Any, source: str) -> Any:
        number = super().__new__(cls, value)  # type: ignore[call-arg]
        number.source = source
        return number

    def __str__(self) -> str:
        return self.source


class SourceInt(_Written, int):
    """`convention: 00123` stays "00123" in a text field, and is 123 in a number field."""


class SourceFloat(_Written, float):
    """`objet: 1.10` stays "1.10" in a text field, and is 1.1 in a number field."""


@dataclass(frozen=True)
class Pos:
    """1-based line and column."""

    line: int
    column: int


@dataclass
class YamlDoc:
    """A YAML file as plain data plus where each key and value sits in the file."""

    path: str
    data: Any
    keys: dict[Loc, Pos] = field(default_factory=dict)
    values: dict[Loc, Pos] = field(default_factory=dict)
    # Where the text of a block scalar (`|`) really starts, for errors inside Markdown.
    text_starts: dict[Loc, Pos] = field(default_factory=dict)
    # A plain (unquoted) value followed by ` #` on its line: where that `#` is. YAML reads
    # the rest of the line as a comment, so `objet: Séance #4` is just "Séance".
    comments_after: dict[Loc, Pos] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def value_pos(self, loc: Loc) -> Pos:
        """Position of the value at `loc`, or of its closest known ancestor."""
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return Pos(1, 1)

    def key_pos(self, loc: Loc) -> Pos:
        """Position of the key at `loc` (the item start for list items)."""
        while loc:
            if loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return Pos(1, 1)


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


_INDENTATION = (
    "indentation incohérente : alignez cette ligne sur les clés de même niveau, "
    "ou mettez le texte entre guillemets"
)

_YAML_MESSAGES = (
    ("found character '\\t'", "tabulation interdite : remplacez-la par des espaces"),
    (
        "mapping values are not allowed",
        "« : » inattendu : si le texte contient « : », mettez-le entre guillemets "
        '(objet: "Bilan : étape 1") ; sinon vérifiez l\'indentation',
    ),
    ("could not find expected ':'", "il manque « : » après la clé : écrivez clé: valeur"),
    ("expected ',' or ']'", "crochet « [ » non refermé : ajoutez « ] » à la fin de la liste"),
    ("expected ',' or '}'", "accolade « { » non refermée : ajoutez « } »"),
    (
        "found unexpected end of stream",
        "guillemet non refermé : ajoutez le guillemet fermant à la fin du texte",
    ),
    ("found undefined alias", "alias YAML inconnu (*…) : supprimez-le ou écrivez la valeur"),
    (
        "but found another document",
        "un seul document par fichier : supprimez la ligne « --- »",
    ),
    ("expected <block end>", _INDENTATION),
)

# For these, the opening mark (context) is where the consultant must look.
_AT_CONTEXT = (
    "expected ',' or ']'",
    "expected ',' or '}'",
    "found unexpected end of stream",
    "could not find expected ':'",
)

_KEY_VALUE = re.compile(r":(\s|$)")


def _word_at(text: str, line: int, column: int) -> str:
    """The word starting at 0-based `line` and `column`, or an empty string."""
    lines = text.splitlines()
    words = lines[line][column:].split() if line < len(lines) else []
    return words[0] if words else ""


def _missing_colon(text: str, line: int) -> tuple[int, int] | None:
    """The line just before 0-based `line` if it lacks its `:`, as 0-based (line, column).

    `prenom Lucie` followed by `nom: Martin` at the same indentation reads as one text,
    `prenom Lucie nom`, so YAML complains about the second line while the first lacks `:`.
    """
    lines = text.splitlines()
    if line >= len(lines):
        return None
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    for index in range(line - 1, -1, -1):
        body = lines[index].lstrip(" ")
        if not body or body.startswith("#"):
            continue
        while body.startswith("- "):
            body = body[2:].lstrip(" ")
        column = len(lines[index]) - len(body)
        if not body or column != indent or _KEY_VALUE.search(body) or body[0] in "\"'[{|>&*!":
            return None
        return index, column
    return None


def _yaml_problem(path: str, error: MarkedYAMLError, text: str) -> Problem:
    problem = error.problem or ""
    mark = error.problem_mark or error.context_mark
    message = f"syntaxe YAML invalide ({problem})"
    for needle, french in _YAML_MESSAGES:
        if needle in problem:
            message = french
            if needle in _AT_CONTEXT and error.context_mark is not None:
                mark = error.context_mark
            break
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    if "mapping values are not allowed" in problem:
        found = _missing_colon(text, line)
        lines = text.splitlines()
        current = lines[line] if line < len(lines) else ""
        indent = len(current) - len(current.lstrip(" "))
        if found:
            line, column = found
            problem = "could not find expected ':'"
        elif indent < column and not re.search(r"[\s:]", current[indent:column]):
            # `key: value` whose key is not aligned: the line above swallowed it as text.
            column = indent
            message = _INDENTATION
    if "could not find expected ':'" in problem:
        word = _word_at(text, line, column)
        if word:
            message = f"il manque « : » après « {word} » : écrivez « {word}: valeur »"
    return Problem(path, line + 1, column + 1, message)


# Invisible characters that text files written by a person never need: C0 controls but
# tab and line breaks, DEL, C1 controls (U+0085 is a line break to YAML) and the Unicode
# line and paragraph separators. Word pastes some of them (U+000B is its soft line break).
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE_NAMES = {
    "\x0b": "saut de ligne manuel de Word",
    "\x0c": "saut de page",
    "\x00": "caractère nul",
    "\x85": "retour à la ligne Unicode",
    "\u2028": "séparateur de ligne Unicode",
    "\u2029": "séparateur de paragraphe Unicode",
}
# Deeper than this, a dossier is not written by hand, and the YAML parser would overflow.
MAX_NESTING = 64


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`."""
    start_of_line = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - start_of_line + 1


def _invisible(path: str, text: str) -> list[Problem]:
    found = _INVISIBLE.search(text)
    if found is None:
        return []
    line, column = line_column(text, found.start())
    char = found.group()
    name = _INVISIBLE_NAMES.get(char, "caractère de contrôle")
    return [
        Problem(
            path,
            line,
            column,
            f"caractère invisible U+{ord(char):04X} ({name}) : supprimez-le, ou remplacez-le "
            "par une espace ou un vrai retour à la ligne",
        )
    ]


def _too_nested(path: str, text: str, line_offset: int) -> Problem | None:
    """The first `[` or `{` past MAX_NESTING levels (quotes are not tracked: a real
    dossier never comes near the limit, so an approximation is enough)."""
    depth = 0
    line, column = 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return Problem(
                    path,
                    line + line_offset,
                    column,
                    f"plus de {MAX_NESTING} crochets ou accolades imbriqués : simplifiez, "
                    "ou mettez le texte entre guillemets",
                )
        elif char in "]}":
            depth = max(depth - 1, 0)
    return None


def decode_text(path: str, raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of a file without invisible control characters, or where it is not.

    A byte order mark (Windows Notepad writes one) is dropped; line endings become "\n".
    """
    raw = raw.removeprefix(BOM_UTF8)  # before positions are counted: it is no column
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        # In characters, as an editor counts them (the bytes before are valid UTF-8).
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        byte = raw[error.start]
        return None, [
            Problem(
                path,
                line,
                column,
                f"le fichier n'est pas en UTF-8 (octet 0x{byte:02X} illisible) : "
                "enregistrez-le en UTF-8 depuis votre éditeur",
            )
        ]
    # Windows editors save CRLF (and old Mac ones a lone CR, a line break to YAML too): one
    # "\n" per line keeps every line number and column the same, and the text the same.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problems = _invisible(path, text)
    return (None, problems) if problems else (text, [])


def read_yaml(path: str, raw: bytes) -> YamlDoc:
    """A whole YAML file decoded and parsed; DossierError with its problems otherwise."""
    text, problems = decode_text(path, raw)
    if text is None:
        raise DossierError(problems)
    doc, problems = parse_yaml(path, text)
    if doc is None or problems:
        raise DossierError(problems)
    return doc


def parse_yaml(path: str, text: str, line_offset: int = 0) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse one YAML document; `line_offset` shifts positions (front matter in notes)."""
    nested = _too_nested(path, text, line_offset)
    if nested is not None:
        return None, [nested]
    try:
        node = YAML(typ="rt").compose(text)
    except MarkedYAMLError as error:
        problem = _yaml_problem(path, error, text)
        return None, [Problem(path, problem.line + line_offset, problem.column, problem.message)]
    except RecursionError:
        # Deep block nesting (`- - - - …`): the parser recurses once per level.
        message = "structure trop imbriquée : simplifiez les listes et les clés emboîtées"
        return None, [Problem(path, 1 + line_offset, 1, message)]
    except YAMLError as error:  # the reader's own errors carry no position
        message = f"fichier YAML illisible ({error}) : vérifiez-le dans votre éditeur"
        return None, [Problem(path, 1 + line_offset, 1, message)]
    if node is None:
        message = "fichier vide : écrivez les champs attendus"
        return None, [Problem(path, 1 + line_offset, 1, message, code=ProblemCode.FICHIER_VIDE)]
    doc = YamlDoc(path, None, lines=text.splitlines())
    problems: list[Problem] = []
    try:
        doc.data = _construct(node, (), doc, problems, line_offset)
    except _TooDeep as error:
        pos = error.args[0]
        message = "structure trop profonde ou trop grande (alias * qui se répètent ?) : simplifiez"
        return None, [Problem(path, pos.line, pos.column, message)]
    _locate_block_text(doc, text.splitlines(), line_offset)
    return doc, problems


def _locate_block_text(doc: YamlDoc, lines: list[str], offset: int) -> None:
    """Block scalars (`|`, `>`): their text starts at the indentation of the next line."""
    for loc, pos in doc.text_starts.items():
        if pos.line - offset - 2 >= 0 and doc.values[loc].line != pos.line:
            # Leading blank lines belong to the text: only the indentation is looked up.
            index = pos.line - offset - 1
            while index < len(lines) and not lines[index].strip():
                index += 1
            if index < len(lines):
                indent = len(lines[index]) - len(lines[index].lstrip(" "))
                doc.text_starts[loc] = Pos(pos.line, indent + 1)


# Aliases can make a short file expand without end (`a: &x [*x]`) or enormously.
MAX_NODES = 50_000
MAX_DEPTH = 40


class _TooDeep(Exception):
    pass


def _empty(node: Node) -> bool:
    """`key:` with nothing after it (not `key: ""`, which is written on its line)."""
    return isinstance(node, ScalarNode) and node.value == "" and not node.style


def _construct(node: Node, loc: Loc, doc: YamlDoc, problems: list[Problem], offset: int) -> Any:
    here = _pos(node)
    here = Pos(here.line + offset, here.column)
    if len(loc) > MAX_DEPTH or len(doc.values) > MAX_NODES:
        raise _TooDeep(here)
    doc.values[loc] = here
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, Pos] = {}
        for key_node, value_node in node.value:
            key_pos = _pos(key_node)
            key_pos = Pos(key_pos.line + offset, key_pos.column)
            if not isinstance(key_node, ScalarNode):
                problems.append(
                    Problem(doc.path, key_pos.line, key_pos.column, "clé invalide : écrivez un mot")
                )
                continue
            key = str(key_node.value)
            if key in first_seen:
                problems.append(
                    Problem(
                        doc.path,
                        key_pos.line,
                        key_pos.column,
                        f"clé « {key} » en double : elle est déjà définie ligne "
                        f"{first_seen[key].line} ; gardez une seule des deux",
                    )
                )
                continue
            first_seen[key] = key_pos
            doc.keys[(*loc, key)] = key_pos
            result[key] = _construct(value_node, (*loc, key), doc, problems, offset)
            if _empty(value_node):
                # YAML places an empty value at the next token, often the next line's key:
                # the consultant must be sent to the key left empty.
                doc.values[(*loc, key)] = key_pos
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(item, (*loc, index), doc, problems, offset)
            for index, item in enumerate(node.value)
        ]
    assert isinstance(node, ScalarNode)
    if node.style in ("|", ">"):
        # The text of a block scalar starts on the line after its indicator.
        doc.text_starts[loc] = Pos(here.line + 1, here.column)
    elif node.style in ("'", '"'):
        doc.text_starts[loc] = Pos(here.line, here.column + 1)  # after the opening quote
    else:
        doc.text_starts[loc] = here
        _comment_after(node, loc, doc, offset)
    return _scalar(node, doc, here, problems)


def _comment_after(node: ScalarNode, loc: Loc, doc: YamlDoc, offset: int) -> None:
    end = node.end_mark
    if end.line != node.start_mark.line or end.line >= len(doc.lines):
        return  # multi-line plain text: a `#` there starts no comment on the value's line
    rest = doc.lines[end.line][end.column :]
    found = re.match(r"\s+#", rest)
    if found:
        doc.comments_after[loc] = Pos(end.line + 1 + offset, end.column + found.end())


def _scalar(node: ScalarNode, doc: YamlDoc, here: Pos, problems: list[Problem]) -> Any:
    tag = str(node.tag)
    value = str(node.value)
    if node.style:
        # Quoted and block scalars are always text, whatever they look like.
        return value
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":int"):
        digits = value.replace("_", "")
        try:
            return SourceInt(int(digits, 0), value)
        except ValueError:
            try:
                return SourceInt(int(digits), value)  # leading zeros, which base 0 refuses
            except ValueError:
                return value  # not a number Python accepts (4,300+ digits): the model says so
    if tag.endswith(":float"):
        try:
            return SourceFloat(float(value.replace("_", "")), value)
        except ValueError:
            return value
    if tag.endswith(":timestamp"):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                # Keep the text: the model then says which date is invalid and why.
                return value
    if tag.endswith(":str"):
        return value
    problems.append(
        Problem(
            doc.path,
            here.line,
            here.column,
            f"étiquette YAML « {tag} » non prise en charge : supprimez-la",
        )
    )
    return value
