"""The contract every room shares: the snippet spec, the results model, the site config, the
frameworks table, the catalogue of words the build adds to pages, atomic file writing and the
build memo.
Imports nothing from ramverk outside this folder."""
