"""The PyInstaller bundle (packaging/chainview.spec) builds and runs on its own.

Slow (1–1.5 minutes to build on a 2-core machine), so it is marked `slow` and runs only
where PyInstaller is installed (`pip install pyinstaller`); elsewhere it is skipped with the
reason. The bundle is built into a temporary folder and run from another folder, with
PYTHONPATH unset and QT_QPA_PLATFORM=offscreen, so nothing of the source tree or the venv helps it.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "chainview.spec"
EXAMPLE = ROOT / "assets" / "examples" / "default.chainview.json"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller is not installed (pip install pyinstaller): the bundle is not built"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bundle test runs on Linux"),
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """Build once for the module; the path of dist/chainview/chainview."""
    base = tmp_path_factory.mktemp("bundle")
    dist, work = base / "dist", base / "work"
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
        cwd=base, capture_output=True, text=True, timeout=1200)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    binary = dist / "chainview" / "chainview"
    assert binary.is_file() and os.access(binary, os.X_OK)
    size = sum(p.stat().st_size for p in (dist / "chainview").rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbundle built in {seconds:.0f} s, {size / 2**20:.0f} MiB")
    return binary


def run(binary: Path, *args: str, cwd: Path, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", **(extra_env or {}))
    # a PATH without the venv: nothing but the bundle can provide Python or chainview
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and not Path(p, "python").exists() and not Path(p, "chainview").exists())
    return subprocess.run([str(binary), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_bundle_traces_from_another_folder(bundle, tmp_path):
    done = run(bundle, "trace", str(EXAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "BACKWARD" in done.stdout.upper() and "loss" in done.stdout.lower()
    # the examples are found through chainview.assets inside the bundle
    done = run(bundle, "check", str(EXAMPLE), cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_bundle_finds_its_assets(bundle, tmp_path):
    internal = bundle.parent / "_internal" / "chainview" / "assets"
    for rel in ("examples/default.chainview.json", "net.schema.json", "icons/chainview.svg",
                "icons/hicolor/48x48/apps/dev.chainview.chainview.png",
                "dev.chainview.chainview.desktop", "dev.chainview.chainview.xml"):
        assert (internal / rel).is_file(), rel
    plugins = bundle.parent / "_internal" / "PySide6" / "Qt" / "plugins"
    for rel in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "imageformats/libqsvg.so",
                "iconengines/libqsvgicon.so"):
        assert (plugins / rel).is_file(), rel
    assert not (plugins / "platformthemes" / "libqgtk3.so").exists()


def test_bundle_installs_its_desktop_entry(bundle, tmp_path):
    data = tmp_path / "data"
    done = run(bundle, "install-desktop", cwd=tmp_path, extra_env={"XDG_DATA_HOME": str(data)})
    assert done.returncode == 0, done.stderr
    entry = (data / "applications" / "dev.chainview.chainview.desktop").read_text()
    assert f"Exec={bundle} %f" in entry.splitlines() or f'Exec="{bundle}" %f' in entry.splitlines()
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "dev.chainview.chainview.png").is_file()
    done = run(bundle, "uninstall-desktop", cwd=tmp_path, extra_env={"XDG_DATA_HOME": str(data)})
    assert done.returncode == 0, done.stderr
    assert not (data / "applications" / "dev.chainview.chainview.desktop").exists()


def test_bundle_renders_a_png(bundle, tmp_path):
    out = tmp_path / "out.png"
    done = run(bundle, "render", "-o", "out.png", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1600, 900)       # the default --size
    assert len(data) > 20_000                                     # a real picture, not a blank one
