"""Browser-test constants (the fixture is in conftest.py)."""

#: Hosts a page may reach; the browser tests block and report every other request.
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
