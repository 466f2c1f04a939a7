from twincast.cli import main

raise SystemExit(main())
