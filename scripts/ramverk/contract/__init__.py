"""The contract every room shares: the snippet spec, the results model, the site config, the
frameworks table and the catalogue of words the build adds to pages. Imports nothing from ramverk
outside this folder."""
