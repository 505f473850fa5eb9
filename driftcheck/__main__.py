from driftcheck._entry import main

raise SystemExit(main())
