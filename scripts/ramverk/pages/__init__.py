"""Reading the pages: the page sources and their includes, the one Markdown scanner, translations,
the glossary, wikilinks, fence and shell-block rules, and the sanitiser.
May import: contract."""
