"""What `voiceops run` checks before it serves: a project to serve, and a key for every
provider the served profiles call. Without them the daemon would start and then fail every
session with a blank reply, which is much harder to trace than a refusal to start."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from voiceops.config.loader import profile_files
from voiceops.config.settings import provider_timeout_s
from voiceops.diagnostics import Diagnostic, make
from voiceops.errors import ConfigError, MissingKeyError, UsageError
from voiceops.project import Project, find_project
from voiceops.provider_facts import title
from voiceops.runtime.config import ConfigVersion

__all__ = ["MissingKey", "MissingToolVariable", "check_keys", "key_diagnostics", "missing_keys",
           "missing_tool_variables", "served_project"]

#: A `${VAR}` without a default in a tool's header (headers stay references until a call).
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def served_project() -> Project:
    """The project around the working directory; UsageError when it has no profiles."""
    project = find_project()
    if not project.configs.is_dir():
        raise UsageError("no configs/ folder here or above; `voiceops init` creates a project")
    if not profile_files(project.configs):
        raise UsageError(f"{project.configs}: no .yaml profiles to serve; add one "
                         "(`voiceops init` writes a project with five examples)")
    return project


@dataclass(frozen=True)
class MissingKey:
    """A served profile calls a provider whose key variable is not set."""

    profile: str
    path: str
    provider: str
    uses: tuple[str, ...]  # "llm", "tts fallback", ...
    variable: str

    def __str__(self) -> str:
        return f"{self.profile}: {title(self.provider)} ({', '.join(self.uses)}) needs " \
               f"{self.variable}"


def missing_keys(version: ConfigVersion, env: Mapping[str, str]) -> list[MissingKey]:
    """Each served profile and provider whose key is not set in `env`; its text reads
    "support_hi: Anthropic (llm fallback) needs ANTHROPIC_API_KEY". The variable is the
    one the runtime reads (the profile's `api_key: ${VAR}`, else the provider's own)."""
    from voiceops.catalog.references import targets
    from voiceops.providers.registry import resolve_target

    needs: dict[tuple[str, str, str], list[str]] = {}
    for name in sorted(version.profiles):
        for target in targets(dict(version.profiles[name].data)):
            try:
                resolve_target(target.data, env, provider_timeout_s(target.data))
            except MissingKeyError as exc:
                variable = exc.env_var or "an api_key: ${VAR} in the section"
                use = target.section if target.main else f"{target.section} fallback"
                uses = needs.setdefault((name, exc.provider, variable), [])
                if use not in uses:
                    uses.append(use)
    return [MissingKey(name, version.profiles[name].path, provider, tuple(uses), variable)
            for (name, provider, variable), uses in needs.items()]


@dataclass(frozen=True)
class MissingToolVariable:
    """A served profile's HTTP tool sends a header whose variable is not set: the service
    would refuse every call of it (a token), so the daemon says so before serving."""

    profile: str
    path: str
    tool: str
    request: str  # "POST https://booking.example.com/availability"
    variable: str

    def __str__(self) -> str:
        return f"{self.profile}: tool {self.tool} ({self.request}) needs {self.variable}"


def missing_tool_variables(version: ConfigVersion,
                           env: Mapping[str, str]) -> list[MissingToolVariable]:
    """Each served profile's HTTP tool and header variable (`${VAR}`, no default) that is
    not set in `env`, in the order of the profiles and their tools."""
    from voiceops.config.settings import ToolSettings

    found = []
    for name in sorted(version.profiles):
        profile = version.profiles[name]
        for tool in ToolSettings.all_of(profile.data):
            if tool.http is None:
                continue
            variables = dict.fromkeys(m[1] for value in tool.http.headers.values()
                                      for m in _REFERENCE.finditer(value))
            found += [MissingToolVariable(name, profile.path, tool.name,
                                          f"{tool.http.method} {tool.http.url}", variable)
                      for variable in variables if not env.get(variable)]
    return found


def key_diagnostics(version: ConfigVersion, env: Mapping[str, str]) -> list[Diagnostic]:
    """The missing keys (and tools' header variables) as diagnostics on each profile's
    file (VO330): what a hot reload reports when an edit brings in a provider whose key,
    or a tool whose token, the daemon does not have."""
    return [make("VO330", missing.path, 1, 1, f"{missing}, which is not set in the "
                 "daemon's environment", "set it and restart `voiceops run`, or use a "
                 "provider whose key is set") for missing in missing_keys(version, env)] + [
        make("VO330", missing.path, 1, 1, f"{missing}, which is not set in the daemon's "
             "environment", "set it and restart `voiceops run`")
        for missing in missing_tool_variables(version, env)]


def check_keys(version: ConfigVersion, env: Mapping[str, str]) -> None:
    """ConfigError naming each missing key (and tool header variable), unless every
    served choice has one."""
    lines = [str(missing) for missing in (*missing_keys(version, env),
                                          *missing_tool_variables(version, env))]
    if lines:
        listed = "".join(f"\n  {line}" for line in lines)
        raise ConfigError(f"API keys and tool tokens the served profiles need are not set; "
                          f"nothing was started:{listed}\n  hint: set them in the "
                          "environment, or run "
                          "with --sim to use simulated providers and the simulated booking "
                          "service (no keys needed)")
