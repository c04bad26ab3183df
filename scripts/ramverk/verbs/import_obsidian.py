"""`import-obsidian PATH`: convert an Obsidian note into a page of the site, and report what did not convert."""

from __future__ import annotations

from pathlib import Path

from ramverk.contract import site_config
from ramverk.contrib import obsidian
from ramverk.contrib.new_note import NAME


def setup(parser) -> None:
    parser.add_argument("path", type=Path, help="the note (.md or .txt)")
    parser.add_argument("--to", required=True, metavar="TOPIC/NAME",
                        help="where it goes: docs/TOPIC/NAME.<lang>.md (run new-note TOPIC/NAME first for the "
                             "pair, the snippet and the nav entry, then import with --force)")
    parser.add_argument("--lang", default="en", help="the note's language (default en)")
    parser.add_argument("--vault", type=Path, help="the Obsidian vault, where embedded images are looked for "
                                                   "(default: the note's folder)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing page")
    parser.add_argument("--report", type=Path, help="also write the report to this file")
    parser.set_defaults(run=run)


def run(args) -> int:
    config = site_config.load()
    if args.lang not in config.languages:
        print(f"import-obsidian: --lang {args.lang}: the site's languages are {', '.join(config.languages)}")
        return 2
    if not NAME.match(args.to):
        print(f"import-obsidian: --to {args.to!r}: write TOPIC/NAME in lower case, e.g. execution/graphs")
        return 2
    if not args.path.is_file():
        print(f"import-obsidian: {args.path}: no such file")
        return 2
    page = config.docs_dir / f"{args.to}.{args.lang}.md"
    if page.exists() and not args.force:
        print(f"import-obsidian: {page.relative_to(config.root)} exists; pass --force to overwrite it")
        return 1
    topic = args.to.split("/")[0]
    assets_dir = config.docs_dir / "assets" / topic  # shared by both language versions
    try:
        result = obsidian.convert(args.path, args.lang, args.vault, assets=f"../assets/{topic}")
        done = obsidian.write(result, page, assets_dir)
    except obsidian.ObsidianError as error:
        print(f"import-obsidian: {error}")
        return 2
    for line in done:
        print(f"import-obsidian: {line}")
    other = [lang for lang in config.languages if lang != args.lang]
    todo = [f"{args.path.name}:0: write docs/{args.to}.{lang}.md (every page exists in every language)"
            for lang in other if not (config.docs_dir / f"{args.to}.{lang}.md").exists()]
    report = result.report.lines + todo
    print(f"import-obsidian: {len(report)} thing(s) to finish by hand:" if report else "import-obsidian: nothing left")
    for line in report:
        print(f"  {line}")
    if args.report:
        args.report.write_text("\n".join(report) + "\n", encoding="utf-8")
    return 0
