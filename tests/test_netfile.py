"""The net file: loading with one-line errors, round trips, atomic saving, and the JSON Schema."""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from chainview.core import Session, netfile
from chainview.core.activations import NAMES as ACTIVATION_NAMES
from chainview.core.errors import NetError
from chainview.core.graph import schedule
from chainview.core.losses import NAMES as LOSS_NAMES
from chainview.core.net import MAX_LAYERS, MAX_UNITS, build_net
from chainview.core.netfile import (FORMAT, MAX_FILE_BYTES, VERSION, dumps_net, load_net, net_from_dict,
                                    net_to_dict, parse_net, save_net)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "assets" / "net.schema.json"
EXAMPLES = sorted((ROOT / "assets" / "examples").glob("*.json"))


def base() -> dict:
    """A valid two-layer net: 2 inputs, 1 example, 3 relu units with weights given, 1 output drawn at random."""
    return {
        "format": "chainview-net", "version": 1, "name": "toy", "description": "for tests",
        "input": [[1.0], [2.0]],
        "target": [[0.5]],
        "loss": "squared",
        "layers": [
            {"units": 3, "activation": "relu", "W": [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], "W0": [[0.0], [0.1], [0.0]]},
            {"units": 1, "activation": "identity"},
        ],
        "seed": 7,
    }


def write(tmp_path: Path, data, name: str = "net.json") -> Path:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")
    return path


def assert_same_net(a, b):
    assert np.array_equal(a.X, b.X) and a.X.shape == b.X.shape
    assert np.array_equal(a.Y, b.Y) and a.Y.shape == b.Y.shape
    assert a.loss.name == b.loss.name
    assert (a.name, a.description, a.seed) == (b.name, b.description, b.seed)
    assert len(a.layers) == len(b.layers)
    for la, lb in zip(a.layers, b.layers):
        assert la.units == lb.units
        assert la.activation.spec == lb.activation.spec
        assert la.W.shape == lb.W.shape and np.array_equal(la.W, lb.W)
        assert la.W0.shape == lb.W0.shape and np.array_equal(la.W0, lb.W0)


def expect_error(path_or_text, *fragments, source="net.json") -> NetError:
    with pytest.raises(NetError) as info:
        if isinstance(path_or_text, Path):
            load_net(path_or_text)
        else:
            parse_net(path_or_text, source=source)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    assert message.startswith(f"{source}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return info.value


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# ------------------------------------------------------------------ loading good files

def test_loads_explicit_and_random_weights(tmp_path):
    net = load_net(write(tmp_path, base()))
    assert net.L == 2 and net.name == "toy" and net.seed == 7
    assert net.X.shape == (2, 1) and net.Y.shape == (1, 1)
    assert np.array_equal(net.layers[0].W, [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
    assert net.layers[0].activation.name == "relu"
    assert net.layers[1].W.shape == (3, 1) and net.layers[1].W0.shape == (1, 1)
    assert np.all(net.layers[1].W0 == 0) and np.any(net.layers[1].W != 0)


def test_random_init_is_deterministic_per_seed():
    a, b = parse_net(json.dumps(base())), parse_net(json.dumps(base()))
    assert np.array_equal(a.layers[1].W, b.layers[1].W)
    other = base()
    other["seed"] = 8
    c = parse_net(json.dumps(other))
    assert not np.array_equal(a.layers[1].W, c.layers[1].W)
    # the same draw build_net makes from the same seed
    ref = build_net([[1.0], [2.0]], [[0.5]], "squared", [dict(l) for l in base()["layers"]], seed=7)
    assert np.array_equal(a.layers[1].W, ref.layers[1].W)


def test_flat_list_is_one_column():
    data = base()
    data["input"] = [1, 2]
    data["target"] = [0.5]
    data["layers"][0]["W0"] = [0, 0.1, 0]
    net = net_from_dict(data)
    assert net.X.shape == (2, 1) and np.array_equal(net.X, [[1.0], [2.0]])
    assert net.Y.shape == (1, 1)
    assert net.layers[0].W0.shape == (3, 1)


def test_batch_of_examples_as_columns():
    data = base()
    data["input"] = [[1, 2, 3], [4, 5, 6]]
    data["target"] = [[0, 1, 0]]
    net = net_from_dict(data)
    assert net.batch == 3 and net.Y.shape == (1, 3)


def test_integral_floats_count_as_whole_numbers():
    # JSON Schema's "integer" accepts 3.0; the loader must agree with the schema
    data = base()
    data["version"] = 1.0
    data["seed"] = 7.0
    data["layers"][0]["units"] = 3.0
    net = net_from_dict(data)
    assert net.layers[0].units == 3 and isinstance(net.layers[0].units, int) and net.seed == 7


def test_activation_defaults_to_identity_and_optional_fields():
    data = base()
    del data["layers"][1]["activation"], data["name"], data["description"], data["seed"]
    net = net_from_dict(data)
    assert net.layers[1].activation.name == "identity" and net.name == "" and net.seed == 0


def test_utf8_bom_and_bytes_accepted(tmp_path):
    text = json.dumps(base())
    assert parse_net(b"\xef\xbb\xbf" + text.encode()).L == 2
    assert load_net(write(tmp_path, b"\xef\xbb\xbf" + text.encode())).L == 2


# ------------------------------------------------------------------ round trip and writing

def test_round_trip_explicit_and_random(tmp_path):
    net = net_from_dict(base())
    again = net_from_dict(net_to_dict(net))
    assert_same_net(net, again)
    # the random layer is frozen: W and W0 are written
    d = net_to_dict(net)
    assert "W" in d["layers"][1] and "W0" in d["layers"][1]
    # changing the seed after saving does not change the frozen weights
    d["seed"] = 12345
    assert np.array_equal(net_from_dict(d).layers[1].W, net.layers[1].W)
    # and through text and disk
    assert_same_net(net, parse_net(dumps_net(net)))
    save_net(net, tmp_path / "saved.json")
    assert_same_net(net, load_net(tmp_path / "saved.json"))


def test_round_trip_awkward_floats():
    data = base()
    data["layers"][0]["W"] = [[1e-300, -0.0, 1 / 3], [123456789.123456789, 2.5e300, -7e-9]]
    net = net_from_dict(data)
    assert_same_net(net, parse_net(dumps_net(net)))


def test_round_trip_expression_activation():
    data = base()
    data["layers"][1]["activation"] = {"expr": "z**2"}
    net = net_from_dict(data)
    out = net_to_dict(net)
    assert out["layers"][1]["activation"] == {"expr": "z**2"}
    again = parse_net(dumps_net(net))
    assert_same_net(net, again)
    z = np.array([[1.0], [2.0], [3.0]])
    assert np.allclose(again.layers[1].activation(z), z ** 2)


def test_dumps_layout():
    net = net_from_dict(base())
    text = dumps_net(net)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert '\n  "format": "chainview-net",\n' in text          # 2-space indent
    lines = text.splitlines()
    # each matrix row on one line: the first W's rows appear whole
    assert "        [0.1, -0.2, 0.3]," in lines
    assert "        [0.4, 0.5, -0.6]" in lines
    assert json.loads(text) == net_to_dict(net)
    assert "NaN" not in text and "Infinity" not in text


def test_net_to_dict_is_valid_against_schema(validator):
    data = base()
    data["layers"][1]["activation"] = {"expr": "tanh(z) + z"}
    out = net_to_dict(net_from_dict(data))
    assert list(validator.iter_errors(out)) == []
    assert out["format"] == FORMAT and out["version"] == VERSION


# ------------------------------------------------------------------ bad files, one line each

def _mut(fn):
    data = base()
    fn(data)
    return data


def _set(path, value):
    def fn(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return fn


def _del(*path):
    def fn(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return fn


GOOD = json.dumps(base())

BAD = [
    # (id, file text, field expected in NetError.field (or None), fragments in the message)
    ("not-json", GOOD[:-1], None, ["not valid JSON", "line 1 column"]),
    ("not-json-line", '{\n  "format": "chainview-net",\n  "version": 1\n  "input": [1]\n}', None, ["line 4 column 3"]),
    ("empty", "", None, ["empty"]),
    ("top-level-list", "[1, 2]", None, ["JSON object", "a list"]),
    ("format-missing", json.dumps(_mut(_del("format"))), "format", ["format is missing", "chainview-net"]),
    ("format-wrong", json.dumps(_mut(_set(["format"], "keras"))), "format", ["format is 'keras'", "chainview-net"]),
    ("version-3", json.dumps(_mut(_set(["version"], 3))), "version", ["version is 3", "this chainview reads version 1 or 2"]),
    ("version-true", json.dumps(_mut(_set(["version"], True))), "version", ["version is true", "reads version 1"]),
    ("version-missing", json.dumps(_mut(_del("version"))), "version", ["version is missing"]),
    ("missing-target", json.dumps(_mut(_del("target"))), "target", ["target is missing"]),
    ("missing-layers", json.dumps(_mut(_del("layers"))), "layers", ["layers is missing"]),
    ("unknown-top", json.dumps(_mut(_set(["inputs"], [1]))), "inputs",
     ["unknown field 'inputs'", "did you mean 'input'?", "allowed:", "target"]),
    ("unknown-layer", json.dumps(_mut(_set(["layers", 0, "weights"], [[1]]))), "layers[0].weights",
     ["unknown field 'weights' in layers[0]; did you mean 'W'?", "allowed: units, activation, W, W0"]),
    ("unknown-layer-typo", json.dumps(_mut(_set(["layers", 1, "activaton"], "relu"))), "layers[1].activaton",
     ["did you mean 'activation'?"]),
    ("duplicate-key", GOOD.replace('"loss": "squared"', '"loss": "squared", "loss": "nll"'), "loss",
     ["'loss' appears twice"]),
    ("nan", GOOD.replace('[[1.0], [2.0]]', '[[1.0], [NaN]]'), "input[1][0]", ["NaN is not allowed", "input[1][0]"]),
    ("infinity", GOOD.replace('[[0.5]]', '[[-Infinity]]'), "target[0][0]", ["-Infinity is not allowed", "target"]),
    ("huge-number", GOOD.replace('[[0.5]]', '[[1e400]]'), "target", ["target[0][0]", "not a finite number"]),
    ("huge-int", GOOD.replace('[[0.5]]', '[[' + "9" * 400 + ']]'), "target", ["target[0][0]", "not a finite number"]),
    ("string-entry", json.dumps(_mut(_set(["input"], [["1"], [2]]))), "input",
     ["input[0][0] is the text '1'", "without quotes"]),
    ("bool-entry", json.dumps(_mut(_set(["layers", 0, "W"], [[0.1, True, 0.3], [0.4, 0.5, 0.6]]))), "layers[0].W",
     ["layers[0].W[0][1] is true", "must be a number"]),
    ("null-entry", json.dumps(_mut(_set(["input"], [1, None]))), "input", ["input[1] is null"]),
    ("ragged", json.dumps(_mut(_set(["layers", 0, "W"], [[0.1, 0.2, 0.3], [0.4, 0.5]]))), "layers[0].W",
     ["layers[0].W row 2 has 2 entries but row 1 has 3"]),
    ("too-deep", json.dumps(_mut(_set(["input"], [[[1.0]], [[2.0]]]))), "input", ["input[0][0] is a list", "two deep"]),
    ("mixed-rows", json.dumps(_mut(_set(["input"], [[1.0], 2.0]))), "input", ["input[1]", "rows"]),
    ("empty-matrix", json.dumps(_mut(_set(["input"], []))), "input", ["input is empty"]),
    ("empty-row", json.dumps(_mut(_set(["input"], [[], []]))), "input", ["input row 1 is empty"]),
    ("matrix-not-list", json.dumps(_mut(_set(["target"], 0.5))), "target", ["target must be a matrix"]),
    ("w-null", json.dumps(_mut(_set(["layers", 0, "W"], None))), "layers[0].W", ["layers[0].W is null"]),
    ("units-zero", json.dumps(_mut(_set(["layers", 0, "units"], 0))), "layers[0].units",
     ["layers[0].units must be a whole number of at least 1; got 0"]),
    ("units-negative", json.dumps(_mut(_set(["layers", 1, "units"], -2))), "layers[1].units", ["got -2"]),
    ("units-fraction", json.dumps(_mut(_set(["layers", 1, "units"], 2.5))), "layers[1].units", ["got 2.5"]),
    ("units-bool", json.dumps(_mut(_set(["layers", 1, "units"], True))), "layers[1].units", ["got true"]),
    ("units-string", json.dumps(_mut(_set(["layers", 1, "units"], "3"))), "layers[1].units", ["got '3'"]),
    ("units-missing", json.dumps(_mut(_del("layers", 1, "units"))), "layers[1].units", ["layers[1].units is missing"]),
    ("units-huge", json.dumps(_mut(_set(["layers", 1, "units"], MAX_UNITS + 1))), "layers[1].units",
     [f"at most {MAX_UNITS}"]),
    ("activation-unknown", json.dumps(_mut(_set(["layers", 0, "activation"], "relu6"))), "layers[0].activation",
     ["layers[0].activation is 'relu6'", "relu"]),
    ("activation-number", json.dumps(_mut(_set(["layers", 0, "activation"], 3))), "layers[0].activation",
     ["layers[0].activation must be a name"]),
    ("activation-extra-key", json.dumps(_mut(_set(["layers", 0, "activation"], {"expr": "z", "code": "x"}))),
     "layers[0].activation", ["unknown field 'code' in layers[0].activation"]),
    ("expr-too-long", json.dumps(_mut(_set(["layers", 0, "activation"], {"expr": "z+" * 150 + "z"}))),
     "layers[0].activation", ["layers[0].activation.expr is 301 characters", "200"]),
    ("loss-unknown", json.dumps(_mut(_set(["loss"], "mse"))), "loss", ["loss is 'mse'", "squared"]),
    ("loss-typo", json.dumps(_mut(_set(["loss"], "sqaured"))), "loss", ["did you mean 'squared'?"]),
    ("loss-not-string", json.dumps(_mut(_set(["loss"], 1))), "loss", ["loss is 1"]),
    ("name-not-string", json.dumps(_mut(_set(["name"], 5))), "name", ["name must be a string"]),
    ("description-not-string", json.dumps(_mut(_set(["description"], ["a"]))), "description",
     ["description must be a string"]),
    ("seed-negative", json.dumps(_mut(_set(["seed"], -1))), "seed", ["seed must be a whole number", "got -1"]),
    ("seed-fraction", json.dumps(_mut(_set(["seed"], 0.5))), "seed", ["got 0.5"]),
    ("seed-string", json.dumps(_mut(_set(["seed"], "0"))), "seed", ["got '0'"]),
    ("layers-empty", json.dumps(_mut(_set(["layers"], []))), "layers", ["layers is empty"]),
    ("layers-not-list", json.dumps(_mut(_set(["layers"], {"units": 1}))), "layers", ["layers must be a list"]),
    ("layer-not-object", json.dumps(_mut(_set(["layers", 1], 3))), "layers[1]", ["layers[1] must be an object"]),
    ("too-many-layers", json.dumps(_mut(_set(["layers"], [{"units": 1}] * (MAX_LAYERS + 1)))), "layers",
     [f"at most {MAX_LAYERS}"]),
    ("too-many-random-weights", json.dumps(_mut(_set(["layers"], [{"units": 4000}, {"units": 4000}, {"units": 1}]))),
     "layers[1].units", ["weights drawn at random"]),
    ("w-transposed", json.dumps(_mut(_set(["layers", 0, "W"], [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]))), "layers[0].W",
     ["layers[0].W must be m^1 x n^1 = 2 x 3 (inputs x units", "got 3 x 2 - is it transposed?"]),
    ("w0-row", json.dumps(_mut(_set(["layers", 0, "W0"], [[0.0, 0.1, 0.0]]))), "layers[0].W0",
     ["layers[0].W0 must be n^1 x 1 = 3 x 1", "is it transposed?"]),
    ("input-size-mismatch", json.dumps(_mut(_set(["input"], [1, 2, 3]))), "layers[0].W",
     ["layers[0].W must be m^1 x n^1 = 3 x 3", "got 2 x 3"]),
    ("target-rows", json.dumps(_mut(_set(["target"], [[0.5], [0.1]]))), "target",
     ["target must be n^L x b = 1 x 1", "got 2 x 1"]),
    ("target-columns", json.dumps(_mut(_set(["target"], [[0.5, 0.1]]))), "target",
     ["target has 2 columns but input has 1"]),
]


@pytest.mark.parametrize("text, field, fragments", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_file_gives_one_line_naming_the_field(tmp_path, text, field, fragments):
    err = expect_error(write(tmp_path, text), *fragments)
    assert err.field == field
    if field:
        assert field.split("[")[0].split(".")[0] in str(err)
    # parse_net gives the same message with its own source name
    with pytest.raises(NetError) as again:
        parse_net(text, source="<typed>")
    assert str(again.value) == "<typed>" + str(err)[len("net.json"):]


def _big_w(bad):
    """A 300 x 300 W (a net file's biggest matrices are like it) with one bad entry at row 250, column 123."""
    rows = [[(i * 7 + j) % 5 - 2 for j in range(300)] for i in range(300)]
    rows[250][123] = bad
    data = base()
    data["layers"] = [{"units": 300, "activation": "relu", "W": [[0.5] * 300]}, {"units": 300, "W": rows},
                      {"units": 1, "W": [[1]] * 300}]
    data["input"], data["target"] = [[1.0]], [[0.0]]
    return json.dumps(data)


@pytest.mark.parametrize("bad, words", [
    (True, "layers[1].W[250][123] is true"), ("3", "layers[1].W[250][123] is the text '3'"),
    (None, "layers[1].W[250][123] is null"), ([1], "layers[1].W[250][123] is a list"),
    (1e400, "layers[1].W[250][123] is not a finite number")])
def test_one_bad_entry_in_a_big_matrix_is_named_exactly(bad, words):
    """The whole-matrix check finds that something is wrong; the entry-by-entry one then names it."""
    text = _big_w(bad) if bad != 1e400 else _big_w(0.25).replace("0.25", "1e400")
    with pytest.raises(NetError) as err:
        parse_net(text, source="big.json")
    assert str(err.value).startswith("big.json: " + words) and "\n" not in str(err.value)
    assert err.value.field == "layers[1].W"


def test_a_big_matrix_loads_its_numbers_exactly():
    net = parse_net(_big_w(0.25))
    W = net.layers[1].W
    assert W.shape == (300, 300) and W.dtype == float
    assert W[250, 123] == 0.25 and W[3, 4] == (3 * 7 + 4) % 5 - 2 and W[0, 0] == -2


def test_numpy_numbers_in_a_dict_are_read_as_numbers():
    """net_from_dict is also called with data made in Python: numpy scalars are numbers too."""
    data = base()
    data["input"] = [[np.float64(1.0)], [np.int64(2)]]
    net = net_from_dict(data)
    assert net.X.tolist() == [[1.0], [2.0]]


def test_bad_files_are_not_valid_against_schema(validator):
    """Every structural error the schema can express is also a schema error (loader and schema agree)."""
    schema_blind = {"not-json", "not-json-line", "empty", "duplicate-key", "nan", "infinity", "huge-number", "huge-int",
                    "ragged", "too-many-random-weights",
                    "w-transposed", "w0-row", "input-size-mismatch", "target-rows", "target-columns"}
    checked = 0
    for name, text, _field, _fragments in BAD:
        if name in schema_blind:
            continue
        data = json.loads(text)
        assert list(validator.iter_errors(data)), f"{name} passes the schema but the loader refuses it"
        checked += 1
    assert checked >= 35


def test_good_variants_pass_schema_and_loader(validator):
    variants = [base(), _mut(_set(["input"], [1, 2])), _mut(_del("seed")), _mut(_del("layers", 1, "activation")),
                _mut(_set(["$schema"], "https://chainview.dev/schemas/net-v1.json")),
                _mut(_set(["layers", 0, "units"], 3.0))]
    for data in variants:
        assert list(validator.iter_errors(data)) == []
        assert net_from_dict(copy.deepcopy(data)).L == 2


def test_messages_are_single_line_even_with_newlines_in_values(tmp_path):
    data = base()
    data["layers"][0]["activation"] = "re\nlu"
    err = expect_error(write(tmp_path, data), "layers[0].activation")
    assert "\n" not in str(err)


def test_hostile_expression_is_refused_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "PWNED"
    for text in ["__import__('os').system('touch PWNED')",
                 "().__class__.__bases__[0].__subclasses__()",
                 "open('PWNED', 'w')",
                 "z.__class__"]:
        data = base()
        data["layers"][1]["activation"] = {"expr": text}
        expect_error(write(tmp_path, data), "layers[1].activation")
        assert not marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.json"]


def test_netfile_never_evaluates():
    source = Path(netfile.__file__).read_text(encoding="utf-8")
    # spelled in pieces so that this test file itself does not contain the banned calls
    for banned in ("ev" + "al(", "ex" + "ec(", "pic" + "kle", "ya" + "ml", "com" + "pile(", "__imp" + "ort__"):
        assert banned not in source, banned


# ------------------------------------------------------------------ reading files

def test_missing_file(tmp_path):
    err = expect_error(tmp_path / "net.json", "no such file")
    assert "net.json" in str(err)


def test_directory(tmp_path):
    (tmp_path / "net.json").mkdir()
    expect_error(tmp_path / "net.json", "folder")


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="root or Windows can read a chmod 000 file")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, base())
    path.chmod(0)
    try:
        expect_error(path, "permission denied")
    finally:
        path.chmod(0o644)


def test_not_utf8(tmp_path):
    expect_error(write(tmp_path, b'{"format": "chainview-net", "name": "caf\xe9"}'), "not UTF-8", "0xe9")
    expect_error(write(tmp_path, json.dumps(base()).encode("utf-16")), "UTF-16")


def test_too_large_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES * 500)        # sparse: 1 GB that is never read
    opened = []
    monkeypatch.setattr(netfile, "open", lambda *a, **k: opened.append(a) or open(*a, **k), raising=False)
    expect_error(path, f"{MAX_FILE_BYTES * 500} bytes", f"at most {MAX_FILE_BYTES} bytes")
    assert opened == []                          # refused on its size alone
    # one byte over the limit is refused too, one under is read (and fails only as JSON)
    with open(path, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    expect_error(path, "at most")
    with open(path, "wb") as f:
        f.write(b" " * (MAX_FILE_BYTES - 1))
    expect_error(path, "empty")


def test_too_large_text_and_bytes():
    big = " " * (MAX_FILE_BYTES + 1)
    expect_error(big, "at most", source="<net>")
    expect_error(big.encode(), "at most", source="<net>")


def test_deeply_nested_json_is_a_net_error():
    expect_error("[" * 100_000 + "]" * 100_000, "nested", source="<net>")


# ------------------------------------------------------------------ saving

def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_writes_loadable_file_and_keeps_permissions(tmp_path):
    net = net_from_dict(base())
    path = tmp_path / "net.json"
    save_net(net, path)
    assert path.read_text(encoding="utf-8") == dumps_net(net)
    assert_same_net(net, load_net(path))
    if os.name == "posix":
        path.chmod(0o640)
        save_net(net, str(path))             # a str path works too
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        fresh = tmp_path / "fresh.json"
        save_net(net, fresh)
        mode = stat.S_IMODE(fresh.stat().st_mode)
        assert mode & 0o600 == 0o600 and mode & 0o111 == 0
    assert _files(tmp_path) == sorted(["net.json"] + (["fresh.json"] if os.name == "posix" else []))


@pytest.mark.parametrize("where", ["fsync", "replace", "write"])
def test_save_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch, where):
    path = tmp_path / "net.json"
    old = b'{"old": "content that must survive"}\n'
    path.write_bytes(old)
    net = net_from_dict(base())

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if where == "fsync":        # the temp file already holds the new text when this fails
        monkeypatch.setattr(netfile.os, "fsync", boom)
    elif where == "replace":
        monkeypatch.setattr(netfile.os, "replace", boom)
    else:                       # the text cannot even be produced
        monkeypatch.setattr(netfile, "dumps_net", lambda net: (_ for _ in ()).throw(RuntimeError("disk on fire")))
    with pytest.raises(NetError) as info:
        save_net(net, path)
    message = str(info.value)
    assert message.startswith(f"cannot save {path}: ") and "\n" not in message
    assert ("No space left" in message) if where != "write" else ("disk on fire" in message)
    assert path.read_bytes() == old
    assert _files(tmp_path) == ["net.json"]


def test_save_failure_on_interrupt_removes_temp(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    path.write_bytes(b"old")
    monkeypatch.setattr(netfile.os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save_net(net_from_dict(base()), path)
    assert path.read_bytes() == b"old" and _files(tmp_path) == ["net.json"]


def test_save_into_missing_folder_or_onto_folder(tmp_path):
    net = net_from_dict(base())
    with pytest.raises(NetError, match=r"^cannot save .*nope.*: "):
        save_net(net, tmp_path / "nope" / "net.json")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(NetError, match=r"^cannot save .*dir\.json: .*folder"):
        save_net(net, tmp_path / "dir.json")
    assert _files(tmp_path) == ["dir.json"]


def test_save_refuses_net_too_big_for_a_file(tmp_path):
    # loads (random weights are not in the file) but holds ~830000 weights: far more than 2 MB as text
    data = base()
    data["layers"][1:] = [{"units": 4096}, {"units": 200}, {"units": 1}]
    net = net_from_dict(data)
    path = tmp_path / "net.json"
    path.write_bytes(b"old")
    with pytest.raises(NetError, match=f"^cannot save .*at most {MAX_FILE_BYTES} bytes"):
        save_net(net, path)
    assert path.read_bytes() == b"old" and _files(tmp_path) == ["net.json"]


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")
def test_save_through_symlink_replaces_the_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    net = net_from_dict(base())
    save_net(net, link)
    assert link.is_symlink()
    assert_same_net(net, load_net(real))


# ------------------------------------------------------------------ schema, docs and examples

def test_schema_matches_the_code():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].startswith("https://")
    props = schema["properties"]
    assert set(props) == set(netfile.TOP_FIELDS)
    assert set(schema["required"]) == {"format", "version", *netfile.REQUIRED}
    assert schema["additionalProperties"] is False
    assert props["format"]["const"] == FORMAT and props["version"]["enum"] == list(netfile.VERSIONS)
    assert tuple(props["loss"]["enum"]) == tuple(LOSS_NAMES)
    assert props["layers"]["maxItems"] == MAX_LAYERS
    layer = schema["$defs"]["layer"]
    assert set(layer["properties"]) == set(netfile.LAYER_FIELDS) and layer["additionalProperties"] is False
    assert layer["properties"]["units"]["maximum"] == MAX_UNITS
    act = schema["$defs"]["activation"]["oneOf"]
    assert tuple(act[0]["enum"]) == tuple(ACTIVATION_NAMES)
    assert act[1]["properties"]["expr"]["maxLength"] == netfile.MAX_EXPR_CHARS
    for name, field in props.items():
        assert field.get("description"), f"{name} has no description"
    for name, field in layer["properties"].items():
        assert field.get("description"), f"layers[].{name} has no description"


def test_docs_example_loads_and_validates(validator):
    text = (ROOT / "docs" / "net-format.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S).group(1)
    data = json.loads(block)
    assert list(validator.iter_errors(data)) == []
    net = parse_net(block)
    assert net.layers[0].W.shape == (2, 3)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_shipped_example_loads_and_validates(path, validator):
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    net = load_net(path)
    assert net.L >= 1
    assert_same_net(net, parse_net(dumps_net(net)))


# ------------------------------------------------------------------ notes (version 2)

def test_notes_round_trip_in_a_version_2_file(tmp_path):
    data = json.loads(Path(EXAMPLES[0]).read_text(encoding="utf-8"))
    data["version"] = 2
    data["notes"] = {"7": "watch the transpose here", "0": "start with the shapes", "3": "  "}
    net = net_from_dict(data)
    assert net.notes == ((0, "start with the shapes"), (7, "watch the transpose here"))    # blank ones dropped
    out = tmp_path / "noted.chainview.json"
    save_net(net, out)
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["version"] == 2 and written["notes"] == {"0": "start with the shapes", "7": "watch the transpose here"}
    assert load_net(out).notes == net.notes
    plain = net_from_dict(json.loads(Path(EXAMPLES[0]).read_text(encoding="utf-8")))
    assert net_to_dict(plain)["version"] == VERSION and "notes" not in net_to_dict(plain)


@pytest.mark.parametrize("notes,words", [
    ({"99": "x"}, ["notes:", "not a step", '"0" to "']),
    ({"-1": "x"}, ["not a step"]),
    ({"07": "x"}, ["not a step"]),
    ({"1": 3}, ['notes["1"] must be a string']),
    ({"1": "x" * 501}, ["501 characters", "at most 500"]),
    (["x"], ["notes must be an object"]),
])
def test_bad_notes_are_one_line(notes, words):
    data = json.loads(Path(EXAMPLES[0]).read_text(encoding="utf-8"))
    data["version"] = 2
    data["notes"] = notes
    with pytest.raises(NetError) as err:
        net_from_dict(data)
    assert "\n" not in err.value.message and all(w in err.value.message for w in words)


def test_notes_need_version_2(validator):
    data = json.loads(Path(EXAMPLES[0]).read_text(encoding="utf-8"))
    data["notes"] = {"1": "x"}
    with pytest.raises(NetError, match='notes needs "version": 2'):
        net_from_dict(data)
    data["version"] = 2
    assert list(validator.iter_errors(data)) == []
    data["notes"] = {"x": "y"}
    assert list(validator.iter_errors(data))


def test_notes_of_steps_a_smaller_net_no_longer_has_are_not_saved(tmp_path):
    from dataclasses import replace
    net = load_net(EXAMPLES[0])
    n = len(schedule(net))
    assert n == len(Session(net).steps)
    net = replace(net, notes=((1, "kept"), (n + 5, "a step of a layer since removed")))
    out = tmp_path / "n.chainview.json"
    save_net(net, out)
    assert load_net(out).notes == ((1, "kept"),)
