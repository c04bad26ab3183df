"""Contributor tools: start a note (new_note, nav) and import an Obsidian note.
May import: contract, pages."""
