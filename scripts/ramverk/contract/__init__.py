"""The contract every room shares: the snippet spec, the results model, the site config and the
frameworks table. Imports nothing from ramverk outside this folder."""
