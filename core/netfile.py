"""The net file: JSON in, `Net` out, and back, with one-line errors that name the field.

A net file is plain data. Nothing in it is ever executed: numbers become numpy arrays,
an activation is a built-in name or a typed expression that core/expr.py parses into a
safe tree. The structure is checked here (fields, types, matrices); the shapes are
checked by `core.net.build_net`, whose messages already say how to fix them; a TA's step
notes ("notes", version 2) are checked against the built net's schedule.

    load_net(path)         -> Net      (NetError "net.json: ..." for anything wrong)
    parse_net(text)        -> Net
    net_from_dict(data)    -> Net
    net_to_dict(net)       -> dict     (always writes W and W0)
    dumps_net(net)         -> str      (2-space indent, one matrix row per line)
    save_net(net, path)             (atomic: temp file, fsync, os.replace)

assets/net.schema.json publishes the same format as a JSON Schema; docs/net-format.md
describes it for people.
"""

from __future__ import annotations

import codecs
import itertools
import json
import math
import os
import stat
import tempfile
from dataclasses import replace
from typing import Any

import numpy as np

from .activations import NAMES as ACTIVATION_NAMES
from .errors import ExpressionError, NetError
from .losses import NAMES as LOSS_NAMES
from .graph import schedule
from .net import MAX_LAYERS, MAX_UNITS, Net, build_net

MAX_FILE_BYTES = 2_000_000          # a file too large to be a toy net
FORMAT = "chainview-net"
VERSION = 1                         # what a net without version 2 fields is written as
VERSIONS = (1, 2)                   # 2 adds skip_from, tie, weight_decay and notes
MAX_EXPR_CHARS = 200                # a typed activation, as in the schema
MAX_INT_DIGITS = 308                # a longer whole number is beyond any float (1.8e308)
# Weights drawn at random are not in the file, so a tiny file could ask for gigabytes.
# A saved net always holds its weights and every number takes at least two bytes
# ("0,"), so no net that fits in MAX_FILE_BYTES has more weights than this.
MAX_WEIGHTS = MAX_FILE_BYTES // 2

MAX_NOTE_CHARS = 500                # one step note: a sentence or two for the step card and the handout

REQUIRED = ("input", "target", "loss", "layers")
TOP_FIELDS = ("$schema", "format", "version", "name", "description", "input", "target", "loss", "layers", "seed",
              "weight_decay", "notes")
LAYER_FIELDS = ("units", "activation", "W", "W0", "skip_from", "tie")
V2_FIELDS = ("weight_decay", "skip_from", "tie", "notes")   # skip connections, tied weights, weight decay, step notes

# Names people reach for that difflib would not connect to ours.
_ALIASES = {
    "weights": "W", "weight": "W", "w": "W", "w1": "W",
    "bias": "W0", "biases": "W0", "b": "W0", "offset": "W0", "offsets": "W0", "w0": "W0", "w_0": "W0",
    "act": "activation", "activations": "activation", "f": "activation", "nonlinearity": "activation",
    "size": "units", "neurons": "units", "n": "units", "width": "units", "unit": "units",
    "x": "input", "inputs": "input", "a0": "input", "data": "input",
    "y": "target", "targets": "target", "labels": "target", "label": "target",
    "loss_function": "loss", "losses": "loss", "layer": "layers", "random_seed": "seed",
}


# ---------------------------------------------------------------- reading

def load_net(path) -> Net:
    """Read a net file. Any problem -> NetError with one line prefixed by the file name."""
    where = os.fspath(path)
    source = os.path.basename(where.rstrip("/\\")) or where
    data = _read_file(where, source)
    return parse_net(data, source=source)


def _read_file(path: str, source: str) -> bytes:
    try:
        info = os.stat(path)
        _check_regular(info.st_mode, path, source)
        # size first: a huge file is refused without reading it
        if info.st_size > MAX_FILE_BYTES:
            raise NetError(_too_large(source, info.st_size))
        # non-blocking open: a named pipe swapped in after the stat above must not block us either
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
        with open(fd, "rb", closefd=True) as f:
            _check_regular(os.fstat(fd).st_mode, path, source)
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            data = f.read(MAX_FILE_BYTES + 1)     # bounded even if the size was not known
    except FileNotFoundError:
        raise NetError(f"{source}: no such file ({path})") from None
    except IsADirectoryError:
        raise NetError(f"{source}: {path} is a folder, not a net file") from None
    except PermissionError:
        raise NetError(f"{source}: permission denied; cannot read {path}") from None
    except OSError as err:
        raise NetError(f"{source}: cannot read {path}: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise NetError(_too_large(source, None))
    return data


def _check_regular(mode: int, path: str, source: str) -> None:
    """Only a regular file is read: a named pipe would block forever, a device never end."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise NetError(f"{source}: {path} is a folder, not a net file")
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    raise NetError(f"{source}: {path} is {what}, not a regular file; a net file must be a regular file")


def _too_large(source: str, size: int | None) -> str:
    what = f"is {size} bytes" if size is not None else f"is more than {MAX_FILE_BYTES} bytes"
    return (f"{source}: the file {what}; a net file is at most {MAX_FILE_BYTES} bytes "
            f"(a file too large to be a toy net)")


def parse_net(text: str | bytes, *, source: str = "<net>") -> Net:
    """A Net from the text of a net file; NetError "<source>: ..." for anything wrong."""
    try:
        return net_from_dict(_parse_json(text))
    except ExpressionError as err:
        raise ExpressionError(f"{source}: {err.message}", column=err.column, field=err.field) from None
    except NetError as err:
        raise NetError(f"{source}: {err.message}", field=err.field) from None


class _NonFinite:
    """What the JSON parser returns for NaN / Infinity / -Infinity, so we can say where it was."""

    def __init__(self, token: str):
        self.token = token


class _HugeNumber:
    """What the JSON parser returns for a whole number too long to be one we use (Python would refuse
    past 4300 digits with its own wording), so we can say where it was, in our words."""

    def __init__(self, digits: int):
        self.digits = digits


def _parse_int(text: str):
    """Only when Python's own int() refused a number: the plain path stays C-fast."""
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_INT_DIGITS else _HugeNumber(digits)


class _Object(dict):
    """A JSON object that remembers a key written twice (Python's json keeps the last silently)."""

    duplicate: str | None = None


def _object_pairs(pairs):
    obj = _Object()
    for key, value in pairs:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj


def _parse_json(text: str | bytes) -> Any:
    if isinstance(text, (bytes, bytearray, memoryview)):
        raw = bytes(text)
        if len(raw) > MAX_FILE_BYTES:
            raise NetError(f"the text is {len(raw)} bytes; a net file is at most {MAX_FILE_BYTES} bytes "
                           f"(a file too large to be a toy net)")
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            hint = (" (it looks like UTF-16; save it as UTF-8)" if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                    else "; save it as UTF-8")
            raise NetError(f"the file is not UTF-8 text: byte 0x{raw[err.start]:02x} at offset {err.start}{hint}") from None
    elif isinstance(text, str):
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
            raise NetError(f"the text is more than {MAX_FILE_BYTES} bytes; a net file is at most {MAX_FILE_BYTES} "
                           f"bytes (a file too large to be a toy net)")
        text = text.removeprefix("\ufeff")
    else:
        raise NetError(f"a net file is text; got {type(text).__name__}")
    if not text.strip():
        raise NetError("the file is empty; a net file is a JSON object starting with {\"format\": \"chainview-net\", ...}")
    try:
        data, odd = _loads(text)
    except json.JSONDecodeError as err:
        raise NetError(f"not valid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise NetError("not a net file: the JSON is nested far too deeply") from None
    except ValueError as err:   # e.g. an integer with more than 4300 digits
        try:                    # again, slower, with each whole number looked at: say where, in our words
            data, odd = _loads(text, careful_ints=True)
        except ValueError:
            raise NetError(f"not a usable JSON file: {err}") from None
    if odd:                     # only then walk the whole tree, to name the first in file order
        problem = _find_token_problem(data, "")
        if problem:
            raise NetError(problem[0], field=problem[1] or None)
    return data


def _loads(text: str, careful_ints: bool = False) -> tuple[Any, bool]:
    """The parsed JSON, and whether it holds a NaN/Infinity token, a key written twice or a huge whole
    number: the parser's hooks note each as they make it, so a clean file is never walked again."""
    odd = []

    def constant(token):
        odd.append(token)
        return _NonFinite(token)

    def pairs(items):
        obj = _object_pairs(items)
        if obj.duplicate is not None:
            odd.append(obj)
        return obj

    hooks = {}
    if careful_ints:
        def whole(digits):
            number = _parse_int(digits)
            if isinstance(number, _HugeNumber):
                odd.append(number)
            return number
        hooks["parse_int"] = whole
    return json.loads(text, parse_constant=constant, object_pairs_hook=pairs, **hooks), bool(odd)


def _find_token_problem(value, path: str):
    """(message, field) for a NaN/Infinity token or a key written twice, the first in file order.

    Iterative, so a file nested as deep as the JSON parser allows cannot overflow the stack here.
    """
    stack = [(value, path)]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _NonFinite):
            return (f"{value.token} is not allowed in a net file (at {path or 'the top level'}); "
                    f"every number must be finite", path)
        if isinstance(value, _HugeNumber):
            return (f"{path or 'the top level'} is a whole number with {value.digits} digits: not a finite "
                    f"number for chainview (every number must be finite, below about 1.8e308)", _matrix_field(path))
        if isinstance(value, dict):
            if getattr(value, "duplicate", None) is not None:
                key = value.duplicate
                return (f"field '{key}' appears twice {_in(path)}; keep one", _join(path, key))
            stack.extend(reversed([(item, _join(path, key)) for key, item in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(item, f"{path}[{i}]") for i, item in enumerate(value)]))
    return None


def _matrix_field(path: str) -> str:
    """layers[0].W[1][2] -> layers[0].W: the field an entry belongs to."""
    while path.endswith("]") and "[" in path:
        path = path[:path.rindex("[")]
    return path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _in(path: str) -> str:
    return f"in {path}" if path else "at the top level"


# ---------------------------------------------------------------- validation

def net_from_dict(data: dict) -> Net:
    """Check the structure of a parsed net file, then let build_net check the shapes."""
    if not isinstance(data, dict):
        raise NetError(f"a net file must hold one JSON object {{\"format\": \"chainview-net\", ...}}; "
                       f"got {_kind(data)}")
    if "format" not in data:
        raise NetError(f"format is missing; a net file starts with {{\"format\": \"{FORMAT}\", \"version\": {VERSION}, ...}}",
                       field="format")
    if data["format"] != FORMAT:
        raise NetError(f"format is {_show(data['format'])}; expected \"{FORMAT}\" (is this a chainview net file?)",
                       field="format")
    if "version" not in data:
        raise NetError(f"version is missing; this chainview reads version {VERSION} (\"version\": {VERSION})",
                       field="version")
    version = _whole(data["version"])
    if version not in VERSIONS:
        raise NetError(f"version is {_show(data['version'])}; this chainview reads version 1 or 2", field="version")
    _check_fields(data, TOP_FIELDS, "")
    for key in REQUIRED:
        if key not in data:
            raise NetError(f"{key} is missing; a net file needs {', '.join(REQUIRED[:-1])} and {REQUIRED[-1]}",
                           field=key)
    for key in ("$schema", "name", "description"):
        if key in data and not isinstance(data[key], str):
            raise NetError(f"{key} must be a string (text in double quotes); got {_kind(data[key])}", field=key)
    seed = 0
    if "seed" in data:
        seed = _whole(data["seed"])
        if seed is None or seed < 0:
            raise NetError(f"seed must be a whole number of at least 0; got {_show(data['seed'])}", field="seed")

    weight_decay = 0.0
    if "weight_decay" in data:
        _needs_v2(version, "weight_decay")
        lam = data["weight_decay"]
        if not _is_number(lam) or not math.isfinite(float(lam)) or lam < 0:
            raise NetError(f"weight_decay must be a number ≥ 0 (λ in L = Σ loss + λ Σ ‖W‖²_F), e.g. 0.01; "
                           f"got {_show(lam)}", field="weight_decay")
        weight_decay = float(lam)

    X = _matrix(data["input"], "input")
    Y = _matrix(data["target"], "target")
    loss = data["loss"]
    if not isinstance(loss, str) or loss not in LOSS_NAMES:
        guess = _suggest(loss, LOSS_NAMES) if isinstance(loss, str) else None
        raise NetError(f"loss is {_show(loss)}; expected one of {', '.join(LOSS_NAMES)}"
                       + (f"; did you mean '{guess}'?" if guess else ""), field="loss")

    layers = data["layers"]
    if not isinstance(layers, list):
        raise NetError(f"layers must be a list of layers [{{\"units\": 1, \"activation\": \"identity\"}}, ...]; "
                       f"got {_kind(layers)}", field="layers")
    if not layers:
        raise NetError("layers is empty; a net needs at least one layer, e.g. {\"units\": 1, \"activation\": \"identity\"}",
                       field="layers")
    if len(layers) > MAX_LAYERS:
        raise NetError(f"layers has {len(layers)} layers; chainview draws toy nets of at most {MAX_LAYERS}",
                       field="layers")
    specs, m, drawn = [], len(X), 0
    for i, layer in enumerate(layers):
        spec = _layer(layer, f"layers[{i}]", version)
        if spec.get("W") is None or spec.get("W0") is None:
            drawn += m * spec["units"]
            if drawn > MAX_WEIGHTS:
                raise NetError(f"layers[{i}]: the layers ask for more than {MAX_WEIGHTS} weights drawn at random; "
                               f"a net file is limited to toy nets", field=f"layers[{i}].units")
        specs.append(spec)
        m = spec["units"]
    net = build_net(X, Y, loss, specs, name=data.get("name", ""), description=data.get("description", ""),
                    seed=seed, weight_decay=weight_decay)
    if "notes" in data:                 # checked against the built net's own schedule
        net = replace(net, notes=_notes(data["notes"], version, net))
    return net


def _needs_v2(version: int, where: str) -> None:
    if version < 2:
        raise NetError(f"{where} needs \"version\": 2 (skip connections, tied weights and weight decay are "
                       f"version 2 fields); set the file's version to 2", field=where)


def _notes(value, version: int, net: Net) -> tuple[tuple[int, str], ...]:
    """A TA's step notes {"<step index>": "text"}: keys are steps of this net's schedule (counted from 0),
    values short strings. Blank notes are dropped."""
    if version < 2:
        raise NetError(f"notes needs \"version\": 2; this file says version {version}", field="version")
    if not isinstance(value, dict):
        raise NetError(f"notes must be an object {{\"<step index>\": \"text\"}}, e.g. {{\"7\": \"watch the transpose\"}}; "
                       f"got {_kind(value)}", field="notes")
    n = len(schedule(net))              # a schedule built from the net's own graph (forks add steps)
    out = []
    for key, text in value.items():
        if not (isinstance(key, str) and key.isdigit() and key == str(int(key)) and int(key) < n):
            raise NetError(f"notes: {_show(key)} is not a step; keys are step indices \"0\" to \"{n - 1}\" "
                           f"(step 1 of the app is \"0\")", field="notes")
        if not isinstance(text, str):
            raise NetError(f"notes[\"{key}\"] must be a string (text in double quotes); got {_kind(text)}",
                           field="notes")
        if len(text) > MAX_NOTE_CHARS:
            raise NetError(f"notes[\"{key}\"] has {len(text)} characters; a note is at most {MAX_NOTE_CHARS}",
                           field="notes")
        if text.strip():
            out.append((int(key), text))
    return tuple(sorted(out))


def _layer(layer, where: str, version: int = 1) -> dict:
    if not isinstance(layer, dict):
        raise NetError(f"{where} must be an object like {{\"units\": 1, \"activation\": \"identity\"}}; "
                       f"got {_kind(layer)}", field=where)
    _check_fields(layer, LAYER_FIELDS, where)
    if "units" not in layer:
        raise NetError(f"{where}.units is missing; say how many units the layer has, e.g. \"units\": 3",
                       field=f"{where}.units")
    units = _whole(layer["units"])
    if units is None or units < 1:
        raise NetError(f"{where}.units must be a whole number of at least 1; got {_show(layer['units'])}",
                       field=f"{where}.units")
    if units > MAX_UNITS:
        raise NetError(f"{where}.units is {_kind(units)}; chainview draws toy nets of at most {MAX_UNITS} units a layer",
                       field=f"{where}.units")
    spec: dict[str, Any] = {"units": units}
    act = layer.get("activation", "identity")
    if isinstance(act, dict) and isinstance(act.get("expr"), str) and len(act["expr"]) > MAX_EXPR_CHARS:
        raise NetError(f"{where}.activation.expr is {len(act['expr'])} characters; the limit is {MAX_EXPR_CHARS}",
                       field=f"{where}.activation")
    if isinstance(act, dict):
        extra = [k for k in act if k != "expr"]
        if extra:
            raise NetError(f"unknown field '{extra[0]}' in {where}.activation; an activation is a name "
                           f"({', '.join(ACTIVATION_NAMES)}) or {{\"expr\": \"...\"}} in z",
                           field=f"{where}.activation")
    spec["activation"] = act            # activation_from_spec (via build_net) names the field on error
    l = int(where[where.index("[") + 1:-1]) + 1     # the layer's number in the notes (layers[0] is layer 1)
    if "skip_from" in layer:
        _needs_v2(version, f"{where}.skip_from")
        k = _whole(layer["skip_from"])
        if k is None or not 0 <= k <= l - 2:
            rule = (f"a whole number 0 ≤ k ≤ {l - 2} (Z^{l} adds A^k)" if l >= 2 else
                    "only layer 2 and later can have one (k ≤ l − 2); remove skip_from from layer 1")
            raise NetError(f"{where}.skip_from is {_show(layer['skip_from'])}; {rule}", field=f"{where}.skip_from")
        spec["skip_from"] = k
    if "tie" in layer:
        _needs_v2(version, f"{where}.tie")
        k = _whole(layer["tie"])
        if k is None or not 1 <= k < l:
            rule = (f"a whole number 1 ≤ k ≤ {l - 1} (layer {l} uses W^k itself)" if l > 1 else
                    "layer 1 has no earlier layer to share a W with; remove tie")
            raise NetError(f"{where}.tie is {_show(layer['tie'])}; {rule}", field=f"{where}.tie")
        if "W" in layer:
            raise NetError(f"{where}.W: layer {l} is tied to layer {k} and uses W^{k} itself; leave W out",
                           field=f"{where}.W")
        spec["tie"] = k
    for key in ("W", "W0"):
        if key in layer:
            if layer[key] is None:
                raise NetError(f"{where}.{key} is null; give a matrix, or leave {key} out to draw it at random",
                               field=f"{where}.{key}")
            spec[key] = _matrix(layer[key], f"{where}.{key}")
    return spec


def _check_fields(obj: dict, allowed: tuple[str, ...], where: str) -> None:
    for key in obj:
        if key not in allowed:
            guess = _suggest(key, allowed)
            listed = ", ".join(a for a in allowed if a != "$schema")
            raise NetError(f"unknown field {_short(key)} {_in(where)}"
                           + (f"; did you mean '{guess}'?" if guess else "")
                           + f" (allowed: {listed})", field=_join(where, str(key)))


def _suggest(key: str, allowed) -> str | None:
    alias = _ALIASES.get(str(key).lower())
    if alias in allowed:
        return alias
    lowered = {a.lower(): a for a in allowed}
    import difflib  # only when a field is misspelt
    close = difflib.get_close_matches(str(key).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _whole(value) -> int | None:
    """An int from an int or an integral float (JSON Schema's "integer"); None for bool/other."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


_PLAIN_NUMBERS = frozenset((int, float))   # what JSON numbers parse to (bool is a type of its own)


def _matrix(value, field: str) -> np.ndarray:
    """A rectangular float matrix of finite entries (rows), or NetError naming the entry at fault.

    A flat list of numbers is one column. np.array alone would turn "1" and true into
    numbers, so the entries' types are checked first: in one pass over the whole matrix
    (the types seen, a rectangular shape, every entry finite), and only when that finds
    something wrong entry by entry, to name the first bad one.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list):
        raise NetError(f"{field} must be a matrix: a list of rows like [[1.0, 2.0]] or a flat list [1.0, 2.0] "
                       f"for one column; got {_kind(value)}", field=field)
    if not value:
        raise NetError(f"{field} is empty; a matrix needs at least one row with at least one number", field=field)
    fast = _plain_matrix(value)
    if fast is not None:
        return fast
    _first_bad_entry(value, field)
    return np.array(_checked_rows(value, field), dtype=float)   # numbers of other types (numpy scalars), all good


def _plain_matrix(value: list) -> np.ndarray | None:
    """The matrix when it is plainly good: int/float entries only, rectangular, all finite; else None."""
    row_types = set(map(type, value))
    if row_types <= _PLAIN_NUMBERS:                                    # a flat list: one column
        entries, shape = value, (len(value), 1)
    elif row_types == {list} and len(set(map(len, value))) == 1 and value[0]:
        entries, shape = itertools.chain.from_iterable(value), (len(value), len(value[0]))
    else:
        return None
    if not set(map(type, entries)) <= _PLAIN_NUMBERS:
        return None
    try:
        arr = np.array(value, dtype=float).reshape(shape)
    except (OverflowError, ValueError):                                # a whole number beyond any float
        return None
    return arr if np.isfinite(arr).all() else None


def _first_bad_entry(value: list, field: str) -> None:
    """Raise the one-line NetError for the first entry (or row) at fault, in reading order."""
    _checked_rows(value, field)


def _checked_rows(value: list, field: str) -> list[list[float]]:
    if all(not isinstance(row, list) for row in value):            # flat list: one column
        return [[_entry(x, f"{field}[{i}]", field)] for i, x in enumerate(value)]
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list):
            raise NetError(f"{field}[{i}] is {_kind(row)} but other rows are lists; write every row as a list "
                           f"[[...], [...]] or give a flat list of numbers for one column", field=field)
        if not row:
            raise NetError(f"{field} row {i + 1} is empty; every row needs at least one number", field=field)
        if rows and len(row) != len(rows[0]):
            raise NetError(f"{field} row {i + 1} has {len(row)} entries but row 1 has {len(rows[0])}; "
                           f"every row needs the same number of entries", field=field)
        rows.append([_entry(x, f"{field}[{i}][{j}]", field) for j, x in enumerate(row)])
    return rows


def _entry(x, where: str, field: str) -> float:
    if isinstance(x, list):
        raise NetError(f"{where} is a list; a matrix is a list of rows of numbers, nested two deep at most",
                       field=field)
    if not _is_number(x):
        hint = " (write the number without quotes)" if isinstance(x, str) and _looks_numeric(x) else ""
        raise NetError(f"{where} is {_kind(x)}; every entry must be a number{hint}", field=field)
    try:
        f = float(x)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise NetError(f"{where} is not a finite number (NaN, Infinity or too large); every entry must be finite",
                       field=field)
    return f


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, dict):
        return "an object {...}"
    if isinstance(value, list):
        return "a list [...]"
    if isinstance(value, (int, np.integer)):
        value = int(value)
        digits = len(str(abs(value))) if value.bit_length() < 1000 else int(value.bit_length() * 0.30103) + 1
        return repr(value) if digits <= 20 else f"a whole number with {digits} digits"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return _short(value)


def _show(value) -> str:
    """A value from the file as its JSON spelling: 'relu', 3, true, null, a list [...]."""
    return _short(value) if isinstance(value, str) else _kind(value)


def _short(value) -> str:
    if isinstance(value, _NonFinite):
        return value.token
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- writing

def net_to_dict(net: Net) -> dict:
    """The file form of `net`. W and W0 are always written, so a random start is frozen once saved."""
    steps = len(schedule(net))
    notes = {str(k): text for k, text in net.notes if 0 <= k < steps}   # a layer removed: its steps' notes go
    v2 = (net.weight_decay > 0 or bool(notes)
          or any(l.skip_from is not None or l.tie is not None for l in net.layers))
    out: dict[str, Any] = {"format": FORMAT, "version": 2 if v2 else VERSION}
    if net.name:
        out["name"] = net.name
    if net.description:
        out["description"] = net.description
    out["input"] = np.asarray(net.X, dtype=float).tolist()
    out["target"] = np.asarray(net.Y, dtype=float).tolist()
    out["loss"] = net.loss.name
    out["layers"] = [_layer_dict(layer) for layer in net.layers]
    out["seed"] = int(net.seed)
    if net.weight_decay > 0:
        out["weight_decay"] = float(net.weight_decay)
    if notes:
        out["notes"] = notes
    return out


def _layer_dict(layer) -> dict:
    out: dict[str, Any] = {"units": int(layer.units), "activation": layer.activation.spec}
    if layer.tie is None:
        out["W"] = np.asarray(layer.W, dtype=float).tolist()
    out["W0"] = np.asarray(layer.W0, dtype=float).tolist()
    if layer.skip_from is not None:
        out["skip_from"] = int(layer.skip_from)
    if layer.tie is not None:
        out["tie"] = int(layer.tie)
    return out


def dumps_net(net: Net) -> str:
    """Pretty JSON: 2-space indent, each matrix row on one line, trailing newline."""
    return _emit(net_to_dict(net), 0) + "\n"


def _emit(value, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        if all(not isinstance(v, (dict, list)) for v in value.values()):     # {"expr": "z**2"}
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_emit(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(not isinstance(v, (dict, list)) for v in value):              # a row of numbers
            return json.dumps(value, allow_nan=False)
        items = [f"{inner}{_emit(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def save_net(net: Net, path) -> None:
    """Write `net` to `path` atomically; NetError("cannot save <path>: <reason>") on any failure.

    The text goes to a temporary file in the same folder, is flushed and fsync'ed, then
    os.replace swaps it in, so the old file is either untouched or wholly replaced.
    """
    where = os.fspath(path)
    tmp = None
    try:
        data = dumps_net(net).encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            raise NetError(f"cannot save {where}: the net is {len(data)} bytes as JSON; a net file is at most "
                           f"{MAX_FILE_BYTES} bytes, so it could not be loaded again")
        target = os.path.realpath(where) if os.path.islink(where) else where
        if os.path.isdir(target):
            raise NetError(f"cannot save {where}: it is a folder")
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        else:
            _refuse_read_only(where, target, mode)
        folder = os.path.dirname(os.path.abspath(target))
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix="." + os.path.basename(target) + ".",
                                         suffix=".tmp", delete=False) as f:
            tmp = f.name
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        tmp = None
        _fsync_folder(folder)
        _remove_stale_temps(folder, os.path.basename(target))
    except NetError:
        raise
    except Exception as err:
        reason = (err.strerror or str(err)) if isinstance(err, OSError) else (str(err) or type(err).__name__)
        raise NetError(f"cannot save {where}: {reason}") from err
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _refuse_read_only(where: str, target: str, mode: int) -> None:
    """A file made read-only (chmod 444) is someone's wish: never replace it behind their back.

    os.replace would, since it needs only the folder to be writable. Root passes os.access, so the
    mode bits are looked at too."""
    if mode & 0o222 == 0 or not os.access(target, os.W_OK):
        raise NetError(f"cannot save {where}: the file is read-only (mode {mode:o}); save under another name, "
                       f"or make it writable first (chmod u+w)")


def _is_our_temp(entry: str, name: str) -> bool:
    """tempfile's names for NAME in save_net: "." + NAME + "." + 8 characters of [a-z0-9_] + ".tmp"."""
    head, tail = "." + name + ".", ".tmp"
    if not (entry.startswith(head) and entry.endswith(tail) and len(entry) == len(head) + 8 + len(tail)):
        return False
    return all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in entry[len(head):-len(tail)])


def _remove_stale_temps(folder: str, name: str) -> None:
    """Temporary files of an earlier save of this file that never finished (the process was killed).

    Only names save_net makes for this file (.NAME.xxxxxxxx.tmp) and only regular files; best effort."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if _is_our_temp(entry.name, name):
            try:
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
            except OSError:
                pass


def _umask() -> int:
    """The process umask without changing it (Linux: /proc), else the set-and-restore dance."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable where the OS allows it (best effort)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
