"""Who may use the served dashboard: anyone on this machine when it listens on a loopback address; beyond it, only
with the password in ANALYZER_DASHBOARD_PASSWORD (HTTP basic auth, any user name)."""

from __future__ import annotations

import hmac
import ipaddress
import os

from flask import Flask, Response, request

from analyzer.errors import InputError

PASSWORD_VARIABLE = "ANALYZER_DASHBOARD_PASSWORD"


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def password_for(host: str) -> str | None:
    """The password the server will ask for (None: none asked); refuses a non-loopback host without one."""
    password = os.environ.get(PASSWORD_VARIABLE) or None
    if password is None and not is_loopback(host):
        raise InputError(
            f"--host {host}: serving beyond this machine needs a password: set {PASSWORD_VARIABLE} "
            "(HTTP basic auth), or serve on 127.0.0.1"
        )
    return password


def require_password(server: Flask, password: str) -> None:
    """Ask every request for the password (HTTP basic auth; the user name is not checked)."""

    @server.before_request
    def _check() -> Response | None:
        given = request.authorization.password if request.authorization else None
        if given is not None and hmac.compare_digest(given.encode(), password.encode()):
            return None
        return Response(
            "the analyzer dashboard needs its password\n",
            401,
            {"WWW-Authenticate": 'Basic realm="analyzer dashboard", charset="UTF-8"'},
        )
