from detlint.cli import main

raise SystemExit(main())
