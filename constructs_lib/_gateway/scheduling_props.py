"""Typed inputs of the endpoint picker's scheduling: a named profile, or the plugins of a
``custom`` one, checked against the plugin table of the picker release the chart runs.

What each profile holds and why is in ``scheduling_profiles``; this module only says what
a user may write.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from constructs_lib._core import checks as checks
from constructs_lib._core.errors import Problem
from constructs_lib._core.props import Props
from constructs_lib._core.releases import Version
from constructs_lib._gateway.picker_plugins import (
    NOT_OFFERED,
    OTHER_REGISTERED,
    REFUSED_PARAMETERS,
    PluginType,
    plugins_of,
)

ProfileName = Literal["balanced", "shared-prefix", "lora-adapters", "latency-target", "custom"]
#: Plugin kinds a custom profile may list; producers are declared by the package itself,
#: beside the plugins that consume what they produce.
LISTABLE_KINDS = ("filter", "scorer", "picker", "admitter")


@dataclasses.dataclass(frozen=True, kw_only=True)
class PluginEntry(Props):
    """One plugin of a ``custom`` profile, in the order the picker runs them (filters in
    the order given, then every scorer, then the picker).

    Attributes:
        type: the plugin type, as the picker release registers it (``queue-scorer``).
        name: the instance name, needed only to use one type twice with different
            parameters. Default ``None``: the type.
        weight: a scorer's weight; its score in [0, 1] is multiplied by it and summed.
            Default ``None``: the picker's default weight, 1. Only scorers take one.
        parameters: the plugin's parameters, by their JSON names; checked against the
            release, since the picker itself ignores a key it does not know. Default: none.
    """

    type: str
    name: str | None = None
    weight: float | None = None
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def instance(self) -> str:
        return self.name if self.name is not None else self.type

    def problems(self) -> list[Problem]:
        found = list(checks.not_blank("type", self.type, "give a plugin type such as queue-scorer"))
        if self.name is not None:
            found += checks.not_blank("name", self.name, "give the instance a name, or leave name out")
            found += checks.free_text("name", self.name)
        return found

    def release_problems(self, table: Mapping[str, PluginType], release: str) -> list[Problem]:
        """What the picker release would reject or silently ignore in this entry."""
        plugin = table.get(self.type)
        if plugin is None or plugin.kind not in LISTABLE_KINDS:
            return [self._type_problem(table, release, plugin)]
        found: list[Problem] = []
        if self.weight is not None and self.weight <= 0:
            found.append(Problem("weight", self.weight, "is not positive, so the scorer would count for nothing "
                                 "or against its own preference", "give a weight above 0, or remove the plugin"))
        elif self.weight is not None and plugin.kind != "scorer":
            found.append(Problem("weight", self.weight, f"is set on a {plugin.kind}, and only scorers take a weight",
                                 "remove weight"))
        for key, value in self.parameters.items():
            parameter = plugin.parameters.get(key)
            if parameter is None and key in REFUSED_PARAMETERS:
                found.append(Problem(f"parameters.{key}", value, *REFUSED_PARAMETERS[key]))
            elif parameter is None:
                found.append(Problem(f"parameters.{key}", value,
                                     f"is not a parameter of {self.type} at {release}, which would ignore it",
                                     _parameter_fix(key, plugin)))
            else:
                found += parameter.problems(f"parameters.{key}", value)
        return found

    def _type_problem(self, table: Mapping[str, PluginType], release: str, plugin: PluginType | None) -> Problem:
        if plugin is not None:
            return Problem("type", self.type, f"is a {plugin.kind}, which the package declares itself where needed",
                           "remove it")
        if self.type in NOT_OFFERED:
            return Problem("type", self.type, *NOT_OFFERED[self.type])
        if self.type in OTHER_REGISTERED:
            return Problem("type", self.type, f"is registered by the {release} picker but is not a scheduling plugin "
                           "(data sources, parsers, detectors and flow control are configured by the app or the "
                           "picker's defaults)", "remove it")
        listable = sorted(name for name, known in table.items() if known.kind in LISTABLE_KINDS)
        close = difflib.get_close_matches(self.type, listable, n=1, cutoff=0.75)
        return Problem("type", self.type, f"is not a plugin type of the {release} endpoint picker",
                       f"did you mean {close[0]}?" if close else f"use one of: {', '.join(listable)}")


def _parameter_fix(key: str, plugin: PluginType) -> str:
    if not plugin.parameters:
        return "remove it: the plugin takes no parameters"
    close = difflib.get_close_matches(key, list(plugin.parameters), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else f"use one of: {', '.join(plugin.parameters)}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class SchedulingProps(Props):
    """How each pool's endpoint picker chooses a pod (the v1 path only: the v0.3.0 picker
    the module installs reads no plugin configuration).

    Attributes:
        profile: ``balanced`` (default; the chart's own weights), ``shared-prefix`` (long
            shared prompts: keep a request where its prefix is cached), ``lora-adapters``
            (many adapters: keep a request where its adapter is loaded), ``latency-target``
            (TTFT/TPOT targets per request, with the chart's latency predictor), or
            ``custom`` with ``plugins``. ``main.py --explain`` says what each weighs and why.
        plugins: the plugins of a ``custom`` profile; only with ``custom``.
        streaming: whether clients stream responses (``"stream": true``), for the latency
            predictor (``latency-target``, or latency plugins in ``custom``). Default
            ``True``: it learns time to first token and time per output token, and honours
            both ``x-slo-ttft-ms`` and ``x-slo-tpot-ms``. ``False``: it learns end-to-end
            latency, compares ``x-slo-ttft-ms`` with that, and ignores ``x-slo-tpot-ms``
            (the predictor's ``streamingMode``).
    """

    profile: ProfileName = "balanced"
    plugins: tuple[PluginEntry, ...] = ()
    streaming: bool = True

    def problems(self) -> list[Problem]:
        if self.profile == "custom" and not self.plugins:
            return [Problem("plugins", [], "is empty, and profile custom takes its plugins from it",
                            "list the plugins, or choose a named profile")]
        if self.profile != "custom" and self.plugins:
            return [Problem("plugins", f"[{len(self.plugins)} plugins]",
                            f"is given with profile {self.profile}, which brings its own",
                            "set profile: custom, or remove plugins")]
        return []

    def release_problems(self, release: Version, release_tag: str) -> list[Problem]:
        """The custom plugins checked against the picker release's table."""
        table = plugins_of(release)
        found = [problem.under(f"plugins[{index}]")
                 for index, entry in enumerate(self.plugins)
                 for problem in entry.release_problems(table, release_tag)]
        found += checks.unique("plugins", (entry.instance for entry in self.plugins), "plugin name")
        registered = {*table, *NOT_OFFERED, *OTHER_REGISTERED}
        for index, entry in enumerate(self.plugins):
            if entry.name is not None and entry.name in registered and entry.name != entry.type:
                found.append(Problem(f"plugins[{index}].name", entry.name,
                                     "is the name of another plugin type, which the app or the picker may add under "
                                     "that name, so one would replace the other", "choose another name"))
        prefix_settings = {tuple(sorted(entry.parameters.items(), key=str)) for entry in self.plugins
                           if entry.type == "prefix-cache-scorer"}
        if len(prefix_settings) > 1:
            found.append(Problem("plugins", "prefix-cache-scorer", "is listed with different parameters, but the "
                                 "picker keeps one prefix index, set from the last entry's parameters",
                                 "give every prefix-cache-scorer the same parameters"))
        pickers = [entry.type for entry in self.plugins if _kind(table, entry.type) == "picker"]
        if len(pickers) > 1:
            found.append(Problem("plugins", pickers, "lists more than one picker, and a profile runs one",
                                 "keep one picker"))
        return found


def _kind(table: Mapping[str, PluginType], type_name: str) -> str | None:
    plugin = table.get(type_name)
    return plugin.kind if plugin is not None else None


def flag_values(args: Sequence[str], flag: str) -> Iterator[str]:
    """Every value given to ``flag`` in vLLM arguments, as ``--flag v`` or ``--flag=v``."""
    for index, arg in enumerate(args):
        if arg == flag and index + 1 < len(args):
            yield args[index + 1]
        elif arg.startswith(f"{flag}="):
            yield arg.split("=", 1)[1]
