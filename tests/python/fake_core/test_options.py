"""Server keyword options -> the core's option keys and values."""
import pytest

from sio._options import milliseconds, server_option_pairs


def test_names_are_mapped_and_durations_become_milliseconds() -> None:
    pairs = server_option_pairs({
        "host": "127.0.0.1", "port": 0, "path": "/io/", "ping_interval": 1.5,
        "ping_timeout": 2, "connect_timeout": 3, "upgrade_timeout": 0.25,
        "headers_timeout": 0.5, "request_timeout": 0, "max_http_buffer_size": 1000, "transports": ["websocket"],
        "allow_upgrades": False, "allow_eio3": True, "cors": {"origin": ["http://a", "http://b"],
                                          "credentials": True},
        "parser": "msgpack", "max_queued_events": 10, "serve_client": "/x",
        "static_dir": "/y",
    })
    assert dict(pairs) == {
        "host": "127.0.0.1", "port": "0", "path": "/io/", "pingInterval": "1500",
        "pingTimeout": "2000", "connectTimeout": "3000", "upgradeTimeout": "250",
        "headersTimeout": "500", "requestTimeout": "0", "maxHttpBufferSize": "1000", "transports": "websocket",
        "allowUpgrades": "false", "allowEIO3": "true", "cors.origin": "http://a,http://b",
        "cors.credentials": "true", "parser": "msgpack", "maxQueuedEvents": "10",
        "serveClient": "/x", "staticDir": "/y",
    }


def test_none_keeps_the_default_and_unknown_names_fail() -> None:
    assert server_option_pairs({"port": None}) == []
    with pytest.raises(TypeError, match="pingInterval|ping_intervall"):
        server_option_pairs({"ping_intervall": 1})
    with pytest.raises(TypeError):
        server_option_pairs({"cors": {"origins": "*"}})


def test_milliseconds_never_rounds_a_positive_duration_to_zero() -> None:
    assert milliseconds(0.0001) == 1
    assert milliseconds(0) == 0



def test_cookie_and_headers_options_become_the_engine_keys() -> None:
    assert dict(server_option_pairs({"cookie": True})) == {"cookie": "io"}
    assert server_option_pairs({"cookie": False}) == []
    assert dict(server_option_pairs({"cookie": "sticky"})) == {"cookie": "sticky"}
    assert dict(server_option_pairs({"cookie": {"name": "c", "path": False, "http_only": False,
                                                "same_site": "none"}})) == {
        "cookie": "c", "cookie.path": "", "cookie.httpOnly": "false", "cookie.sameSite": "none"}
    assert dict(server_option_pairs({"headers": {"X-A": "1"}, "initial_headers": {"X-B": "2"}})) == {
        "headers": '{"X-A": "1"}', "headers.initial": '{"X-B": "2"}'}
    with pytest.raises(TypeError):
        server_option_pairs({"cookie": {"domain": "x"}})
    with pytest.raises(TypeError):
        server_option_pairs({"cookie": 3})
