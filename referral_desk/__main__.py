"""`python -m referral_desk` runs the same command as `referral-desk`."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
