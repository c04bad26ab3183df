from ramverk.cli import main

raise SystemExit(main())
