"""`analyzer serve`: the fleet dashboard served from a store (Dash, AG Grid), read-only and safe to leave running."""

from __future__ import annotations

import sys
from pathlib import Path

from analyzer.detect.rules import Rule
from analyzer.errors import InputError


def serve(db: Path, host: str = "127.0.0.1", port: int = 8050, rules: list[Rule] | None = None) -> None:
    """Serve the dashboard of the store `db` at http://host:port/ until interrupted (`rules`: the pack whose titles
    and fixes the tickets show; default the bundled one). A host other than a loopback address needs
    ANALYZER_DASHBOARD_PASSWORD (HTTP basic auth); without it this refuses to start (InputError)."""
    from werkzeug.serving import make_server

    from analyzer.serve.app import build_app
    from analyzer.serve.auth import PASSWORD_VARIABLE, is_loopback, password_for, require_password
    from analyzer.serve.data import Fleet

    password = password_for(host)
    app = build_app(Path(db), Fleet(Path(db), rules))
    if password is not None:
        require_password(app.server, password)
    try:
        server = make_server(host, port, app.server, threaded=True)
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot listen there: {exc.strerror or exc}") from None
    reach = "this machine only" if is_loopback(host) else "reachable from other machines"
    guard = f"password from {PASSWORD_VARIABLE} (HTTP basic auth)" if password else "no password"
    print(f"serving {db} read-only at http://{host}:{port}/ ({reach}; {guard}); Ctrl-C stops", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
