"""Semihosting: files confined to --semihost-dir, argv, stdout passthrough, exit codes."""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, elf_path, entries, entry_id, read_json

SEMIHOST_IO = entries("semihost_io")


def _dir_with_input(tmp_path, text: str = "Mixed Case input, 42 ok!\n"):
    shdir = tmp_path / "sh"
    shdir.mkdir()
    (shdir / "input.txt").write_text(text)
    return shdir


@pytest.mark.parametrize("entry", SEMIHOST_IO, ids=entry_id)
def test_file_io_round_trip(cli, tmp_path, entry):
    text = "".join(chr(32 + i % 95) for i in range(3000)) + "\n"  # most of the 4 KiB buffer
    shdir = _dir_with_input(tmp_path, text)
    outside = tmp_path / "outside.txt"
    outside.write_text("must not be read\n")
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir,
            elf_path(entry["elf"]), "--", *entry["args"])
    assert r.rc == 0, r.out
    assert f"input.txt: {len(text)} bytes" in r.out
    assert (shdir / "output.txt").read_text() == text.upper()
    assert "../outside.txt: open failed" in r.out and "PASS" in r.out
    assert outside.read_text() == "must not be read\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "sh"]


def test_argv(cli, tmp_path):
    entry = SEMIHOST_IO[0]
    shdir = _dir_with_input(tmp_path)
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir,
            elf_path(entry["elf"]), "--", "alpha", "beta", "--gamma=3")
    assert r.rc == 0
    lines = r.out.splitlines()
    assert lines[:5] == ["argc=4", f"argv[0]={entry['elf']}", "argv[1]=alpha", "argv[2]=beta",
                         "argv[3]=--gamma=3"]


def test_missing_input_is_the_firmwares_error(cli, tmp_path):
    entry = SEMIHOST_IO[0]
    shdir = tmp_path / "empty"
    shdir.mkdir()
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir, elf_path(entry["elf"]))
    assert r.rc == 1
    assert "FAIL: cannot open input.txt" in r.out
    assert list(shdir.iterdir()) == []


def test_symlink_out_of_the_dir_is_refused(cli, tmp_path):
    """input.txt is a symlink to a file outside --semihost-dir: opening it must fail."""
    entry = SEMIHOST_IO[0]
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the sandbox\n")
    shdir = tmp_path / "sh"
    shdir.mkdir()
    (shdir / "input.txt").symlink_to(secret)
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir, elf_path(entry["elf"]))
    assert r.rc == 1
    assert "FAIL: cannot open input.txt" in r.out
    assert "outside the sandbox" not in r.out
    assert not (shdir / "output.txt").exists()


def test_stdout_in_json_equals_what_was_printed(cli, tmp_path):
    entry = SEMIHOST_IO[0]
    shdir = _dir_with_input(tmp_path)
    out = tmp_path / "r.json"
    r = cli("run", "--quiet", "--board", entry["board"], "--semihost-dir", shdir, "--json", out,
            elf_path(entry["elf"]), "--", "a")
    assert r.rc == 0
    data = read_json(out)
    assert data["stdout"] == r.out
    assert data["diagnostics"]["semihosting_calls"] > 10


def _argv_run(cli, tmp_path, *args):
    entry = SEMIHOST_IO[0]
    shdir = _dir_with_input(tmp_path)
    return cli("run", elf_path(entry["elf"]), "--board", entry["board"], "--quiet",
               "--semihost-dir", shdir, "--", *args)


def _printed_argv(out: str) -> list[str]:
    lines = out.splitlines()
    argc = int(lines[0].removeprefix("argc="))
    return [line.split("=", 1)[1] for line in lines[2:argc + 1]]  # argv[1..]


@pytest.mark.parametrize("args", [["", "end"], ["tab\tx", "end"], ["it's", 'say "hi"', "end"],
                                  ["a'b\"c", "end"]], ids=["empty", "tab", "one-quote-kind", "both-quote-kinds"])
def test_argv_arrives_exactly(cli, tmp_path, args):
    r = _argv_run(cli, tmp_path, *args)
    assert r.rc == 0, r.err
    assert _printed_argv(r.out) == args


def test_argv_that_crt0_cannot_represent_is_refused_not_mangled(cli, tmp_path):
    """newlib's crt0 splits the command line on blanks with '...' or "..." quoting and no
    escapes: an argument with a blank and both quote kinds cannot reach the firmware intact."""
    args = ["it's \"x\"", "end"]
    r = _argv_run(cli, tmp_path, *args)
    if r.rc == 0:
        assert _printed_argv(r.out) == args
    else:
        assert_clean_error(r)


def test_argv_longer_than_the_firmwares_buffer_is_not_silently_cut(cli, tmp_path):
    """rdimon's crt0 asks SYS_GET_CMDLINE for at most 256 bytes: a longer command line must
    either arrive whole or be refused with a message, not truncated mid-argument."""
    args = [f"arg{i:03d}" for i in range(60)]  # 60 * 7 bytes: well past 256
    r = _argv_run(cli, tmp_path, *args)
    if r.rc == 0:
        assert _printed_argv(r.out) == args
    else:
        message = assert_clean_error(r)
        assert "256" in message or "command line" in message
