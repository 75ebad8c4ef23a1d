"""The hostile corpus of generate.py, end to end: every malformed model
through the C API, the CLI and the Python binding gets the status it
deserves; all the images in one CLI run, mixed with good samples, each bad
one with its own error and every good one still classified.

    DIGITINFER_PREFIX=PREFIX DIGITINFER_CLI=.build/release/digitinfer-cli \\
        python3 -m pytest -q -p no:cacheprovider Tests/hostile

DIGITINFER_PREFIX (or DIGITINFER_LIBRARY): the library installed by
tools/install.sh, for the C API and binding tests, skipped without it.
DIGITINFER_CLI: digitinfer-cli, default <repo>/.build/release/digitinfer-cli;
the CLI tests skip, saying so, when it is missing. Pillow, when installed,
decodes the images for the binding (it has no decoder of its own).
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SAMPLES = sorted((REPO / "models" / "samples").iterdir())
MNIST = REPO / "models" / "mnist-int8.dgi"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tools" / "python"))

import generate  # noqa: E402

CLI = Path(os.environ.get("DIGITINFER_CLI") or REPO / ".build" / "release" / "digitinfer-cli")
LIBRARY_CONFIGURED = bool(os.environ.get("DIGITINFER_LIBRARY") or os.environ.get("DIGITINFER_PREFIX"))

# Exit statuses of digitinfer-cli (Sources/digitinfer-cli/Failure.swift).
SOME_FAILED = 1
FATAL = 2


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("hostile")
    return outdir, generate.generate(outdir)


@pytest.fixture(scope="module")
def dgi():
    if not LIBRARY_CONFIGURED:
        pytest.skip("set DIGITINFER_PREFIX=PREFIX (tools/install.sh --prefix PREFIX) or DIGITINFER_LIBRARY "
                    "to run the corpus through the C API and the Python binding")
    import digitinfer

    digitinfer.load_library()
    return digitinfer


@pytest.fixture(scope="module")
def cli():
    if not (CLI.is_file() and os.access(CLI, os.X_OK)):
        pytest.skip(f"no digitinfer-cli at {CLI}: build it (swift build -c release --product digitinfer-cli) "
                    "or set DIGITINFER_CLI")
    return CLI


def run_cli(*args, timeout=300):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def sample_digit(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def test_manifest_is_complete(corpus):
    outdir, manifest = corpus
    assert len(manifest["models"]) >= 40 and len(manifest["images"]) >= 40
    for entry in manifest["models"]:
        assert (outdir / entry["file"]).is_file() and entry["status"].startswith("DGI_ERROR_")
    for entry in manifest["images"]:
        assert (outdir / entry["file"]).exists() != bool(entry.get("absent")), entry
    assert json.loads((outdir / "manifest.json").read_text()) == manifest


# --- (i) models through the C API ------------------------------------------------


def test_models_through_the_c_api(corpus, dgi):
    from digitinfer import _lib

    outdir, manifest = corpus
    lib = _lib.lib()
    wrong = []
    for entry in manifest["models"]:
        data = (outdir / entry["file"]).read_bytes()
        # Exactly len(data) bytes of the library's own memory for it to read.
        buffer = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        record = _lib.dgi_model()
        status = lib.dgi_model_open(ctypes.byref(record), buffer, len(data))
        want = dgi.Status[entry["status"][len("DGI_"):]]
        if status != want:
            wrong.append(f"{entry['file']} ({entry['why']}): {status}, expected {int(want)} {entry['status']}")
        elif lib.dgi_model_scratch_size(ctypes.byref(record)) != 0:
            wrong.append(f"{entry['file']}: the record was left open after {entry['status']}")
    assert not wrong, "\n".join(wrong)


# --- (iv) models through the Python binding ---------------------------------------


def test_models_through_the_binding(corpus, dgi):
    outdir, manifest = corpus
    wrong = []
    for entry in manifest["models"]:
        path = outdir / entry["file"]
        want = dgi.Status[entry["status"][len("DGI_"):]]
        for source in (path, path.read_bytes()):
            try:
                dgi.Model(source)
            except dgi.ModelError as error:
                if error.status != want or error.message != dgi.status_message(want):
                    wrong.append(f"{entry['file']}: {error}, expected {entry['status']}")
            else:
                wrong.append(f"{entry['file']} ({entry['why']}): opened, expected {entry['status']}")
    assert not wrong, "\n".join(wrong)


# --- (ii) models through the CLI ----------------------------------------------------


def test_models_through_the_cli(corpus, cli, dgi):
    outdir, manifest = corpus
    image = SAMPLES[0]
    wrong = []
    for entry in manifest["models"]:
        path = outdir / entry["file"]
        out = run_cli("--model", path, image, timeout=60)
        want = dgi.Status[entry["status"][len("DGI_"):]]
        # The library's sentence for the status; an empty file is named as such.
        reason = "empty file" if path.stat().st_size == 0 else dgi.status_message(want)
        lines = out.stderr.splitlines()
        prefix = f"digitinfer-cli: {path}: "
        if (out.returncode != FATAL or out.stdout or len(lines) != 1 or not lines[0].startswith(prefix)
                or reason not in lines[0]):
            wrong.append(f"{entry['file']} ({entry['why']}): exit {out.returncode}, stderr {out.stderr.strip()!r}, "
                         f"stdout {out.stdout.strip()!r}; expected exit {FATAL} and one line {prefix}...{reason}...")
    assert not wrong, "\n".join(wrong)


def test_cli_model_that_is_not_a_file(corpus, cli, tmp_path):
    image = SAMPLES[0]
    for path, reason in ((tmp_path, "is a directory"), (tmp_path / "missing.dgi", "no such file")):
        out = run_cli("--model", path, image, timeout=60)
        assert out.returncode == FATAL and reason in out.stderr and not out.stdout, out


# --- (iii) every image in one CLI run, among good ones --------------------------------


def mixed_arguments(outdir: Path, manifest: dict):
    """[(argument, entry or None for a good sample)]: the samples spread
    among the bad images, one first and one last."""
    bad = [(outdir / entry["file"], entry) for entry in manifest["images"]]
    good = [(path, None) for path in SAMPLES]
    step = max(1, len(bad) // (len(good) - 1))
    mixed = []
    for i, item in enumerate(good):
        mixed.append(item)
        mixed += bad[i * step:(i + 1) * step] if i < len(good) - 1 else []
    mixed[-1:-1] = bad[(len(good) - 1) * step:]  # the rest, before the last good one
    assert sorted(map(str, (a for a, _ in mixed))) == sorted(map(str, (a for a, _ in bad + good)))
    return mixed


def matches(message: str, keywords) -> bool:
    return not keywords or any(k.lower() in message.lower() for k in keywords)


def test_images_in_one_cli_run(corpus, cli):
    outdir, manifest = corpus
    mixed = mixed_arguments(outdir, manifest)
    out = run_cli("--model", MNIST, "--json", *(argument for argument, _ in mixed))
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    # One object per argument, in order: none lost, none added.
    assert [line["file"] for line in lines] == [str(argument) for argument, _ in mixed], \
        f"not one JSON object per argument, in order (exit {out.returncode}); standard error:\n{out.stderr[-3000:]}"
    wrong = []
    for line, (argument, entry) in zip(lines, mixed):
        if entry is None:
            if line.get("digit") != sample_digit(argument):
                wrong.append(f"good {argument.name}: {line}")
        elif "error" not in line or not line["error"].strip():
            wrong.append(f"{entry['file']} ({entry['why']}): no error: {line}")
        elif not matches(line["error"], entry["keywords"]):
            wrong.append(f"{entry['file']} ({entry['why']}): {line['error']!r} names none of {entry['keywords']}")
    assert not wrong, "\n".join(wrong)
    # Each error also on standard error, one line each, naming its file.
    errors = [line for line in out.stderr.splitlines() if line.startswith("digitinfer-cli: ")]
    assert len(errors) == len(manifest["images"]), out.stderr
    assert out.returncode == SOME_FAILED, (out.returncode, out.stderr[-2000:])


def test_decompression_bomb_stays_within_256_mb(corpus, cli):
    """The 16-bit RGBA PNG bomb at the 64-megapixel limit (512 MB of samples
    from 0.5 MB) through the CLI on its own: the peak memory of that one
    process (wait4's rusage) stays within docs/RELIABILITY.md's 256 MB."""
    null = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    outdir, _ = corpus
    pid = os.posix_spawn(str(CLI), [str(CLI), str(outdir / "png-bomb-16bit-rgba.png")], os.environ,
                         file_actions=null)
    _, status, usage = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1  # decoded, then no digit in it
    assert usage.ru_maxrss * 1024 < 256 << 20, f"peak RSS {usage.ru_maxrss // 1024} MiB"


def test_good_images_alone_succeed(cli):
    # The control: the same good images, without the bad ones, exit 0.
    out = run_cli("--model", MNIST, "--json", *SAMPLES, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [json.loads(line)["digit"] for line in out.stdout.splitlines()] == [sample_digit(p) for p in SAMPLES]


# --- (iv) images through the Python binding ------------------------------------------


def test_images_through_the_binding(corpus, dgi):
    """The binding reads no files: Pillow decodes what it can (refusing
    large images: its own bomb guard, set low), and classify_image and
    preprocess get the pixels; each gives a result or the binding's error."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow decodes the images for the binding")
    image_module.MAX_IMAGE_PIXELS = 4_000_000
    warnings = pytest.importorskip("warnings")
    outdir, manifest = corpus
    model = dgi.Model(MNIST)
    decoded = 0
    for entry in manifest["images"]:
        path = outdir / entry["file"]
        if not path.is_file():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                with image_module.open(path) as opened:
                    opened.load()
                    gray = opened.convert("L")
            except Exception:  # Pillow's own verdict on a bad file: not the binding's business
                continue
        decoded += 1
        for call in (model.classify_image, dgi.preprocess):
            for value in (gray, (gray.width, gray.height, gray.tobytes()) if gray.width and gray.height else gray):
                try:
                    call(value)
                except (TypeError, ValueError, dgi.DigitInferError):
                    pass
    # A Pillow image and its bytes are the same image to the binding.
    def outcome(value):
        try:
            return model.classify_image(value)
        except dgi.DigitInferError as error:
            return str(error)

    for path in SAMPLES:
        with image_module.open(path) as opened:
            gray = opened.convert("L")
        assert outcome(gray) == outcome((gray.width, gray.height, gray.tobytes())), path.name
    assert decoded > 0
