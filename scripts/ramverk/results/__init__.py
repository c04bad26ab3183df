"""Results on disk: the store (read, merge, write results/<machine>.json), the view the pages read,
and the roofline limits a record is compared with. May import: contract, ramverk.sections."""
