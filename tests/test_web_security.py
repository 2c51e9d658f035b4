"""The web app's attack surface, probed from outside: one real server on loopback, plain HTTP and gradio_client.

Requests that must reach the server byte for byte (`../`, `%2e`, a foreign Host) go through http.client:
httpx would normalise the path or the Host before sending. Nothing here talks to anything but 127.0.0.1;
the file-route tests also fail if the server so much as resolves a foreign name.
"""

from __future__ import annotations

import contextlib
import http.client as httplib
import ipaddress
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}
EVIL = "http://evil.example"
# What must never appear in anything the server sends back to a client.
LEAKS = ("Traceback", "/work/", ".py", "site-packages", 'File "')
QUEUE_ONLY = "join the queue"


# ------------------------------------------------------------------ helpers


def raw(
    port: int, method: str, target: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], str]:
    """One request with the target and Host exactly as given (no path normalisation, no proxy)."""
    conn = httplib.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        hdrs = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        conn.request(method, target, body=body, headers=hdrs)
        r = conn.getresponse()
        try:
            raw_body = r.read()
        except httplib.IncompleteRead as exc:  # a stream the server broke off: judge what did arrive
            raw_body = exc.partial
        data = raw_body.decode("utf-8", "replace")
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_no_leak(text: str) -> None:
    for needle in LEAKS:
        assert needle not in text, f"{needle!r} leaked in {text[:300]!r}"


def sse_events(body: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a /gradio_api/call/<name>/<id> event stream."""
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines.get("data", "null"))))
    return out


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def outbound_recorder() -> Iterator[list[tuple[str, Any]]]:
    """Record (and refuse) every name lookup or connection to anything but loopback, from any thread.

    Lookups of foreign names "succeed" with a public address, so a server that would fetch goes on to
    connect, and that attempt is recorded too. Gradio's URL streamer is wrapped as a third witness.
    """
    import gradio.routes

    attempts: list[tuple[str, Any]] = []
    real_gai, real_connect = socket.getaddrinfo, socket.socket.connect
    real_stream = gradio.routes.secure_url_stream_response

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        if name.strip("[]") in LOOPBACK or _is_ip(name.strip("[]")):
            return real_gai(host, port, *args, **kwargs)  # no lookup: an address stays itself
        attempts.append(("resolve", name))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 0))]

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and str(address[0]) not in LOOPBACK:
            attempts.append(("connect", address))
            raise ConnectionRefusedError("outbound connection refused by the test")
        return real_connect(sock, address)

    async def stream(url: str, request: Any) -> Any:
        attempts.append(("gradio-url-fetch", url))
        return await real_stream(url, request)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    gradio.routes.secure_url_stream_response = stream  # type: ignore[assignment]
    try:
        yield attempts
    finally:
        socket.getaddrinfo = real_gai
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        gradio.routes.secure_url_stream_response = real_stream


# ------------------------------------------------------------------ one real server per module


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from assistant.feedback import FeedbackStore

    s = FeedbackStore(tmp_path_factory.mktemp("feedback"))
    s.add("like", "Who developed Keras?", [], "Keras was developed by François Chollet [1].", [])
    assert s.path.is_file()
    return s


@pytest.fixture(scope="module")
def server(engine: Any, store: Any) -> Iterator[Any]:
    from assistant.web import start

    srv = start(engine, "127.0.0.1", 0, store=store)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def client(server: Any) -> Iterator[Any]:
    from gradio_client import Client

    c = Client(
        server.url, verbose=False, analytics_enabled=False, download_files=False, httpx_kwargs={"trust_env": False}
    )
    yield c
    c.close()


@pytest.fixture(scope="module")
def http(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, trust_env=False, timeout=30, follow_redirects=False) as c:
        yield c


def _marker(path: Path) -> str:
    """A string from the file that a response must never contain."""
    data = path.read_bytes()
    if data.startswith(b"SQLite format 3"):
        return "SQLite format 3"
    lines = [ln.strip() for ln in data.decode("utf-8", "replace").splitlines() if len(ln.strip()) >= 8]
    return max(lines, key=len)


@pytest.fixture(scope="module")
def secrets(real_settings: Any, engine: Any, store: Any) -> dict[Path, str]:
    """Files on this machine that exist and must not be served: path -> a line of their content."""
    index_dir = real_settings.resolved_index_dir()
    candidates = [
        Path("/etc/passwd"),
        REPO / "pyproject.toml",
        REPO / "assistant" / "web.py",
        index_dir / "current" / "manifest.json",
        index_dir / ".hashes.json",
        store.path,
        REPO / "data" / "feedback.sqlite3",
        REPO / "index" / "current" / "manifest.json",
    ]
    found = {p: _marker(p) for p in candidates if p.is_file() and p.stat().st_size}
    assert Path("/etc/passwd") in found and store.path in found and REPO / "pyproject.toml" in found
    found[Path("/etc/passwd")] = "root:"
    return found


# ------------------------------------------------------------------ file routes

# Gradio 6 serves files on GET/HEAD /gradio_api/file={path_or_url} (and the deprecated /gradio_api/file/{path}),
# its own bundle on /static/{path} and /assets/{path}, component templates on
# /gradio_api/custom_component/{id}/{environment}/{type}/{file_name}, and proxies on /gradio_api/proxy={url}.
FILE_PREFIXES = ("/gradio_api/file=", "/gradio_api/file/", "/file=", "/file/")
UP = "../" * 12
TRAVERSALS = [
    "../../etc/passwd",
    UP + "etc/passwd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e/" * 12 + "etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "..%2f" * 12 + "etc%2fpasswd",
    "%2e%2e%2f" * 12 + "etc%2fpasswd",
    "%252e%252e/%252e%252e/etc/passwd",
    "%252e%252e%252f" * 12 + "etc%252fpasswd",
    "..%5c..%5cetc%5cpasswd",
    "....//....//etc/passwd",
    "/etc/passwd",
    "//etc/passwd",
    "/etc/./passwd",
    "/etc//passwd",
    "%2fetc%2fpasswd",
    "/etc/passwd%00.png",
    "file:///etc/passwd",
    "file:/etc/passwd",
]
OTHER_ROUTES = [
    "/static/" + UP + "etc/passwd",
    "/static/" + "..%2f" * 12 + "etc%2fpasswd",
    "/assets/" + "..%2f" * 12 + "etc%2fpasswd",
    "/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/gradio_api/custom_component/x/client/..%2f..%2f..%2f/passwd",
    "/gradio_api/custom_component/x/client/" + "..%2f" * 12 + "etc/passwd",
    "/favicon.ico/../../etc/passwd",
    "/gradio_api/proxy=https://example.com/x",
    "/gradio_api/proxy=http://127.0.0.1:1/x",
]


def _refused_without_contents(status: int, body: str, secrets: dict[Path, str], what: str) -> None:
    assert 400 <= status < 500, f"{what}: {status} {body[:200]}"
    for path, marker in secrets.items():
        assert marker not in body, f"{what} served {path}"


def test_traversal_and_absolute_paths_are_refused(server: Any, secrets: dict[Path, str]) -> None:
    for prefix in FILE_PREFIXES:
        for path in TRAVERSALS:
            for method in ("GET", "HEAD"):
                status, _, body = raw(server.port, method, prefix + path)
                _refused_without_contents(status, body, secrets, f"{method} {prefix}{path}")
    for target in OTHER_ROUTES:
        status, _, body = raw(server.port, "GET", target)
        _refused_without_contents(status, body, secrets, target)


def test_repository_files_are_not_served(server: Any, secrets: dict[Path, str]) -> None:
    """Files that exist and that the server process can read: the repo's config, code, index, feedback db."""
    cwd = Path.cwd()
    for path in secrets:
        forms = {str(path), str(path).replace("/", "%2f"), os.path.relpath(path, cwd)}
        if path.is_relative_to(REPO):
            forms.add(str(path.relative_to(REPO)))
        for form in forms:
            for prefix in ("/gradio_api/file=", "/gradio_api/file/"):
                status, _, body = raw(server.port, "GET", prefix + form)
                _refused_without_contents(status, body, secrets, prefix + form)
    # Sanity: the same client does get a real file from a route that should serve one.
    status, _, body = raw(server.port, "GET", "/favicon.ico")
    assert status == 200 and body


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "https://example.com/x",
        "http://example.com/x",
        "http:%2f%2fexample.com/x",
        "https://example.com/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:1/x",
        "HTTPS://example.com/x",
        "//example.com/x",
    ],
)
def test_file_route_never_fetches_a_url(server: Any, url: str) -> None:
    with outbound_recorder() as attempts:
        results = [raw(server.port, method, prefix + url) for prefix in FILE_PREFIXES for method in ("GET", "HEAD")]
        time.sleep(0.2)  # anything the server started in the background would have shown by now
    for status, _, body in results:
        assert 400 <= status < 500, (url, status, body[:200])
        assert "Example Domain" not in body and "root:" not in body
    assert attempts == [], f"the server tried to reach out for {url}: {attempts}"


# ------------------------------------------------------------------ uploads


def test_the_app_has_no_upload_component(server: Any) -> None:
    import gradio as gr

    names = ["File", "Files", "UploadButton", "DownloadButton", "Image", "ImageEditor", "ImageSlider", "Sketchpad"]
    names += ["Paint", "Audio", "Video", "Gallery", "MultimodalTextbox", "Model3D"]
    uploaders = tuple(getattr(gr, name) for name in names if hasattr(gr, name))
    found = [type(b).__name__ for b in server.blocks.blocks.values() if isinstance(b, uploaders)]
    # If this fails, the app now takes files: revisit the upload refusal in assistant/web.py (`refusal`).
    assert found == []


@pytest.mark.parametrize("origin", [EVIL, None, "same"])
def test_uploads_are_refused(server: Any, origin: str | None) -> None:
    from gradio.utils import get_upload_folder

    upload_dir = Path(get_upload_folder())
    mark = uuid.uuid4().hex
    boundary = "----" + uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="../../evil-{mark}.html"\r\n'
        f"Content-Type: text/html\r\n\r\n<script>alert('{mark}')</script>\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    if origin:
        headers["Origin"] = server.url if origin == "same" else origin
    t0 = time.time()
    for target in ("/gradio_api/upload", "/gradio_api/upload/", "/gradio_api/upload?upload_id=x", "/upload"):
        status, resp_headers, text = raw(server.port, "POST", target, headers, body)
        assert status in (403, 404, 405), (target, status, text[:200])
        if origin == EVIL:
            assert "access-control-allow-origin" not in resp_headers
        assert mark not in text and "/tmp" not in text
    written = [p for p in (upload_dir.rglob(f"*{mark}*") if upload_dir.is_dir() else []) if p.stat().st_mtime >= t0 - 1]
    assert written == [], written
    assert not list(Path("/").glob(f"evil-{mark}*")) and not list(REPO.glob(f"**/evil-{mark}*"))


# ------------------------------------------------------------------ CORS

CORS_ROUTES = [
    "/",
    "/config",
    "/gradio_api/info",
    "/gradio_api/queue/join",
    "/gradio_api/queue/data",
    "/gradio_api/call/ask",
    "/gradio_api/call/v2/ask",
    "/gradio_api/run/ask",
    "/gradio_api/upload",
    "/gradio_api/file=/etc/passwd",
]


def _foreign_origins(port: int) -> list[str]:
    return [
        EVIL,
        f"{EVIL}:{port}",
        "null",
        f"http://127.0.0.1.evil.example:{port}",
        f"http://localhost.evil.example:{port}",
        f"https://127.0.0.1:{port}",  # another scheme is another origin
        f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}",  # and so is another port
        f"http://0.0.0.0:{port}",
    ]


def test_preflight_from_a_foreign_origin_gets_no_grant(server: Any, http: httpx.Client) -> None:
    for route in CORS_ROUTES:
        for origin in _foreign_origins(server.port):
            r = http.options(
                route,
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type",
                },
            )
            assert "access-control-allow-origin" not in r.headers, (route, origin, r.headers)
            assert "access-control-allow-credentials" not in r.headers, (route, origin)
            assert r.status_code >= 400, (route, origin, r.status_code)


def test_simple_requests_from_a_foreign_origin_get_no_grant(server: Any, http: httpx.Client) -> None:
    evil = {"Origin": EVIL}
    for r in (
        http.get("/", headers=evil),
        http.get("/config", headers=evil),
        http.get("/gradio_api/info", headers=evil),
        http.post("/gradio_api/call/ask", json={"data": ["Who developed Keras?"]}, headers=evil),
        http.post("/gradio_api/run/ask", json={"data": ["Who developed Keras?"]}, headers=evil),
    ):
        assert "access-control-allow-origin" not in r.headers, (r.request.url, r.headers)


def test_same_origin_is_granted(server: Any, http: httpx.Client) -> None:
    for origin in (f"http://127.0.0.1:{server.port}", f"http://localhost:{server.port}"):
        for route in ("/", "/gradio_api/info", "/gradio_api/queue/join", "/gradio_api/call/ask"):
            r = http.options(
                route,
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type",
                },
            )
            assert r.status_code == 200, (route, origin, r.status_code, r.text)
            assert r.headers.get("access-control-allow-origin") == origin, (route, origin)
        r = http.get("/gradio_api/info", headers={"Origin": origin})
        assert r.status_code == 200 and r.headers.get("access-control-allow-origin") == origin


# ------------------------------------------------------------------ Host header (DNS rebinding)


def test_foreign_host_header_is_refused_everywhere(server: Any, secrets: dict[Path, str]) -> None:
    ask = json.dumps({"data": ["Who developed Keras?", None, None, None]}).encode()
    join = json.dumps({"data": ["Who developed Keras?", None, None, None], "fn_index": 0, "session_hash": "x"})
    requests = [
        ("GET", "/", None),
        ("HEAD", "/", None),
        ("GET", "/config", None),
        ("GET", "/gradio_api/info", None),
        ("GET", "/theme.css", None),
        ("POST", "/gradio_api/call/ask", ask),
        ("POST", "/gradio_api/queue/join", join.encode()),
        ("POST", "/gradio_api/run/ask", ask),
        ("GET", "/gradio_api/queue/data?session_hash=x", None),
        ("GET", "/gradio_api/file=/etc/passwd", None),
        ("GET", "/gradio_api/file=" + str(REPO / "pyproject.toml"), None),
        ("GET", "/gradio_api/file=https://example.com/x", None),
        ("GET", "/gradio_api/file/" + "..%2f" * 12 + "etc%2fpasswd", None),
        ("GET", "/static/img/logo.svg", None),
        ("GET", "/favicon.ico", None),
        ("POST", "/gradio_api/upload", b""),
        ("OPTIONS", "/gradio_api/call/ask", None),
    ]
    hosts = [
        "evil.example",
        "evil.example:80",
        f"evil.example:{server.port}",
        f"127.0.0.1.evil.example:{server.port}",
        f"localhost.evil.example:{server.port}",
        "10.0.0.1",
        f"0.0.0.0:{server.port}",
    ]
    with outbound_recorder() as attempts:
        for method, target, body in requests:
            for host in hosts:
                headers = {"Host": host, "Origin": EVIL, "Content-Type": "application/json"}
                if method == "OPTIONS":
                    headers["Access-Control-Request-Method"] = "POST"
                status, resp_headers, text = raw(server.port, method, target, headers, body)
                assert status == 400, (method, target, host, status, text[:200])
                assert "access-control-allow-origin" not in resp_headers
                assert "components" not in text and "named_endpoints" not in text and "Chollet" not in text
                _refused_without_contents(status, text, secrets, f"{method} {target} Host: {host}")
    assert attempts == []
    status, _, _ = raw(server.port, "GET", "/", {"Host": f"localhost:{server.port}"})
    assert status == 200


# ------------------------------------------------------------------ the queue cannot be bypassed

# Gradio 6's direct (queue-less) routes are POST /gradio_api/run/{api_name} and /gradio_api/api/{api_name}
# (with and without a trailing slash). /gradio_api/call/{api_name} and /gradio_api/queue/join go through the queue.
DIRECT_ROUTES = [
    f"{prefix}/{name}{slash}"
    for prefix in ("/gradio_api/run", "/gradio_api/api")
    for name in ("ask", "search", "chat", "predict")
    for slash in ("", "/")
] + ["/run/predict", "/api/predict", "/run/ask", "/api/ask", "/gradio_api/run/", "/gradio_api/run/0"]


@pytest.fixture
def ask_calls(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every engine.ask/search call made while the test runs."""
    calls: list[Any] = []
    ask, search = engine.ask, engine.search

    def counted_ask(*args: Any, **kwargs: Any) -> Any:
        calls.append(("ask", args))
        return ask(*args, **kwargs)

    def counted_search(*args: Any, **kwargs: Any) -> Any:
        calls.append(("search", args))
        return search(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", counted_ask)
    monkeypatch.setattr(engine, "search", counted_search)
    return calls


def test_direct_calls_cannot_bypass_the_queue(server: Any, client: Any, ask_calls: list[Any]) -> None:
    assert server.blocks.api_open is False
    payloads = [
        {"data": ["Who developed Keras?", None, None, None]},
        {"data": ["Who developed Keras?", None, None, None], "fn_index": 0, "session_hash": "x"},
        {"data": ["Keras", 3, "hybrid"], "event_id": "x"},
    ]
    for target in DIRECT_ROUTES:
        for payload in payloads:
            status, _, text = raw(
                server.port, "POST", target, {"Content-Type": "application/json"}, json.dumps(payload).encode()
            )
            assert status in (400, 403, 404, 405), (target, status, text[:200])
            assert "Chollet" not in text and "event_id" not in text
            assert_no_leak(text)
            if target.startswith("/gradio_api/") and status == 404:
                assert QUEUE_ONLY in text.lower() or "not found" in text.lower(), (target, text)
        if target.startswith(("/gradio_api/run/ask", "/gradio_api/api/ask")):
            assert QUEUE_ONLY in text.lower(), (target, text)  # a clear message, not a bare 404
    assert ask_calls == [], "a direct call reached the engine"
    # Through the queue, the same endpoint still works.
    answer = client.predict("Who developed Keras?", api_name="/ask")
    assert "Chollet" in answer["answer"]
    assert len([c for c in ask_calls if c[0] == "ask"]) == 1


# ------------------------------------------------------------------ environment cannot open the server up


def _listening(pid: int) -> set[tuple[str, int]]:
    import psutil

    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    out = set()
    for p in procs:
        for c in p.net_connections(kind="inet"):
            if c.status == psutil.CONN_LISTEN:
                out.add((c.laddr.ip, c.laddr.port))
    return out


def _remote(pid: int) -> set[tuple[str, int]]:
    import psutil

    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return {(c.raddr.ip, c.raddr.port) for p in procs for c in p.net_connections(kind="inet") if c.raddr}


def _proc_net_listeners(port: int) -> set[str]:
    """Local addresses listening on `port` according to /proc/net/tcp and tcp6 (whoever owns them)."""
    out = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            addr, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                out.add(addr)
    return out


def test_environment_cannot_share_or_bind_publicly(real_settings: Any, engine: Any, tmp_path: Path) -> None:
    import psutil

    port, other = free_port(), free_port()
    while other == port:
        other = free_port()
    env = {
        **os.environ,
        "GRADIO_SHARE": "True",
        "GRADIO_SERVER_NAME": "0.0.0.0",
        "GRADIO_SERVER_PORT": str(other),
        "GRADIO_SSR_MODE": "True",
        "GRADIO_MCP_SERVER": "True",
        "ASSISTANT_INDEX_DIR": str(real_settings.resolved_index_dir()),  # built by the `engine` fixture
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_AUTO_REBUILD": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("ASSISTANT_HOST", None)
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 120
        listening: set[tuple[str, int]] = set()
        while time.monotonic() < deadline and proc.poll() is None:
            listening = _listening(proc.pid)
            if listening:
                break
            time.sleep(0.2)
        assert proc.poll() is None, f"serve exited: {err_path.read_text()[-2000:]}"
        assert listening, "serve never listened"
        # Serving for real: the page answers, and it still listens on that one address only.
        with httpx.Client(trust_env=False, timeout=30) as h:
            deadline = time.monotonic() + 60
            while True:
                try:
                    r = h.get(f"http://127.0.0.1:{port}/config")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        assert r.status_code == 200
        config = r.json()
        assert "gradio.live" not in r.text and config.get("root", "").startswith("http://127.0.0.1")
        time.sleep(1.0)  # a share tunnel, if any, would have been opened by now
        listening = _listening(proc.pid)
        assert listening == {("127.0.0.1", port)}, listening
        assert _proc_net_listeners(port) == {"0100007F"}, _proc_net_listeners(port)  # 127.0.0.1 only
        assert _proc_net_listeners(other) == set()
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", other), timeout=2):
            pass
        remote = {addr for addr in _remote(proc.pid) if addr[0] not in ("127.0.0.1", "::1")}
        assert remote == set(), f"the server talks to {remote}"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    assert not psutil.pid_exists(proc.pid) or psutil.Process(proc.pid).status() == psutil.STATUS_ZOMBIE
    logs = out_path.read_text() + err_path.read_text()
    for needle in ("gradio.live", "public URL", "share link", "0.0.0.0", f":{other}"):
        assert needle not in logs, f"{needle!r} in the server's output:\n{logs[-2000:]}"
    assert f"web chat on http://127.0.0.1:{port}" in logs


# ------------------------------------------------------------------ errors reach the client as one clean line

BAD_INPUTS = [
    (("",), "the question is empty: type a question about the corpus"),
    (("   ",), "the question is empty: type a question about the corpus"),
    (("x" * 5000,), "the question is too long (5000 characters; at most 1000)"),
    ((5,), "the question must be text, not int"),
    (({"question": "Who developed Keras?"},), "the question must be text, not dict"),
    ((["Who developed Keras?"],), "the question must be text, not list"),
    (("Who developed Keras?", 5), "history must be a list of previous questions or chat messages"),
    (("Who developed Keras?", 5.5), "history must be a list of previous questions or chat messages"),
    (("Who developed Keras?", "not a list"), "history must be a list of previous questions or chat messages"),
    (("Who developed Keras?", [1, 2]), "history item 0 must be a string or a {'role', 'content'} message"),
    (("Who developed Keras?", None, "abc"), "k must be a whole number from 1 to 10"),
    (("Who developed Keras?", None, 0), "k must be from 1 to 10, not 0"),
    (("Who developed Keras?", None, None, "fuzzy"), "mode must be one of hybrid, dense, bm25, not 'fuzzy'"),
]
GENERIC = "Something went wrong on the server; the details are in its log."


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[m[:30] for _, m in BAD_INPUTS])
def test_bad_input_is_one_clean_line_via_the_client(client: Any, args: tuple[Any, ...], message: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict(*args, api_name="/ask")
    assert str(err.value) == message
    assert_no_leak(str(err.value))


def _call(http: httpx.Client, data: Any, name: str = "ask") -> tuple[int, str]:
    r = http.post(f"/gradio_api/call/{name}", json={"data": data})
    if r.status_code != 200:
        return r.status_code, r.text
    return 200, http.get(f"/gradio_api/call/{name}/{r.json()['event_id']}").text


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=[m[:30] for _, m in BAD_INPUTS])
def test_bad_input_is_one_clean_line_over_http(http: httpx.Client, args: tuple[Any, ...], message: str) -> None:
    data = [*args, *[None] * (4 - len(args))]
    status, body = _call(http, data)
    assert status == 200
    assert_no_leak(body)
    events = sse_events(body)
    assert events[-1][0] == "error", body[:300]
    assert events[-1][1]["error"] == message


@pytest.mark.parametrize(
    "payload",
    [
        {"data": "not a list"},
        {"data": []},
        {"data": ["Who developed Keras?"] * 9},
        {"data": None},
        {"nothing": 1},
        "not json",
    ],
)
def test_malformed_requests_leak_nothing(http: httpx.Client, payload: Any) -> None:
    if isinstance(payload, str):
        r = http.post("/gradio_api/call/ask", content=payload, headers={"Content-Type": "application/json"})
    else:
        r = http.post("/gradio_api/call/ask", json=payload)
    assert_no_leak(r.text)
    if r.status_code == 200:  # accepted by the queue; the failure comes as an event
        body = http.get(f"/gradio_api/call/ask/{r.json()['event_id']}").text
        assert_no_leak(body)
        assert sse_events(body)[-1][0] == "error"
    else:
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
    # A raw queue join naming a private function with the wrong inputs: no traceback either.
    join = http.post(
        "/gradio_api/queue/join", json={"data": ["x", 5, None, None], "fn_index": 0, "session_hash": "leakcheck"}
    )
    assert_no_leak(join.text)


def test_an_unexpected_error_is_a_generic_line(
    client: Any, http: httpx.Client, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gradio_client.exceptions import AppError

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"boom in {Path(__file__)} at /work/main/.venv/lib/site-packages/x.py line 1")

    monkeypatch.setattr(engine, "ask", broken)
    monkeypatch.setattr(engine, "search", broken)
    with pytest.raises(AppError) as err:
        client.predict("Who developed Keras?", api_name="/ask")
    assert str(err.value) == GENERIC
    with pytest.raises(AppError) as err:
        client.predict("Keras", api_name="/search")
    assert str(err.value) == GENERIC
    status, body = _call(http, ["Who developed Keras?", None, None, None])
    assert status == 200 and "boom" not in body
    assert_no_leak(body)
    assert sse_events(body)[-1] == ("error", {**sse_events(body)[-1][1], "error": GENERIC})
    # The chat tab's endpoint says the same.
    with pytest.raises(AppError) as err:
        client.predict("Who developed Keras?", "hybrid", 5, api_name="/chat")
    assert str(err.value) == GENERIC and "boom" not in str(err.value)


def _patient(port: int, method: str, target: str, body: bytes) -> tuple[int, dict[str, str], str]:
    """`raw`, tried again once when the connection drops: on a loaded machine a worker restart can break
    one off, and a dropped connection is a transport error, not what the page says."""
    try:
        return raw(port, method, target, {"Content-Type": "application/json"}, body)
    except ConnectionError:
        return raw(port, method, target, {"Content-Type": "application/json"}, body)


def _judge(target: str, status: int, text: str) -> None:
    assert status != 500 or text in ("Internal Server Error", ""), (target, status, text[:300])
    assert_no_leak(text)
    assert re.search(r"line \d+", text) is None


def test_gradio_error_pages_leak_nothing(server: Any) -> None:
    """Unknown routes and unknown API names: a short refusal, never a stack trace or a path."""
    for method, target in [
        ("GET", "/nope"),
        ("GET", "/gradio_api/nope"),
        ("POST", "/gradio_api/call/nope"),
        ("POST", "/gradio_api/call/v2/nope"),
        ("GET", "/gradio_api/call/ask/not-an-event"),
        ("POST", "/gradio_api/queue/join"),
        ("POST", "/gradio_api/component_server"),
        ("GET", "/gradio_api/custom_component/x/server/y/z"),
    ]:
        status, _, text = _patient(server.port, method, target, b"{}")
        _judge(target, status, text)
    # Gradio answers an unknown API name or function index with a bare 500 (and a traceback in the log):
    # tolerated, as long as nothing of it reaches the client.
    for target, body in [
        ("/gradio_api/call/nope", {"data": []}),
        ("/gradio_api/queue/join", {"data": [], "fn_index": 999, "session_hash": "x"}),
        ("/gradio_api/queue/join", {"data": [], "fn_index": -1, "session_hash": "x"}),
    ]:
        status, _, text = _patient(server.port, "POST", target, json.dumps(body).encode())
        _judge(target, status, text)


@pytest.mark.parametrize("name", ["nonexistent", "respond", "on_like", "search_table", "clear"])
def test_unknown_and_page_only_events_have_no_call_route(http: httpx.Client, name: str) -> None:
    """/gradio_api/call/<name> answers only the API (ask, search) and the chat: not the page's own events,
    and an unknown name is a clear 404 instead of Gradio's bare 500."""
    for path in (f"/gradio_api/call/{name}", f"/gradio_api/call/v2/{name}"):
        r = http.post(path, json={"data": ["Who developed Keras?"]})
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
        assert "No such API endpoint" in r.json()["detail"]
        assert_no_leak(r.text)
    assert _call(http, ["Who developed Keras?", None, None, None])[0] == 200  # the API itself still answers
