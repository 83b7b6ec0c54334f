"""Server(...) and Client(...) keyword options in snake_case -> the core's
option keys.

Durations are given in seconds, the Python habit, and handed to the core in
milliseconds, the unit of its (and socket.io's) keys.
"""
from __future__ import annotations

import json
from typing import Any, Iterable, Union
from urllib.parse import urlencode

# snake_case name -> core key, by how the value is written.
PLAIN = {
    "host": "host",
    "port": "port",
    "tls_cert": "tls.cert",
    "tls_key": "tls.key",
    "path": "path",
    "max_http_buffer_size": "maxHttpBufferSize",
    "serve_client": "serveClient",
    "static_dir": "staticDir",
    "parser": "parser",
    "max_queued_events": "maxQueuedEvents",
    "adapter": "adapter",
    "adapter_key": "adapter.key",
    "adapter_subscription_mode": "adapter.subscriptionMode",
}
SECONDS = {
    "ping_interval": "pingInterval",
    "ping_timeout": "pingTimeout",
    "connect_timeout": "connectTimeout",
    "upgrade_timeout": "upgradeTimeout",
    "headers_timeout": "headersTimeout",
    "request_timeout": "requestTimeout",
    "adapter_requests_timeout": "adapter.requestsTimeout",
}
BOOLEANS = {"allow_upgrades": "allowUpgrades", "reuse_port": "reusePort", "allow_eio3": "allowEIO3",
            "adapter_sharded": "adapter.sharded"}
LISTS = {"transports": "transports"}
CORS = {"origin": "cors.origin", "credentials": "cors.credentials"}
RECOVERY = {"max_disconnection_duration": "connectionStateRecovery.maxDisconnectionDuration",
            "skip_middlewares": "connectionStateRecovery.skipMiddlewares"}

HEADERS = {"headers": "headers", "initial_headers": "headers.initial"}
COOKIE = {"name": "cookie", "path": "cookie.path", "http_only": "cookie.httpOnly",
          "same_site": "cookie.sameSite"}

# Each: False, True or {"threshold": bytes}, as engine.io's perMessageDeflate
# and httpCompression.
COMPRESSION = {"per_message_deflate": "perMessageDeflate",
               "http_compression": "httpCompression"}

SERVER_OPTIONS = frozenset(PLAIN) | frozenset(SECONDS) | frozenset(BOOLEANS) \
    | frozenset(LISTS) | frozenset(HEADERS) | frozenset(COMPRESSION) \
    | {"cors", "cookie", "connection_state_recovery"}


def _boolean(value: Any) -> str:
    return "true" if value else "false"


def _listing(value: Union[str, Iterable[str]]) -> str:
    return value if isinstance(value, str) else ",".join(value)


def milliseconds(seconds: float) -> int:
    """Whole milliseconds, at least 1 for any positive duration."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"a duration is a number of seconds, not {type(seconds).__name__}")
    ms = int(round(seconds * 1000))
    return max(ms, 1) if seconds > 0 else ms


def _cors(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        raise TypeError("cors must be a dict such as {'origin': '*', 'credentials': True}")
    pairs = []
    for name, item in value.items():
        if name not in CORS:
            raise TypeError(f"unknown cors option {name!r}; known: {sorted(CORS)}")
        if name == "origin":
            text = "*" if item is True else _listing(item)
        else:
            text = _boolean(item)
        pairs.append((CORS[name], text))
    return pairs


def _cookie(value: Any) -> list[tuple[str, str]]:
    """engine.io's cookie option: True (its defaults), a name, or a dict of
    name, path, http_only, same_site (a string, or a bool as the cookie
    package takes it)."""
    if value is False:
        return []
    if value is True:
        value = {}
    elif isinstance(value, str):
        value = {"name": value}
    elif not isinstance(value, dict):
        raise TypeError("cookie must be True, a name, or a dict such as {'name': 'io'}")
    pairs = [("cookie", "io")]
    for name, item in value.items():
        if name not in COOKIE:
            raise TypeError(f"unknown cookie option {name!r}; known: {sorted(COOKIE)}")
        if name == "path" and item is False:
            item = ""
        text = _boolean(item) if isinstance(item, bool) else str(item)
        pairs.append((COOKIE[name], text))
    return pairs


def _recovery(value: Any) -> list[tuple[str, str]]:
    """connection_state_recovery: a dict (even empty) turns recovery on, with
    socket.io's defaults (2 minutes, middlewares skipped); True is {}."""
    if value is True:
        value = {}
    if not isinstance(value, dict):
        raise TypeError("connection_state_recovery must be a dict such as "
                        "{'max_disconnection_duration': 120, 'skip_middlewares': True}")
    pairs = [(RECOVERY["max_disconnection_duration"], "120000")]
    for name, item in value.items():
        if name not in RECOVERY:
            raise TypeError(f"unknown connection_state_recovery option {name!r}; "
                            f"known: {sorted(RECOVERY)}")
        if name == "max_disconnection_duration":
            pairs[0] = (RECOVERY[name], str(milliseconds(item)))
        else:
            pairs.append((RECOVERY[name], _boolean(item)))
    return pairs


def _compression(name: str, value: Any) -> list[tuple[str, str]]:
    key = COMPRESSION[name]
    if isinstance(value, dict):
        unknown = set(value) - {"threshold"}
        if unknown:
            raise TypeError(f"unknown {name} option {sorted(unknown)[0]!r}; known: ['threshold']")
        pairs = [(key, "true")]
        if value.get("threshold") is not None:
            pairs.append((key + ".threshold", str(value["threshold"])))
        return pairs
    return [(key, _boolean(value))]


def server_option_pairs(options: dict[str, Any]) -> list[tuple[str, str]]:
    """The (key, value) strings for sio_options_set(); TypeError for a name
    that is not a server option. None values are left at the core's default."""
    pairs: list[tuple[str, str]] = []
    for name, value in options.items():
        if value is None:
            continue
        if name in PLAIN:
            pairs.append((PLAIN[name], str(value)))
        elif name in SECONDS:
            pairs.append((SECONDS[name], str(milliseconds(value))))
        elif name in BOOLEANS:
            pairs.append((BOOLEANS[name], _boolean(value)))
        elif name in LISTS:
            pairs.append((LISTS[name], _listing(value)))
        elif name == "cors":
            pairs.extend(_cors(value))
        elif name in HEADERS:
            pairs.append((HEADERS[name], json.dumps(dict(value))))
        elif name == "cookie":
            pairs.extend(_cookie(value))
        elif name == "connection_state_recovery":
            if value is not False:
                pairs.extend(_recovery(value))
        elif name in COMPRESSION:
            pairs.extend(_compression(name, value))
        else:
            raise TypeError(f"unknown server option {name!r}; known: {sorted(SERVER_OPTIONS)}")
    return pairs


CLIENT_PLAIN = {
    "path": "path",
    "reconnection_attempts": "reconnectionAttempts",
    "randomization_factor": "randomizationFactor",
    "retries": "retries",
    "parser": "parser",
    "tls_ca": "tls.ca",
    "max_queued_events": "maxQueuedEvents",
}
CLIENT_SECONDS = {
    "timeout": "timeout",
    "reconnection_delay": "reconnectionDelay",
    "reconnection_delay_max": "reconnectionDelayMax",
    "ack_timeout": "ackTimeout",
}
CLIENT_BOOLEANS = {"upgrade": "upgrade", "reconnection": "reconnection",
                   "tls_verify": "tls.verify"}

CLIENT_OPTIONS = frozenset(CLIENT_PLAIN) | frozenset(CLIENT_SECONDS) \
    | frozenset(CLIENT_BOOLEANS) | {"transports", "query", "extra_headers",
                                     "per_message_deflate"}


def client_option_pairs(options: dict[str, Any]) -> list[tuple[str, str]]:
    """The (key, value) strings for a client's sio_options_set(); TypeError
    for a name that is not a client option."""
    pairs: list[tuple[str, str]] = []
    for name, value in options.items():
        if value is None:
            continue
        if name in CLIENT_PLAIN:
            pairs.append((CLIENT_PLAIN[name], str(value)))
        elif name in CLIENT_SECONDS:
            pairs.append((CLIENT_SECONDS[name], str(milliseconds(value))))
        elif name in CLIENT_BOOLEANS:
            pairs.append((CLIENT_BOOLEANS[name], _boolean(value)))
        elif name == "transports":
            pairs.append(("transports", _listing(value)))
        elif name == "per_message_deflate":
            pairs.extend(_compression(name, value))
        elif name == "query":
            pairs.append(("query", value if isinstance(value, str) else urlencode(value)))
        elif name == "extra_headers":
            pairs.append(("extraHeaders", json.dumps(dict(value))))
        else:
            raise TypeError(f"unknown client option {name!r}; known: {sorted(CLIENT_OPTIONS)}")
    return pairs
