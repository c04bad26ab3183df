"""The contributor-safety checks, registered with `check` (scripts/ramverk/verbs/check.py imports this)."""

from __future__ import annotations

from ramverk import page_safety, sanitise, shell_blocks, site_config, wikilinks
from ramverk.verbs.check import check


@check("images")
def _images() -> list[str]:
    """Every image exists next to the page and has alt text."""
    return page_safety.image_problems()


@check("safety")
def _safety() -> list[str]:
    """Nothing the build's sanitiser removes (scripts, handlers, javascript:/data: URLs, outside loads)."""
    return page_safety.safety_problems()


@check("files")
def _files() -> list[str]:
    """No symbolic links in docs/ or snippets/; no .html or unsafe .svg published from docs/."""
    return sanitise.static_file_problems(site_config.load().root)


@check("shell-blocks")
def _shell_blocks() -> list[str]:
    """Shell blocks follow the policy in ramverk/shell_blocks.py."""
    return shell_blocks.problems()


@check("wikilinks")
def _wikilinks() -> list[str]:
    """Every [[wikilink]] names a page (and heading) in the same language."""
    return wikilinks.problems()


CODE_LINE_LIMIT = 80  # characters: what the desktop code column shows (656 px of 8.18 px glyphs, Playwright)
# Snippets whose exact bytes committed GPU results depend on (a GPU run is the only way to refresh
# them): their long lines wait for the next GPU measurement.
PINNED_BY_GPU_RESULTS = ("snippets/hardware/matmul_gflops.py",)


@check("code-width")
def _code_width() -> list[str]:
    """No displayed code line is wider than the desktop code column (CODE_LINE_LIMIT characters)."""
    from ramverk import notebooks

    return [p for p in notebooks.long_code_lines(CODE_LINE_LIMIT) if not p.startswith(PINNED_BY_GPU_RESULTS)]


@check("outputs")
def _outputs() -> list[str]:
    """Every notebook's captured outputs are committed under outputs/, and no stale file lingers."""
    from ramverk import notebooks

    return notebooks.output_problems()
