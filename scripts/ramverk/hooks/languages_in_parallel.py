"""Build the other languages at the same time as the default one, in one forked process.

static-i18n builds the default language, then each other language in turn from its on_post_build:
a nested `build(config)` into the same site folder. Here those nested builds start earlier, in a
child forked once the default build has its files and navigation (the site folder is clean by then), and
static-i18n's own calls wait for the child instead of building. The pages are built by the same
code from the same state; only the time changes (about half, on two cores).

The child sends back what static-i18n keeps of its nested builds, the search entries; its errors
and warnings are logged by the child itself, and a failed child fails the build. The sitemap,
which lists every language, is written by the last language's build, as without this hook.
A process with threads (`mkdocs serve`) is not forked: it builds one language after the other.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import threading

import mkdocs_static_i18n.plugin as i18n_plugin
from mkdocs import utils
from mkdocs.commands.build import build
from mkdocs.exceptions import Abort
from mkdocs.plugins import event_priority
from mkdocs_static_i18n.utils import I18nLoggingFilter

log = logging.getLogger("mkdocs.hooks.languages_in_parallel")
_child: dict = {}  # "pid", "read" (the end of the pipe it answers on), "locales" (what it builds)


@event_priority(100)  # first on_nav: the site folder is clean, and the sitemap's pages exist
def on_nav(nav, config, files):
    i18n = config.plugins["i18n"]
    others = [locale for locale in i18n.build_languages if locale != i18n.current_language]
    if others and not i18n.building and hasattr(os, "fork") and threading.active_count() == 1:
        _fork(others, config)
    return nav


def on_post_template(output_content, template_name, config):
    if template_name == "sitemap.xml" and "pid" in _child and not config.plugins["i18n"].building:
        return ""  # the child's last build writes it, with every language; MkDocs skips empty output
    return output_content


@event_priority(-99)  # just before static-i18n's on_post_build, which builds the other languages
def on_post_build(config):
    if "pid" in _child and not config.plugins["i18n"].building:
        i18n_plugin.build = _wait_for_child  # put back by its last call


def on_build_error(error):
    """The default build failed: stop the child, and leave static-i18n as it was."""
    i18n_plugin.build = build
    if "pid" in _child:
        os.kill(_child["pid"], signal.SIGKILL)
        os.waitpid(_child["pid"], 0)
        os.close(_child["read"])
    _child.clear()


def _fork(locales: list[str], config) -> None:
    read, write = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.close(write)
        _child.update(pid=pid, read=read, locales=locales)
        return
    os.close(read)
    status = 1
    try:
        entries = _build_languages(locales, config)
        with os.fdopen(write, "wb") as pipe:
            pickle.dump(entries, pipe)
        status = 0
    except Abort as error:  # build() has logged the errors; this says how it ended
        log.error(f"{', '.join(locales)} build: {error}")
    except BaseException:
        log.exception(f"{', '.join(locales)} build failed")
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)  # no atexit handlers, no cleanup of the parent's objects


def _build_languages(locales: list[str], config) -> list:
    """What static-i18n's on_post_build does for the other languages, in this process."""
    i18n = config.plugins["i18n"]
    before = len(i18n.search_entries)
    i18n.building = True
    utils.clean_directory = lambda path: path  # the default build cleaned the site folder
    quiet = I18nLoggingFilter()
    quiet.filtered_prefixes.update({"Documentation built in", "Building documentation to directory"})
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    for locale in locales:
        i18n.current_language = locale
        build(config, dirty="--dirty" in sys.argv or "--dirtyreload" in sys.argv)
    return i18n.search_entries[before:]


def _wait_for_child(config, dirty: bool = False) -> None:
    """Stands in for static-i18n's nested build of each other language: the first call waits for
    the child, which built them all; the last puts static-i18n's build back."""
    pid, read = _child.pop("pid", None), _child.pop("read", None)
    if config.plugins["i18n"].current_language == _child["locales"][-1]:
        i18n_plugin.build = build
        _child.clear()
    if pid is None:
        return
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not answer:
        raise Abort("Aborted: the other languages' build failed (its messages are above)")
    config.plugins["i18n"].search_entries.extend(pickle.loads(answer))
