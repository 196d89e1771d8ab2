"""The test renderer of Helm templates behaves as Go's text/template and Helm do on the
constructs the pinned charts use, and refuses what it does not implement."""

from __future__ import annotations

import pytest
from gotemplate import Renderer, TemplateError, merge, parse, set_value


def render(text: str, values: dict | None = None) -> str:
    nodes, defines = parse(text)
    root = {"Values": values or {}, "Release": {"Name": "r", "Namespace": "ns"}}
    return Renderer(defines).render(nodes, root, root)


def test_trim_markers_remove_the_whitespace_on_their_side_only():
    assert render("a\n  {{- 1 }}\nb") == "a1\nb"
    assert render("a {{ 1 -}}\n\n b") == "a 1b"


def test_conditions_follow_go_truthiness_and_else_if():
    text = '{{ if .Values.a }}A{{ else if eq .Values.b "x" }}B{{ else }}C{{ end }}'
    assert render(text, {"a": [1]}) == "A"
    assert render(text, {"a": [], "b": "x"}) == "B"
    assert render(text, {"a": 0, "b": "y"}) == "C"


def test_and_or_return_an_operand_and_default_replaces_empty_values():
    assert render('{{ and 1 "" 2 }}|{{ or 0 "" "z" }}') == "|z"
    assert render('{{ .Values.missing | default "d" }}{{ .Values.zero | default 7 }}', {"zero": 0}) == "d7"


def test_range_sorts_map_keys_and_scopes_variables():
    text = "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}{{ range .Values.l }}[{{ . }}]{{ end }}"
    assert render(text, {"m": {"b": 2, "a": 1}, "l": ["x", "y"]}) == "a=1;b=2;[x][y]"


def test_assignment_inside_a_block_changes_the_outer_variable():
    text = "{{- $n := 1 -}}{{- with .Values.w }}{{- $n = .v -}}{{ end -}}{{ $n }}"
    assert render(text, {"w": {"v": 5}}) == "5"
    assert render(text, {}) == "1"


def test_include_renders_a_define_and_nindent_indents_it():
    text = '{{- define "x" -}}k: {{ .Release.Name }}\nj: 2{{- end -}}\nm:{{ include "x" . | nindent 2 }}'
    assert render(text) == "m:\n  k: r\n  j: 2"


def test_fields_of_a_parenthesised_result_and_printf():
    text = '{{ (index .Values.p 0).n }}-{{ printf "%s:%d" "a" 3 | quote }}'
    assert render(text, {"p": [{"n": 8000}]}) == '8000-"a:3"'


def test_to_yaml_sorts_keys_and_keeps_multiline_strings_as_blocks():
    assert render("{{ toYaml .Values.v }}", {"v": {"b": "x\ny\n", "a": 1}}) == "a: 1\nb: |\n  x\n  y"


@pytest.mark.parametrize("text", ["{{ upper .Values.a }}", "{{ template \"x\" . }}", "{{ range }}"])
def test_what_the_renderer_does_not_implement_is_refused(text):
    with pytest.raises(TemplateError):
        render(text, {"a": "b"})


def test_set_and_merge_follow_helm():
    values = set_value({"a": {"b": 1}}, "a.c\\.d", "true")
    assert values == {"a": {"b": 1, "c.d": True}}
    assert set_value({}, "l[1].n", "8000") == {"l": [{}, {"n": 8000}]}
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}, "d": 4}) == {"a": {"b": 1, "c": 3}, "d": 4}
