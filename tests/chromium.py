"""How the tests start Debian's Chromium: headless, as root, and with no background traffic."""

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches Chromium tries to reach Google's services,
# which this machine's closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UNLOCKED = (
    "document.getElementById('mkdocs-decrypt-form') === null"
    " && document.querySelector('#mkdocs-decrypted-content h1') !== null"
)
