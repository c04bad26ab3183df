"""`new-note TOPIC/NAME`: the sv/en page pair, a measured snippet skeleton and the nav entry, ready to fill."""

from __future__ import annotations

from ramverk.contract import site_config
from ramverk.contrib import new_note
from ramverk.contrib.nav import NavError


def setup(parser) -> None:
    parser.add_argument("spec", metavar="TOPIC/NAME", help="e.g. execution/tf-function (lower case, hyphens)")
    parser.add_argument("--title-sv", help="the Swedish page title (also the nav title)")
    parser.add_argument("--title-en", help="the English page title")
    parser.add_argument("--section-sv", help="the Swedish nav section, if the topic has none yet")
    parser.add_argument("--section-en", help="the English nav section, if the topic has none yet")
    parser.add_argument("--frameworks", default="torch,jax",
                        help=f"comma-separated, from {','.join(new_note.FRAMEWORKS)} (default torch,jax)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.set_defaults(run=run)


def run(args) -> int:
    root = site_config.load().root
    try:
        done = new_note.create(
            root, args.spec, args.title_sv, args.title_en, args.section_sv, args.section_en,
            [fw.strip() for fw in args.frameworks.split(",") if fw.strip()], args.force,
        )
    except (ValueError, FileExistsError, NavError) as error:
        print(f"new-note: {error}")
        return 1
    for line in done:
        print(f"new-note: {line}")
    topic, name = args.spec.split("/")
    print(
        "new-note: next: write the pages, replace the snippet's computation, then\n"
        f"  python snippets/{topic}/{name.replace('-', '_')}.py      # runs it\n"
        "  python -m ramverk check                      # fast checks\n"
        "  RAMVERK_PENDING_RESULTS=1 mkdocs build --strict   # the site, before results exist"
    )
    return 0
