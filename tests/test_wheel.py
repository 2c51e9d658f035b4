"""The package works installed as a wheel, from another directory, not only from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_wheel_installs_and_answers_from_elsewhere(tmp_path: Path, engine) -> None:
    # Build the wheel with the venv's own setuptools (no isolated env, so nothing is downloaded).
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("assistant-*.whl"))

    # A scratch venv that reuses the project's installed dependencies (no second torch download):
    # a .pth file appends the project venv's site-packages after the scratch venv's own.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    scratch_site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (scratch_site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(scratch_site), str(wheel)],
        check=True,
        capture_output=True,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(HF_HUB_OFFLINE="1", XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_DATA_HOME=str(tmp_path / "data"))
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import assistant; from assistant import Settings; s = Settings(); "
         "print(assistant.__file__); print(s.resolved_corpus_dir()); print(s.resolved_index_dir())"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    assert where[0].startswith(str(scratch_site)), where  # the wheel's copy, not the checkout
    assert where[1].startswith(str(scratch_site)) and (Path(where[1]) / "article.md").is_file()
    assert where[2].startswith(str(tmp_path / "cache")), "the index must go to a writable user directory"

    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "assistant.cli", "ask", "Who developed Keras?"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Chollet" in out.stdout and "[1]" in out.stdout
    assert not any(p.name == "index" for p in scratch_site.joinpath("assistant").iterdir())
