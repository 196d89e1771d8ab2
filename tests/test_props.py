"""The validation engine on its own: coercion of every kind of type hint, the problems it
reports, and how nested and tagged props are built from plain mappings."""

import dataclasses
from collections.abc import Mapping
from typing import Literal

import pytest
from helpers import fields_of

from constructs_lib import ConfigError, Problem, Props, from_mapping


@dataclasses.dataclass(frozen=True, kw_only=True)
class Leaf(Props):
    size: int
    label: str = "x"

    def problems(self) -> list[Problem]:
        return [Problem("size", self.size, "must be even", "use an even size")] if self.size % 2 else []


@dataclasses.dataclass(frozen=True, kw_only=True)
class Tree(Props):
    leaves: tuple[Leaf, ...] = ()
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    choice: Literal["a", "b"] = "a"
    ratio: float = 1.0
    flag: bool = False
    optional: Leaf | None = None
    names: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Red(Props):
    kind: Literal["red"] = "red"
    depth: int = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class Blue(Props):
    kind: Literal["blue"] = "blue"
    width: int = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class Mixed(Props):
    level: Literal[0, 1, True, "on"] = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Holder(Props):
    moved_settings = {"colour": "write it as shape: {kind: ...}"}
    shape: Red | Blue | None = dataclasses.field(default_factory=Red)


def _problems(cls, data):
    with pytest.raises(ConfigError) as caught:
        from_mapping(cls, data)
    return [(p.field, p.message, p.fix) for p in caught.value.problems]


def test_lists_become_tuples_and_mappings_become_props():
    tree = from_mapping(Tree, {"leaves": [{"size": 2}], "optional": {"size": 4}, "names": ["n"]})
    assert tree.leaves == (Leaf(size=2),) and tree.optional == Leaf(size=4) and tree.names == ("n",)


def test_an_int_is_a_float_but_a_bool_is_no_number():
    assert from_mapping(Tree, {"ratio": 2}).ratio == 2.0
    assert fields_of(from_mapping, Tree, {"ratio": True}) == ["ratio"]
    assert fields_of(Leaf, size=True) == ["size"]


def test_literals_match_value_and_type():
    assert fields_of(Tree, choice="c") == ["choice"]
    assert fields_of(from_mapping, Tree, {"flag": "true"}) == ["flag"]


def test_a_literal_choice_equal_in_value_but_not_in_type_is_refused():
    # True == 1 and 0 == False == 0.0: the first equal choice is not always the right one.
    assert Mixed(level=True).level is True and Mixed(level="on").level == "on"
    assert fields_of(Mixed, level=False) == ["level"]
    assert fields_of(Mixed, level=1.0) == ["level"]
    assert fields_of(from_mapping, Mixed, {"level": [1]}) == ["level"]


def test_nested_problems_carry_their_path():
    assert fields_of(from_mapping, Tree, {"leaves": [{"size": 2}, {"size": 3}, {"size": "big"}]}) == [
        "leaves[1].size", "leaves[2].size"]


def test_union_with_a_container_reports_the_container_s_own_problem():
    (problem,) = _problems(Tree, {"optional": {"size": 2, "colour": "red"}})
    assert problem[0] == "optional.colour" and problem[1] == "is not a known setting"
    (problem,) = _problems(Tree, {"names": ["ok", 3]})
    assert problem[0] == "names[1]"


def test_mapping_keys_and_values_must_be_strings():
    found = _problems(Tree, {"tags": {1: "one", "two": 2, "three": True}})
    assert found == [("tags", "has a key that is not a string", "quote the key"),
                     ("tags.two", "must be a string", "quote the value"),
                     ("tags.three", "must be a string", "quote the value")]


def test_unknown_keys_list_the_known_ones_and_moved_ones_say_where():
    (unknown,) = _problems(Leaf, {"size": 2, "colour": "red"})
    assert unknown == ("colour", "is not a known setting", "remove it or use one of: size, label")
    (moved,) = _problems(Holder, {"colour": "red"})
    assert moved == ("colour", "has moved", "write it as shape: {kind: ...}")


def test_cross_field_checks_run_only_on_well_typed_values():
    assert fields_of(Leaf, size=3) == ["size"]  # problems() ran
    assert fields_of(Leaf, size="3") == ["size"]  # it did not: "3" % 2 would raise


def test_a_tag_field_picks_the_class_of_a_union():
    assert from_mapping(Holder, {"shape": {"kind": "blue", "width": 3}}).shape == Blue(width=3)
    assert from_mapping(Holder, {"shape": {"depth": 2}}).shape == Red(depth=2)  # no tag: the first
    assert from_mapping(Holder, {"shape": None}).shape is None
    (problem,) = _problems(Holder, {"shape": {"kind": "blue", "depth": 2}})
    assert problem[0] == "shape.depth"  # reported against Blue, the class asked for
    (problem,) = _problems(Holder, {"shape": {"kind": "green"}})
    assert problem[:2] == ("shape.kind", "must be one of 'red', 'blue'")


def test_a_top_level_value_that_is_not_a_mapping():
    assert _problems(Leaf, ["size"]) == [("", "must be a mapping with Leaf fields", "write a mapping of keys")]


def test_the_app_carries_its_resolved_gateway(monkeypatch):
    """The pools in front of the servers are derived once per configuration, not once per
    server and stack."""
    from constructs_lib import InferenceGatewayProps
    from stacks.config import AppConfig

    calls = []
    resolve = InferenceGatewayProps.resolve
    monkeypatch.setattr(InferenceGatewayProps, "resolve",
                        lambda self, servers: calls.append(1) or resolve(self, servers))
    config = AppConfig()
    assert len(calls) == 2  # the gateway's own checks, then the pools the app carries
    targets = [config.pool_target(server) for server in config.model_servers * 3]
    assert config.pool_of_servers is config.pool_of_servers and len(calls) == 2
    assert targets[0] is not None and targets[0].name == config.pool_of_servers[config.model_servers[0].name]
