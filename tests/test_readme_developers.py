"""README's "For developers" stays true to the tree: every module or folder it names exists, and every
name it points to in "Where things go" (a class, a table, a function) is found in the files that
bullet names, so "where do I add a new node kind / a new inspector page?" keeps a right answer."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = re.compile(r"^[\w./-]+\.(?:py|md)$|^[\w/]+/$")
NAME = re.compile(r"^[A-Za-z_][\w.]*(?:\(.*\))?$")


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## For developers")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def _bullets() -> list[tuple[int, str]]:
    """(level, text) for every bullet of the section, its continuation lines joined to it."""
    bullets: list[tuple[int, str]] = []
    for line in _section().splitlines()[1:]:
        m = re.match(r"^( *)- (.*)$", line)
        if m:
            bullets.append((len(m.group(1)) // 2, m.group(2)))
        elif line.strip() and bullets:
            level, text = bullets[-1]
            bullets[-1] = (level, text + " " + line.strip())
    return bullets


def _named_paths():
    """(token, candidate paths): a name is read in its bullet's folder, e.g. `canvas/` under `gui/`."""
    folders = ["", ""]
    for level, text in _bullets():
        first = re.match(r"^`([\w/]+/)`", text)
        if level == 0:
            folders = [first.group(1) if first else "", ""]
        elif level == 1:
            folders[1] = first.group(1) if first else ""
        for token in re.findall(r"`([^`]+)`", text):
            if PATH.match(token):
                base = folders[0] + (folders[1] if level >= 1 else "")
                yield token, {token, folders[0] + token, base + token}


def test_every_module_and_folder_the_section_names_exists():
    named = list(_named_paths())
    assert len(named) > 60                       # the section names the tree module by module
    missing = [token for token, candidates in named if not any((ROOT / c).exists() for c in candidates)]
    assert not missing, f"README's 'For developers' names paths that do not exist: {missing}"


def test_every_place_in_where_things_go_names_what_is_there():
    where = [text for level, text in _bullets() if level == 1 and text.startswith("a new ")]
    assert {w.split(":")[0] for w in where} >= {"a new node kind", "a new inspector page"}
    tree = "\n".join(p.read_text(encoding="utf-8") for d in ("core", "gui", "cli") for p in (ROOT / d).rglob("*.py"))
    for text in where:
        tokens = re.findall(r"`([^`]+)`", text)
        files = [ROOT / t for t in tokens if t.endswith(".py")]
        assert all(f.exists() for f in files), text
        source = "\n".join(f.read_text(encoding="utf-8") for f in files) if files else tree
        for token in tokens:
            if PATH.match(token) or not NAME.match(token):
                continue
            word = token.split("(")[0].split(".")[-1]
            assert re.search(rf"\b{re.escape(word)}\b", source), f"`{token}` is not in the files named for {text[:30]!r}"
