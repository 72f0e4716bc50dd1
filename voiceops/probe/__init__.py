"""`voiceops probe`: one minimal real request per distinct provider choice of the profiles
(fallbacks included), reported as diagnostics on the profiles' lines.

    result = await probe([Path("configs")], os.environ)
    print(render(result, "text"))

`plan` finds the distinct choices, `calls` makes one call for each through voiceops' own
clients (so a probe fails exactly where a session would), `report` turns failures into
diagnostics (a retired model, a refused setting, a voice the account cannot use, a key
refused or not set) and renders them with validate's reporters plus each call's time and
cost. Meant for a nightly CI job with the real keys; the tests run it against the
simulators, which answer with the providers' own error bodies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path

from voiceops.catalog.resolve import Catalog
from voiceops.catalog.sources import offline_catalog
from voiceops.config.loader import ProfileLoader
from voiceops.probe.calls import Call, make_call
from voiceops.probe.plan import plan
from voiceops.probe.report import ProbeResult, render, result_of
from voiceops.project import find_project
from voiceops.providers.registry import ProviderPool
from voiceops.validation.validator import expand_paths

__all__ = ["Call", "ProbeResult", "probe", "render"]

#: Calls in flight at once: enough to finish a project quickly, few enough for rate limits.
CONCURRENCY = 4


async def probe(paths: Sequence[Path], env: Mapping[str, str],
                catalog: Catalog | None = None) -> ProbeResult:
    """Probe every choice of the profiles in `paths` (files or folders) with `env`'s keys.

    Voice names resolve through `catalog` (default: the project's lock, then the bundled
    snapshot). Profiles that do not load are skipped (`voiceops validate` reports why)."""
    loader = ProfileLoader(env)
    files = expand_paths(paths)
    loaded = [profile for profile, _ in map(loader.load, files) if profile is not None]
    if catalog is None:
        catalog = offline_catalog(find_project(paths[0] if paths else None))
    choices = plan(loaded, catalog)
    gate = asyncio.Semaphore(CONCURRENCY)
    async with ProviderPool() as pool:
        async def one(choice_index: int) -> Call:
            async with gate:
                return await make_call(choices[choice_index], env, pool)

        calls = await asyncio.gather(*(one(i) for i in range(len(choices))))
    return result_of(calls, [(f, loader.display(f)) for f in files])
