"""The contributor-safety checks (listed in ramverk/checks/__init__.py)."""

from __future__ import annotations

from ramverk.checks import page_safety
from ramverk.contract import site_config
from ramverk.pages import sanitise, shell_blocks, wikilinks


def images_present() -> list[str]:
    """Every image exists next to the page and has alt text."""
    return page_safety.image_problems()


def nothing_unsafe() -> list[str]:
    """Nothing the build's sanitiser removes (scripts, handlers, javascript:/data: URLs, outside loads)."""
    return page_safety.safety_problems()


def files_safe() -> list[str]:
    """No symbolic links in docs/ or snippets/; no .html or unsafe .svg published from docs/."""
    return sanitise.static_file_problems(site_config.load().root)


def shell_blocks_allowed() -> list[str]:
    """Shell blocks follow the policy in ramverk/pages/shell_blocks.py."""
    return shell_blocks.problems()


def wikilinks_resolve() -> list[str]:
    """Every [[wikilink]] names a page (and heading) in the same language."""
    return wikilinks.problems()


CODE_LINE_LIMIT = 80  # characters: what the desktop code column shows (656 px of 8.18 px glyphs, Playwright)
# Snippets whose exact bytes committed GPU results depend on (a GPU run is the only way to refresh
# them): their long lines wait for the next GPU measurement.
PINNED_BY_GPU_RESULTS = ("snippets/hardware/matmul_gflops.py",)


def code_fits() -> list[str]:
    """No displayed code line is wider than the desktop code column (CODE_LINE_LIMIT characters)."""
    from ramverk.render import notebooks

    return [p for p in notebooks.long_code_lines(CODE_LINE_LIMIT) if not p.startswith(PINNED_BY_GPU_RESULTS)]


def outputs_current() -> list[str]:
    """What every displayed block prints alone, and every notebook's outputs, are committed under outputs/,
    and no stale file lingers."""
    from ramverk.render import block_outputs, notebooks

    return block_outputs.problems() + notebooks.output_problems()
