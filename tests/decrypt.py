"""Offline decryption of booklet pages, as the browser does it, to prove content is there.

Format written by mkdocs-encryptcontent-plugin 3.1:
  <div id="mkdocs-encrypted-content">IV;CT</div>   AES-256-CBC, PKCS7, one random content key
  var encryptcontent_id = "<prefix><n>";
  var encryptcontent_keystore = ["IV;CT;SALT", ...]  the JSON {id: key hex}, AES-256-CBC with
                                                     PBKDF2-SHA256(encodeURIComponent(passphrase))
  elements of `encrypted_something`: <tag style="display:none !important">IV;CT</tag>
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from urllib.parse import quote

from Crypto.Cipher import AES
from Crypto.Util.Padding import unpad

ITERATIONS = 10**6
_B64 = r"[A-Za-z0-9+/]+={0,2}"
_CONTENT = re.compile(
    r'<div id="mkdocs-encrypted-content"[^>]*>\s*(' + _B64 + ";" + _B64 + r")\s*</div>"
)
_ID = re.compile(r'var encryptcontent_id = "([^"]*)";')
_KEYSTORE = re.compile(r"var encryptcontent_keystore = (\[.*?\]);", re.S)
_SOMETHING = re.compile(
    r"<([a-zA-Z][\w-]*)\b[^<>]*?display:none !important[^<>]*>\s*("
    + _B64
    + ";"
    + _B64
    + r")\s*</\1>"
)


def _aes(key: bytes, iv_b64: str, ct_b64: str) -> bytes:
    cipher = AES.new(key, AES.MODE_CBC, base64.b64decode(iv_b64))
    return unpad(cipher.decrypt(base64.b64decode(ct_b64)), 16)


@functools.cache
def _kdf(passphrase: str, salt: bytes) -> bytes:
    secret = quote(passphrase, safe="~()*!'").encode()
    return hashlib.pbkdf2_hmac("sha256", secret, salt, ITERATIONS, 32)


def content_key(html: str, passphrase: str) -> bytes:
    """The page's content key, or ValueError when the passphrase opens no keystore entry."""
    page_id = _ID.search(html)
    keystore = _KEYSTORE.search(html)
    if page_id is None or keystore is None:
        raise ValueError("no keystore in page")
    for entry in json.loads(keystore.group(1)):
        iv, ct, salt = entry.split(";")[:3]
        try:
            keys = json.loads(_aes(_kdf(passphrase, base64.b64decode(salt)), iv, ct))
        except (ValueError, KeyError):
            continue
        if page_id.group(1) in keys:
            return bytes.fromhex(keys[page_id.group(1)])
    raise ValueError("wrong passphrase")


def decrypt_all(html: str, passphrase: str) -> list[str]:
    """The page content and every encrypted element (navigation, header, footer), in clear."""
    key = content_key(html, passphrase)
    content = _CONTENT.search(html)
    if content is None:
        raise ValueError("no encrypted content")
    bundles = [content.group(1)] + [m.group(2) for m in _SOMETHING.finditer(html)]
    return [_aes(key, *bundle.split(";")).decode("utf-8") for bundle in bundles]
