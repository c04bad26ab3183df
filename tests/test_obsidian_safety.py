"""import-obsidian reads someone else's vault: files outside it, symlinks, bad encodings and huge files are refused."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from ramverk.contrib import obsidian
from ramverk.verbs import import_obsidian

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def vault(tmp_path) -> Path:
    root = tmp_path / "vault"
    (root / "attachments").mkdir(parents=True)
    (root / "attachments" / "fine.png").write_bytes(PNG)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"SECRET" + PNG)
    return root


def note(vault: Path, body: str | bytes) -> Path:
    path = vault / "note.md"
    path.write_bytes(body if isinstance(body, bytes) else f"# Note\n\n{body}\n".encode())
    return path


def convert(path: Path, vault: Path) -> obsidian.Result:
    return obsidian.convert(path, "en", vault, known=[])


def import_cli(path: Path, vault: Path, tmp_path: Path, monkeypatch, capsys) -> tuple[int, str]:
    """Run the verb against a throwaway site (never the real docs/)."""
    site = SimpleNamespace(languages=["sv", "en"], docs_dir=tmp_path / "site" / "docs", root=tmp_path / "site")
    monkeypatch.setattr(import_obsidian.site_config, "load", lambda: site)
    monkeypatch.setattr(import_obsidian.obsidian.wikilinks, "index", lambda lang: [])
    args = argparse.Namespace(path=path, to="safety/page", lang="en", vault=vault, force=False, report=None)
    code = import_obsidian.run(args)
    return code, capsys.readouterr().out


def test_an_image_inside_the_vault_is_still_copied(vault, tmp_path, monkeypatch, capsys):
    code, out = import_cli(note(vault, "![[fine.png]]"), vault, tmp_path, monkeypatch, capsys)
    assert code == 0, out
    assert (tmp_path / "site" / "docs" / "assets" / "safety" / "fine.png").read_bytes() == PNG


@pytest.mark.parametrize("embed", ["{outside}/secret.png", "../outside/secret.png", "attachments/../../outside/secret.png"])
def test_an_embed_outside_the_vault_is_refused(vault, tmp_path, monkeypatch, capsys, embed):
    path = note(vault, f"![[{embed.format(outside=tmp_path / 'outside')}]]")
    with pytest.raises(obsidian.ObsidianError, match="resolves outside the vault"):
        convert(path, vault)
    code, out = import_cli(path, vault, tmp_path, monkeypatch, capsys)
    assert code == 2 and out.count("\n") == 1 and "note.md:3" in out and "refused" in out, out
    assert not (tmp_path / "site").exists(), "nothing may be written"


def test_a_symlink_out_of_the_vault_is_refused(vault, tmp_path):
    (vault / "attachments" / "link.png").symlink_to(tmp_path / "outside" / "secret.png")
    with pytest.raises(obsidian.ObsidianError, match="outside the vault"):
        convert(note(vault, "![[link.png]]"), vault)


def test_a_symlink_inside_the_vault_is_refused(vault):
    (vault / "attachments" / "alias.png").symlink_to(vault / "attachments" / "fine.png")
    with pytest.raises(obsidian.ObsidianError, match="symlink"):
        convert(note(vault, "![[alias.png]]"), vault)


def test_a_symlinked_folder_out_of_the_vault_is_refused(vault, tmp_path):
    os.symlink(tmp_path / "outside", vault / "images")
    with pytest.raises(obsidian.ObsidianError, match="outside the vault"):
        convert(note(vault, "![[secret.png]]"), vault)


def test_invalid_utf8_is_one_line_naming_the_file(vault, tmp_path, monkeypatch, capsys):
    path = note(vault, b"# Note\n\ncaf\xe9 au lait\n")
    with pytest.raises(obsidian.ObsidianError, match=r"note\.md:3: not UTF-8 text \(byte 0xe9 at offset 11\)"):
        convert(path, vault)
    code, out = import_cli(path, vault, tmp_path, monkeypatch, capsys)
    assert code == 2 and out.count("\n") == 1 and "Traceback" not in out and "note.md" in out, out


def test_a_huge_note_is_refused_before_it_is_read(vault, tmp_path, monkeypatch, capsys):
    path = vault / "note.md"
    with open(path, "wb") as huge:
        huge.truncate(100 << 20)  # sparse: 100 MB that cost nothing to make
    started = time.monotonic()
    code, out = import_cli(path, vault, tmp_path, monkeypatch, capsys)
    assert time.monotonic() - started < 2
    assert code == 2 and "100.0 MiB; a note may be at most 2 MiB" in out, out


def test_a_huge_attachment_is_refused(vault, tmp_path, monkeypatch, capsys):
    with open(vault / "attachments" / "big.png", "wb") as big:
        big.truncate(obsidian.MAX_ATTACHMENT_BYTES + 1)
    code, out = import_cli(note(vault, "![[big.png]]"), vault, tmp_path, monkeypatch, capsys)
    assert code == 2 and "big.png" in out and "an image may be at most 20 MiB" in out, out
    assert not (tmp_path / "site").exists()
