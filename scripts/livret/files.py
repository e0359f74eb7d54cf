"""Small file helpers shared by the stages: private atomic writes, inlined data."""

from __future__ import annotations

import base64
import mimetypes
import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` readable by its owner only, all at once: a crash leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if os.name == "posix":  # Windows has no owner/group/other bits: the folder's ACL rules
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def data_uri(path: Path) -> str:
    """The file as a `data:` URI, so that it travels inside an encrypted page or the PDF."""
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
