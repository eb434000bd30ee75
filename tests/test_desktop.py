"""The desktop entry, icons and MIME type, and `chainview install-desktop` / `uninstall-desktop`.

Everything is installed into a temporary XDG_DATA_HOME. No Qt: the PNGs are checked by reading
their bytes. desktop-file-validate (package desktop-file-utils) and the cache tools are used when
they exist and the checks that need them are skipped otherwise.
"""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest

from chainview.cli import desktop
from chainview.cli.desktop import APP_ID, ICON_SIZES, MIME_ICON, MIME_TYPE

ASSETS = desktop.assets_dir()
ENTRY = ASSETS / f"{APP_ID}.desktop"
MIME_XML = ASSETS / f"{APP_ID}.xml"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"

needs_validator = pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                                     reason="desktop-file-validate not installed (apt-get install desktop-file-utils)")


def validate(path: Path) -> str:
    """desktop-file-validate's output: empty means no error, warning or hint."""
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    out = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, out
    return out


def read_entry(path: Path) -> dict[str, str]:
    parser = configparser.RawConfigParser(interpolation=None, strict=True)
    parser.optionxform = str                                   # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def exec_argv(value: str) -> list[str]:
    """Undo the desktop-entry escaping of an Exec value, as the spec says: first the string
    escapes (\\s \\n \\t \\r \\\\), then the quoting rule (inside "...", a backslash makes the next
    " ` $ or \\ literal), then the field codes (%f is the file, %% a literal %)."""
    string_escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    text, i = "", 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in string_escapes:
            text += string_escapes[value[i + 1]]
            i += 2
        else:
            text += value[i]
            i += 1
    args, arg, quoted, i = [], None, False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text) and text[i + 1] in '"`$\\':
                arg += text[i + 1]
                i += 1
            elif c == '"':
                quoted = False
            else:
                arg += c
        elif c == " ":
            if arg is not None:
                args.append(arg)
            arg = None
        elif c == '"':
            arg, quoted = (arg or ""), True
        else:
            assert c not in '\t\n\'\\><~|&;$*?#()`', f"unquoted reserved character {c!r} in {value!r}"
            arg = (arg or "") + c
        i += 1
    assert not quoted, value
    if arg is not None:
        args.append(arg)
    assert args[-1] == "%f", value
    return [a.replace("%%", "%") for a in args[:-1]]


def png_info(path: Path) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type), after checking every chunk's CRC and that the
    image data inflates to exactly height rows: a full decode of the container, without Qt."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])          # IHDR: width and height at offset 16
    depth, colour = data[24], data[25]
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}"
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
        if kind == b"IEND":
            break
    channels = {6: 4, 2: 3, 4: 2, 0: 1}[colour]
    assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8)
    return width, height, depth, colour


def expected_files(base: Path) -> list[Path]:
    hicolor = base / "icons" / "hicolor"
    files = [base / "applications" / f"{APP_ID}.desktop", base / "mime" / "packages" / f"{APP_ID}.xml"]
    for context, name in (("apps", APP_ID), ("mimetypes", MIME_ICON)):
        files += [hicolor / f"{n}x{n}" / context / f"{name}.png" for n in ICON_SIZES]
        files.append(hicolor / "scalable" / context / f"{name}.svg")
    return files


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    base = tmp_path / "xdg data"                               # a space, to exercise the quoting
    monkeypatch.setenv("XDG_DATA_HOME", str(base))
    return base


# ----------------------------------------------------------------------------- the shipped files

@needs_validator
def test_shipped_desktop_entry_validates_cleanly():
    assert validate(ENTRY) == ""


def test_shipped_desktop_entry_keys():
    e = read_entry(ENTRY)
    assert e["Type"] == "Application"
    assert e["Name"] == "chainview"
    assert e["GenericName"] == "Backpropagation Stepper"
    assert e["Exec"] == "chainview %f"
    assert e["Icon"] == APP_ID
    assert e["Terminal"] == "false"
    assert e["StartupWMClass"] == "chainview"
    assert e["MimeType"].split(";") == [MIME_TYPE, ""]
    categories = e["Categories"].split(";")
    assert categories[-1] == "" and "ArtificialIntelligence" in categories
    # the menu spec: ArtificialIntelligence is an additional category that needs Education or Science
    assert {"Education", "Science"} & set(categories)
    assert "backpropagation" in e["Keywords"].split(";")
    assert ENTRY.name == f"{APP_ID}.desktop"                  # the file name is the app id (Wayland)


def test_mime_definition():
    root = ET.parse(MIME_XML).getroot()
    assert root.tag == f"{MIME_NS}mime-info"
    (mt,) = root.findall(f"{MIME_NS}mime-type")
    assert mt.get("type") == MIME_TYPE
    assert mt.find(f"{MIME_NS}comment").text
    assert mt.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    (glob,) = mt.findall(f"{MIME_NS}glob")
    assert glob.get("pattern") == "*.chainview.json"
    assert int(glob.get("weight", 50)) > 50                    # application/json's *.json has the default, 50
    # the magic recognises every shipped example, as saved by chainview
    matches = mt.findall(f"{MIME_NS}magic/{MIME_NS}match")
    assert matches
    for example in (ASSETS / "examples").glob("*.json"):
        head = example.read_bytes()
        assert any(m.get("value").encode() in head[:int(m.get("offset").split(":")[-1]) + len(m.get("value"))]
                   for m in matches), example.name


def test_appstream_metainfo():
    path = ASSETS / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == ENTRY.name
    assert root.findtext("provides/mediatype") == MIME_TYPE
    assert root.findtext("project_license") == "MIT"
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("context,name", [("apps", APP_ID), ("mimetypes", MIME_ICON)])
@pytest.mark.parametrize("size", ICON_SIZES)
def test_hicolor_png(size, context, name):
    path = ASSETS / "icons" / "hicolor" / f"{size}x{size}" / context / f"{name}.png"
    width, height, depth, colour = png_info(path)
    assert (width, height) == (size, size)
    assert colour == 6 and depth == 8                          # RGBA: transparent corners
    assert path.stat().st_size < 64 * 1024


@pytest.mark.parametrize("svg", ["chainview.svg", "chainview-file.svg"])
def test_svg_sources(svg):
    root = ET.parse(ASSETS / "icons" / svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    # nothing that needs fonts or that Qt's SVG Tiny renderer draws differently
    assert not [el for el in root.iter() if el.tag.split("}")[1] in ("text", "filter", "marker", "image")]


# ----------------------------------------------------------------------------- install / uninstall

def test_data_home_follows_xdg(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert desktop.resolve_data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "")
    assert desktop.resolve_data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/is/invalid")
    assert desktop.resolve_data_home() == tmp_path / ".local" / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert desktop.resolve_data_home() == tmp_path / "data"
    assert desktop.resolve_data_home(tmp_path / "given") == tmp_path / "given"


def test_install_puts_every_file_where_xdg_says(data_home, capsys):
    assert desktop.install() == 0
    out = capsys.readouterr().out
    for path in expected_files(data_home):
        assert path.is_file(), path
    assert sorted(expected_files(data_home)) == sorted(desktop.installed_paths(data_home))
    # the icons and the MIME XML are the shipped bytes
    for src, dst in desktop.icon_plan(data_home):
        assert dst.read_bytes() == src.read_bytes()
    assert (data_home / "mime" / "packages" / f"{APP_ID}.xml").read_bytes() == MIME_XML.read_bytes()
    assert "desktop entry:" in out and "icons: 18 files" in out and f"MIME type {MIME_TYPE}" in out


def test_installed_entry_runs_an_existing_launcher(data_home):
    assert desktop.install() == 0
    installed = data_home / "applications" / f"{APP_ID}.desktop"
    e = read_entry(installed)
    argv = exec_argv(e["Exec"])
    assert os.path.isabs(argv[0]) and os.path.isfile(argv[0]) and os.access(argv[0], os.X_OK), argv
    assert argv == desktop.launcher_argv()
    assert e["TryExec"] == argv[0]
    # everything but Exec/TryExec is the shipped entry
    shipped = read_entry(ENTRY)
    assert {k: v for k, v in e.items() if k not in ("Exec", "TryExec")} == \
           {k: v for k, v in shipped.items() if k not in ("Exec", "TryExec")}
    if shutil.which("desktop-file-validate"):
        assert validate(installed) == ""


def test_install_twice_then_uninstall_removes_only_ours(data_home, capsys):
    unrelated = [data_home / "applications" / "other.desktop",
                 data_home / "icons" / "hicolor" / "48x48" / "apps" / "other.png",
                 data_home / "icons" / "hicolor" / "scalable" / "apps" / "other.svg",
                 data_home / "mime" / "packages" / "other.xml"]
    for path in unrelated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not chainview's")
    assert desktop.install() == 0
    assert desktop.install() == 0                              # again: same files, no error
    for path in expected_files(data_home):
        assert path.is_file()
    capsys.readouterr()

    assert desktop.uninstall() == 0
    out = capsys.readouterr().out
    assert "removed desktop entry" in out and "removed icons: 18 files" in out
    for path in expected_files(data_home):
        assert not path.exists(), path
    for path in unrelated:
        assert path.read_text() == "not chainview's", path
    # folders that only held our icons are gone; ones with other files stay
    assert not (data_home / "icons" / "hicolor" / "512x512").exists()
    assert (data_home / "icons" / "hicolor" / "48x48" / "apps").is_dir()
    leftovers = [p for p in data_home.rglob("*") if "chainview" in p.name]
    assert leftovers == [], leftovers

    assert desktop.uninstall() == 0                            # idempotent
    assert "nothing to remove" in capsys.readouterr().out


def test_uninstall_when_never_installed(tmp_path, capsys):
    assert desktop.uninstall(data_home=tmp_path / "empty") == 0
    assert "nothing to remove" in capsys.readouterr().out
    assert not (tmp_path / "empty").exists()


def test_install_with_explicit_data_home_ignores_env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "env"))
    assert desktop.install(data_home=tmp_path / "arg") == 0
    assert (tmp_path / "arg" / "applications" / f"{APP_ID}.desktop").is_file()
    assert not (tmp_path / "env").exists()
    assert desktop.uninstall(data_home=tmp_path / "arg") == 0
    assert [p for p in (tmp_path / "arg").rglob("*") if "chainview" in p.name] == []


def test_missing_tools_are_a_note_not_a_failure(data_home, monkeypatch, capsys):
    real_which = shutil.which
    monkeypatch.setattr(desktop.shutil, "which",
                        lambda name, *a, **k: None if name.startswith(("update-", "gtk-")) else real_which(name, *a, **k))
    assert desktop.install() == 0
    out = capsys.readouterr().out
    assert "note: update-desktop-database not found" in out and "note: update-mime-database not found" in out
    assert desktop.uninstall() == 0


def test_failing_tool_is_a_note_not_a_failure(data_home, monkeypatch, tmp_path, capsys):
    bad = tmp_path / "bin"
    bad.mkdir()
    for name in ("update-desktop-database", "update-mime-database"):
        (bad / name).write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
        (bad / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bad}{os.pathsep}{os.environ.get('PATH', '')}")
    assert desktop.install() == 0
    assert "note: update-mime-database failed (exit 3): boom" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("update-mime-database") is None or shutil.which("update-desktop-database") is None,
                    reason="shared-mime-info / desktop-file-utils not installed")
def test_caches_know_the_type_and_the_app(data_home):
    assert desktop.install() == 0
    assert f"60:{MIME_TYPE}:*.chainview.json" in (data_home / "mime" / "globs2").read_text()
    assert f"{MIME_TYPE} application/json" in (data_home / "mime" / "subclasses").read_text()
    assert f"{MIME_TYPE}={APP_ID}.desktop;" in (data_home / "applications" / "mimeinfo.cache").read_text()
    assert desktop.uninstall() == 0
    assert MIME_TYPE not in (data_home / "mime" / "globs2").read_text()
    assert MIME_TYPE not in (data_home / "applications" / "mimeinfo.cache").read_text()


@pytest.mark.skipif(shutil.which("gtk-update-icon-cache") is None, reason="gtk-update-icon-cache not installed")
def test_existing_gtk_icon_cache_is_refreshed_but_none_is_created(data_home):
    other = data_home / "icons" / "hicolor" / "48x48" / "apps" / "other.png"
    other.parent.mkdir(parents=True)
    shutil.copyfile(ASSETS / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png", other)
    assert desktop.install() == 0
    cache = data_home / "icons" / "hicolor" / "icon-theme.cache"
    assert not cache.exists()                                  # as xdg-icon-resource: never create one
    subprocess.run(["gtk-update-icon-cache", "-q", "-f", "-t", str(cache.parent)], check=True)
    assert APP_ID.encode() in cache.read_bytes()
    assert desktop.uninstall() == 0
    assert APP_ID.encode() not in cache.read_bytes()           # refreshed, and left in place
    assert desktop.install() == 0
    assert APP_ID.encode() in cache.read_bytes()


# ----------------------------------------------------------------------------- the Exec line

@pytest.mark.parametrize("argv", [
    ["/usr/bin/chainview"],
    ["/home/ann/my apps/chainview"],
    ["/opt/$weird \"name\"/back\\slash/`tick`/100%/chainview"],
    ["/home/ann/.venv/bin/python3", "-m", "chainview.cli"],
    ["/srv/ünïcødé/chainview"],
])
def test_exec_quoting_round_trips(argv, tmp_path):
    value = desktop.exec_value(argv)
    assert exec_argv(value) == argv
    if shutil.which("desktop-file-validate"):
        entry = tmp_path / f"{APP_ID}.desktop"
        entry.write_text(desktop.desktop_entry_text(argv), encoding="utf-8")
        assert validate(entry) == ""


def test_launcher_argv(tmp_path, monkeypatch):
    script = tmp_path / "bin dir" / "chainview"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "install-desktop"])
    assert desktop.launcher_argv() == [str(script)]
    # run some other way (pytest, python -m): the chainview on PATH, else python -m
    monkeypatch.setattr(sys, "argv", ["/usr/bin/pytest"])
    monkeypatch.setenv("PATH", str(script.parent))
    assert desktop.launcher_argv() == [str(script)]
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert desktop.launcher_argv() == [os.path.abspath(sys.executable), "-m", "chainview.cli"]
    # a PyInstaller bundle: the bundle's own binary
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert desktop.launcher_argv() == [os.path.abspath(sys.executable)]


# ----------------------------------------------------------------------------- the real command

def _chainview_command() -> list[str]:
    script = Path(sys.executable).with_name("chainview")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "chainview.cli"]


def test_cli_install_and_uninstall_desktop(tmp_path):
    base = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(base)}
    command = _chainview_command()
    done = subprocess.run([*command, "install-desktop"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for path in expected_files(base):
        assert path.is_file(), path
    argv = exec_argv(read_entry(base / "applications" / f"{APP_ID}.desktop")["Exec"])
    assert os.path.isfile(argv[0])
    if len(command) == 1:
        assert argv == command                                 # the launcher that ran the command
    done = subprocess.run([*command, "uninstall-desktop"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p for p in base.rglob("*") if "chainview" in p.name] == []
