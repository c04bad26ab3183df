"""Results on disk: the store (read, merge, write results/<machine>.json), the view the pages read,
the roofline limits a record is compared with, and the notebooks' captured outputs (outputs/*.json).
May import: contract, ramverk.sections."""
