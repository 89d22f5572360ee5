"""Settings for ``make bench`` only: production settings plus the floor views' URLs.

``tasks/management/commands/bench_board.py`` serves the app with these
(gunicorn, DEBUG off) so the plain-Django floor is measured in the same
process and the same run as the real pages. Never deploy with them.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403 - the production settings, unchanged

ROOT_URLCONF = "config.bench_urls"
# collectstatic for the bench goes to a scratch folder, not the deployable staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/internboard-bench-static")  # noqa: S108
