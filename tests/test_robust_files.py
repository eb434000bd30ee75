"""Issue 9's file defects, each reproduced first: FIFO/device/folder, read-only save, stale temp files,
and messages that were too long or leaked Python's wording."""

from __future__ import annotations

import json
import os
import stat
import threading
import time

import pytest

from chainview.core import example_path
from chainview.core.errors import NetError
from chainview.core.netfile import load_net, parse_net, save_net


def _net_text(units) -> str:
    return ('{"format": "chainview-net", "version": 1, "input": [[1]], "target": [[1]], "loss": "squared", '
            '"layers": [{"units": %s}]}' % units)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_at_once_not_read(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    box = {}

    def load():
        try:
            load_net(fifo)
        except NetError as err:
            box["message"] = err.message

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(5)
    if t.is_alive():                           # unblock the reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("load_net blocked on a named pipe")
    assert "named pipe" in box["message"] and "\n" not in box["message"]


def test_a_device_is_refused():
    with pytest.raises(NetError) as err:
        load_net("/dev/zero")
    assert "not a regular file" in err.value.message or "device" in err.value.message


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NetError) as err:
        load_net(tmp_path)
    assert "folder" in err.value.message


def test_saving_over_a_read_only_file_refuses_and_keeps_it(tmp_path):
    target = tmp_path / "net.json"
    original = example_path("default").read_text()
    target.write_text(original)
    target.chmod(0o444)
    net = load_net(example_path("relu-regression"))
    with pytest.raises(NetError) as err:
        save_net(net, target)
    assert "read-only" in err.value.message and "\n" not in err.value.message
    assert target.read_text() == original
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]


def test_stale_temp_files_of_ours_are_cleaned_up_on_the_next_save(tmp_path):
    target = tmp_path / "net.json"
    net = load_net(example_path("default"))
    save_net(net, target)
    stale = [tmp_path / f".net.json.{tag}.tmp" for tag in ("abcd1234", "x_9y8z7w")]
    for p in stale:
        p.write_text("half a net")
        old = time.time() - 3600
        os.utime(p, (old, old))
    others = [tmp_path / ".other.json.abcd1234.tmp", tmp_path / "net.json.tmp", tmp_path / ".net.json.notes.tmp"]
    for p in others:
        p.write_text("not ours")
    save_net(net, target)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in others)
    assert load_net(target).layers[0].units == net.layers[0].units


def test_a_huge_units_value_gives_a_short_message():
    with pytest.raises(NetError) as err:
        parse_net(_net_text("9" * 4000))
    assert len(err.value.message) < 200 and "units" in err.value.message


def test_a_5000_digit_number_does_not_show_python_wording():
    with pytest.raises(NetError) as err:
        parse_net(_net_text("9" * 5000))
    msg = err.value.message
    assert "sys.set_int_max_str_digits" not in msg and len(msg) < 200
    assert "5000 digits" in msg and "units" in msg


def test_a_long_but_ordinary_number_still_loads():
    net = parse_net(json.dumps({"format": "chainview-net", "version": 1, "input": [[10 ** 30]], "target": [[1]],
                                "loss": "squared", "layers": [{"units": 1, "W": [[1e-30]], "W0": [[0]]}]}))
    assert net.X[0, 0] == 1e30
