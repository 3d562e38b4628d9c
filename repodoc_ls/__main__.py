from repodoc_ls.cli import main

raise SystemExit(main())
