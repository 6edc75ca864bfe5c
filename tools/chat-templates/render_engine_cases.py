#!/usr/bin/python3
"""Writes tests/chat/test_jinja_engine.cpp: the Jinja engine's cases per construct, each with the
output (or the error) of jinja2 3.1 under transformers' settings. Edit the cases here, then run

    /usr/bin/python3 tools/chat-templates/render_engine_cases.py > tests/chat/test_jinja_engine.cpp

(Debian's python3-jinja2, hence /usr/bin/python3).
"""
import datetime
import json

import jinja2

from transformers_env import environment

env = environment(datetime.datetime(2025, 6, 15, 9, 30))
USERS = {"users": [{"name": "Ann", "age": 31}, {"name": "bob", "age": 25}]}
MSGS = {"msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1"}, {"role": "assistant", "content": "A"}, {"role": "user", "content": "U2"}]}
D = {"d": {"a": 1, "b": 2}}
groups = {}
groups["Filters"] = [
 ("trim", "[{{ '  a b \n' | trim }}][{{ 'xxaxx' | trim('x') }}]", {}),
 ("length", "{{ 'héllo' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ [1, 2] | count }}", {}),
 ("case", "{{ 'hello wORLD' | upper }} {{ 'HeLLo' | lower }} {{ \"it's a-b (c) dé\" | title }} {{ 'hELLO there' | capitalize }}", {}),
 ("replace", "{{ 'aaa' | replace('a', 'b', 2) }} {{ 'a-b' | replace('-', '') }}", {}),
 ("join", "{{ [1, 'a'] | join(', ') }} {{ users | join('|', attribute='name') }} {{ ['x', 'y'] | join }}", USERS),
 ("first_last", "{{ [3, 4] | first }}{{ [3, 4] | last }}{{ 'abc' | first }}{{ 'abc' | last }}", {}),
 ("default", "{{ missing | default('d') }} {{ '' | default('e', true) }} {{ '' | default('e') }}|{{ none | d('n') }} {{ missing | d }}.", {}),
 ("items_dictsort", "{% for k, v in {'b': 1, 'a': 2} | items %}{{ k }}={{ v }};{% endfor %} {% for k, v in {'b': 1, 'A': 2, 'c': 0} | dictsort %}{{ k }}{% endfor %} {{ {'b': 1, 'a': 2} | dictsort(by='value', reverse=true) }}", {}),
 ("conversions", "{{ 'ab' | list }} {{ 3 | string }} {{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} {{ 3 | float }} {{ 2.9 | int }} {{ true | int }}", {}),
 ("tojson", "{{ {'a': [1, 2.5, none, true], 'é': 'x\"\\n\\u0001', 'n': {}} | tojson }}", {}),
 ("tojson_indent", "{{ d | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ [1, [2, {}]] | tojson(indent=1) }}", {"d": {"a": [1, {"b": None}], "c": "x"}}),
 ("tojson_options", "{{ d | tojson(separators=(',', ':')) }} {{ d | tojson(sort_keys=true) }} {{ 'é' | tojson(ensure_ascii=true) }} {{ 1.0 | tojson }} {{ 1e20 | tojson }}", {"d": {"b": 1, "a": [2, 3]}}),
 ("select_map", "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }} {{ msgs | rejectattr('role', 'eq', 'user') | list | length }} {{ [0, 1, 2, 3] | select('odd') | list }} {{ [0, 1, '', 'a'] | select | list }} {{ [0, 1, '', 'a'] | reject | list }} {{ ['a', 'b'] | map('upper') | list }} {{ msgs[:2] | map(attribute='missing', default='x') | list }} {{ msgs | selectattr('content') | list | length }}", MSGS),
 ("indent", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent('> ', blank=true) }}|{{ 'x\\n' | indent }}", {}),
 ("numbers", "{{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ -3 | abs }} {{ -2.5 | abs }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ 7 | round }}", {}),
 ("unique_sort_reverse", "{{ ['b', 'A', 'a', 'c'] | unique | list }} {{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ users | sort(attribute='age') | map(attribute='name') | join }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }}", USERS),
 ("aggregates", "{{ [1, 2, 3] | sum }} {{ [1, 5, 3] | max }} {{ ['b', 'A'] | min }} {{ users | sum(attribute='age') }} {{ users | max(attribute='age') }} {{ [0.5, 1] | sum(start=1) }}", USERS),
 ("batch", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 0) | list }}", {}),
 ("safe_escape", "{{ '<a>' | safe }} {{ '<a & \"b\">' | e }} {{ 'x' | center(5) }}|{{ 'one two  three' | wordcount }}", {}),
 ("markup", "{{ '<b>' | safe + '<i>' }} {{ '<i>' + ('<b>' | safe) }} {{ ('<b>' | safe) ~ '<i>' }} {{ '<a>' | e + '&' }} {{ '<a>' | e | e }} {{ '<a>' | forceescape }}", {}),
 ("filter_block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}", {}),
]
groups["Tests"] = [
 ("types", "{{ x is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'a' is sequence }} {{ 1 is iterable }}", {"x": 1}),
 ("numbers", "{{ 1 is number }} {{ 1.0 is integer }} {{ 1 is integer }} {{ true is integer }} {{ 1 is float }} {{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 0 is false }} {{ false is false }}", {}),
 ("arithmetic", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2 is equalto 2 }} {{ 2 is eq(3) }} {{ 2 is ne 3 }} {{ 3 is gt 2 }} {{ 3 is lt 2 }} {{ 3 is ge 3 }}", {}),
 ("membership", "{{ 'a' is in 'abc' }} {{ 4 is in [1, 2] }} {{ x is not none }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ none is sameas none }} {{ range is callable }}", {"x": None}),
]
groups["Loops"] = [
 ("variables", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.cycle('o', 'e') }}{% if not loop.first %}<{{ loop.previtem }}{% endif %}{% if not loop.last %}>{{ loop.nextitem }}{% endif %};{% endfor %}", {}),
 ("break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 4 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
 ("else_and_filter", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in range(6) if x is even %}{{ x }}/{{ loop.length }} {% endfor %}|{% for x in missing %}x{% else %}none{% endfor %}", {}),
 ("dicts_and_unpacking", "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %} {% for k, v in {'a': 1}.items() %}{{ k }}{{ v }}{% endfor %} {% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %} {% for c in 'hé' %}[{{ c }}]{% endfor %}", {}),
 ("scoping", "{% set x = 0 %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}{% if true %}{% set y = 5 %}{% endif %}{{ y }}", {}),
 ("namespace", "{% set ns = namespace(count=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.count = ns.count + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.nothing is defined }}", {}),
 ("nested", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}", {}),
 ("range", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(5, 0, -2) | list }}", {}),
]
groups["Assignments"] = [
 ("block_set", "{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]{% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t | upper %}abc{% endset %}{{ t }}", {"name": "Ann"}),
 ("tuple_and_dict_literals", "{% set d = {'k': 'v', 'n': [1, (2, 3)]} %}{{ d.k }}{{ d['n'][1][0] }} {{ d.n | length }}", {}),
]
groups["Macros"] = [
 ("defaults", "{% macro greet(name, greeting='Hi') %}{{ greeting }} {{ name }}{% endmacro %}{{ greet('Bob') }}|{{ greet('Al', greeting='Yo') }}|{{ greet(greeting='Hey', name='C') }}|{{ greet() }}.", {}),
 ("caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ x }}{% endcall %}{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}", {"x": "X"}),
 ("recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}", {}),
 ("sees_template_variables", "{% macro m() %}{{ bos_token }}{{ x }}{% endmacro %}{% set x = 'top' %}{{ m() }}", {"bos_token": "<s>"}),
 ("varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
 ("whitespace_in_macro", "{% macro render(m) %}\n  {{ m.role }}: {{ m.content }}\n{% endmacro %}\n{% for m in msgs %}\n{{ render(m) }}\n{% endfor %}", MSGS),
]
groups["Whitespace"] = [
 ("dash_control", "a  {%- if true -%}  b  {%- endif -%}  c\n{{- ' x ' -}}\n d", {}),
 ("trim_and_lstrip_blocks", "  {% if true %}\n    x\n  {% endif %}\ny\n\t{% for i in [1, 2] %}\n{{ i }}\n\t{% endfor %}\nz", {}),
 ("comments", "a\n  {# c #}\nb\n{#- d -#}\n c {# e #} f\n", {}),
 ("plus_disables", "  {%+ if true %}x{% endif %}\n{% if true +%}\ny{% endif %}", {}),
 ("print_keeps_newline", "{{ 'a' }}\nb  {{ 'c' }}  \n  {{ 'd' }}\n", {}),
 ("tag_after_text_on_line", "text {% if true %}\nx{% endif %} {% if true %}y{% endif %}\n", {}),
 ("crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", {}),
]
groups["Undefined"] = [
 ("prints_empty_and_falsy", "[{{ missing }}]{{ missing is defined }}{% for x in missing %}x{% endfor %}{{ missing | length }}{% if not missing %} falsy{% endif %} {{ missing ~ 'c' }} {{ missing == missing }} {{ 'a' in missing }} {{ missing | string }}|{{ missing | trim }}|{{ missing | join }}|", {}),
 ("missing_attribute", "[{{ d.nope }}][{{ d['nope'] }}][{{ 'abc'.text }}][{{ none.x }}][{{ [1][5] }}]{{ d.nope is defined }}", D),
]
groups["Expressions"] = [
 ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 3 }} {{ 2 ** -1 }} {{ 1 + 2.0 }} {{ 10 / 5 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1e3 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 123456789.125 }} {{ 1e-5 }} {{ -0.0 }}", {}),
 ("sequences", "{{ 'ab' * 2 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' ~ 1 ~ none }} {{ 'a' + 'b' }} {{ 3 * 'x' }}", {}),
 ("logic_and_comparison", "{{ 'b' in 'abc' }} {{ 2 not in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ not 0 }} {{ 1 and 'x' }} {{ 0 or 'y' }} {{ none or [] }} {{ 1 == 1.0 }} {{ 'a' != 'a' }} {{ not 1 == 2 }} {{ 1 >= 1 and 2 <= 1 }} {{ -1 | abs }}", {}),
 ("printing", "{{ [1, 'a', none, true, 2.5, {'k': \"it's\"}] }} {{ {'a': [1], 'b': 'q\"\\n'} }} {{ none }} {{ true }} {{ '' }}|", {}),
 ("slicing", "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3][-2:] }} {{ 'héllo'[1] }} {{ [1, 2, 3][:-1] }} {{ [1, 2, 3][5:] }} {{ 'abc'[-1] }} {{ [1, 2, 3, 4, 5][4:1:-2] }}", {}),
 ("conditional", "{{ 'y' if true else 'n' }}{{ 'y' if false }}|{{ 'a' if 0 else 'b' if 1 else 'c' }}", {}),
 ("string_methods", "{{ ' a b '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ 'xxaxx'.rstrip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'a b c'.split(' ', 1) }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}|{{ 'aXbX'.replace('X', '-') }}|{{ 'Hello'.upper() }}{{ 'Hello'.lower() }}|{{ \"hello wo'rld\".title() }}|{{ 'abcb'.find('b') }}{{ 'abcb'.count('b') }}{{ 'abc'.find('z') }}|{{ '<think>a</think>x'.split('</think>')[-1] }}|{{ '-'.join(['a', 'b']) }}|{{ 'hello'.capitalize() }}", {}),
 ("dict_and_list_methods", "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}|{{ d.keys() | list }}|{{ d.values() | list }}|{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 5) }}|{{ [1, 2, 3].index(2) }}{{ [1, 1].count(1) }}|{{ d.items() | list }}", D),
 ("string_literals", "{{ 'a\\nb\\t\\'c\\' \\u00e9 \\x41' }}|{{ \"double 'q'\" }}|{{ 'con' 'cat' }}", {}),
 ("globals", "{{ strftime_now('%d %B %Y, %A %H:%M') }}|{{ dict(a=1, b='x') }}|{% set c = cycler('x', 'y') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}|{% set j = joiner('+') %}{{ j() }}a{{ j() }}b", {}),
 ("context_values", "{{ messages[0].content }} {{ messages | length }} {{ add_generation_prompt }} {{ tools[0].function.name }} {{ tools | tojson }} {{ n }} {{ f }} {{ nested.list[1] }}", {"messages": [{"role": "user", "content": "Hi"}], "add_generation_prompt": True, "tools": [{"type": "function", "function": {"name": "get", "parameters": {}}}], "n": None, "f": 1.5, "nested": {"list": [1, 2]}}),
]

TREE = {"tree": [{"n": "a", "c": [{"n": "b", "c": [{"n": "c"}]}, {"n": "d", "c": []}]}, {"n": "e"}]}
PEOPLE = {"people": [{"name": "Ann", "city": "Oslo", "age": 31}, {"name": "bob", "city": "oslo", "age": 25}, {"name": "Cid", "city": "Rome", "age": 31}, {"name": "Dee", "age": 40}]}
groups["Statements"] = [
 ("raw", "a\n  {% raw %}\n{{ x }}{% if %}\n  {% endraw %}\nb", {}),
 ("raw_whitespace_control", "a {%- raw -%}  {{ y }}  {%- endraw -%}  b|\n  {%+ raw %}x\n  {%+ endraw +%}\nc|{%raw%}{%endraw%}|{% raw %}{% endraw  %}|{%- raw %} q {% endraw -%} |", {}),
 ("raw_in_block_with_comment_and_tags", "{% if true %}\n  {% raw %}{# c #}{{ x }}{% raw %}\n{% endraw %}\n{% endif %}\n{%  raw  -%}   \n  a{%endraw-%}  \n  b", {}),
 ("raw_then_more_lines", "{% raw %}\n{{ a }}\n{% endraw %}\n{{ 1 + 1 }}", {}),
 ("recursive_loop", "{% for x in tree recursive %}[{{ x.n }} d{{ loop.depth }}/{{ loop.depth0 }} i{{ loop.index }}/{{ loop.length }}{% if x.c %}{{ loop(x.c) }}{% endif %}]{% endfor %}", TREE),
 ("recursive_loop_else_filter", "{% set sep = ',' %}{% for x in tree if x.n != 'b' recursive %}{{ x.n }}{% if x.c is defined %}({{ loop(x.c) }}){% endif %}{{ sep }}{% else %}-{% endfor %}", TREE),
 ("recursive_mapping", "{% for k, v in d.items() recursive %}{{ k }}{% if v is mapping %}{ {{- loop(v.items()) -}} }{% else %}={{ v }}{% endif %};{% endfor %}", {"d": {"a": 1, "b": {"c": 2, "d": {"e": 3}}}}),
 ("loop_is_callable", "{% for x in [1] %}{{ loop is callable }}{% endfor %}", {}),
 ("loop_changed", "{% for m in msgs %}{% if loop.changed(m.role) %}<{{ m.role }}>{% endif %}{{ m.content }} {% endfor %}|{% for x in [1, 1, 2, 2, 1] %}{{ loop.changed(x) }} {% endfor %}", {"msgs": [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}, {"role": "user", "content": "d"}]}),
 ("generation", "{% for m in msgs %}{% if m.role == 'assistant' %}{% generation %}<{{ m.content }}{% set inner = 1 %}>{% endgeneration %}{% else %}{{ m.content }}{% endif %}{{ inner is defined }};{% endfor %}", MSGS),
 ("generation_whitespace", "a\n  {%- generation -%}\n  x {{ loop is defined }}\n{%- endgeneration %}\ny\n{% generation %}\nz\n{% endgeneration %}\n", {}),
 ("set_and_filter_blocks", "{% set x | trim | upper %}  ab  {% endset %}[{{ x }}]{% filter replace('a', 'b') | upper %}aaa{% endfilter %}|{% filter indent(2, true) %}a\nb{% endfilter %}|{% set y %}{% for i in range(3) %}{{ i }}{% endfor %}{% endset %}{{ y | length }}{{ y }}", {}),
 ("set_block_on_namespace", "{% set ns = namespace(a=1) %}{% set ns.a | upper %}x{{ ns.a }}{% endset %}{{ ns.a }}", {}),
 ("call_with_arguments", "{% macro each(items) %}{% for i in items %}{{ caller(i, loop.index) }}{% endfor %}{% endmacro %}{% call(item, n=0) each(['a', 'b']) %}{{ n }}:{{ item }} {% endcall %}|{% macro one() %}{{ caller(x='k') }}{{ caller() }}{% endmacro %}{% call(x='d') one() %}[{{ x }}]{% endcall %}", {}),
 ("loaders_not_reached", "{% if false %}{% include 'x.jinja' %}{% import 'y' as y %}{% from 'z' import a, b as c with context %}{% extends 'w' %}{% endif %}ok", {}),
]
groups["Comparisons"] = [
 ("chained", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 > 2 < 'a' }} {{ 1 == 1 in [1] }} {{ 1 < 2 == 2 }} {{ 'a' < 'b' <= 'b' != 'c' }} {{ not 1 < 2 < 0 }} {{ 0 < x < 10 }} {{ 0 < x < 10 and x != 5 }} {{ 2 in [2] in [[2]] }}", {"x": 5}),
 ("integers", "{{ 9223372036854775807 }} {{ -9223372036854775807 - 1 }} {{ 4611686018427387904 * -2 }} {{ -7 // 2 }} {{ 7 // -2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -9223372036854775807 // -1 }} {{ -9223372036854775807 % 10 }} {{ 9223372036854775807 % -2 }} {{ 2 ** 62 }} {{ big }} {{ big | tojson }} {{ '123456789012345678' | int }} {{ 1_000 }} {{ -big // 3 }} {{ ' 12 ' | int }} {{ '1e3' | int }} {{ 'nan' | int(7) }}", {"big": 9007199254740993}),
]
groups["MoreFilters"] = [
 ("format", "{{ '%s is %d years' | format('Ann', 31.9) }}|{{ '%(a)s-%(b)05.1f' | format(a='x', b=2.25) }}|{{ '%5s|%-5s|%.2s' | format('ab', 'cd', 'xyz') }}|{{ '%x %X %o %#x %+d % d %03d %%' | format(255, 255, 8, 255, 5, 5, -5) }}|{{ '%e %g %G %.3f %r %c' | format(12345.678, 0.00001, 1e20, 2.0005, 'q', 65) }}", {}),
 ("format_spec_details", "{{ '{:,}'.format(1234567) }} {{ '{:_x}'.format(1234567) }} {{ '{:e}'.format(1234.5) }} {{ '{:%}'.format(0.25) }} {{ '{:g}'.format(1e-7) }} {{ '{}'.format(1.5) }} {{ '{:10}'.format(1.5) }} {{ '{:.3}'.format(1.23456) }} {{ '{:>5}'.format(true) }} {{ '{:.2f}'.format(5) }} {{ '{:08.3f}'.format(-3.14159) }} {{ '{:#b}'.format(5) }} {{ '{!r:>6}'.format('a') }} {{ '{:=+7}'.format(12) }} {{ '{:,.2f}'.format(1234567.891) }} {{ '{}|{}'.format(none, [1, 'a']) }}", {}),
 ("undefined_inside_containers", "{{ [x, 1] }} {{ {'k': x} }} {{ 'x' | groupby('a') }}", {}),
 ("percent_operator", "{{ 'Hi %s' % name }} {{ '%s+%s' % (1, 2) }} {{ '%(k)s' % {'k': 'v'} }} {{ '%s' % [1, 2] }} {{ '%d%%' % 50 }}", {"name": "Bo"}),
 ("groupby", "{% for g in people | groupby('city', '?') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | join(',') }};{% endfor %}|{% for city, ps in people | groupby('city', default='?', case_sensitive=true) %}{{ city }}={{ ps | length }};{% endfor %}|{{ people | groupby('age') | map(attribute='grouper') | list }}|{{ [{'a': 1}, {'a': 1}] | groupby('a') }}", PEOPLE),
 ("slice_and_batch", "{{ [1, 2, 3, 4, 5] | slice(3) | list }} {{ [1, 2, 3, 4] | slice(3, 0) | list }} {{ [1, 2] | slice(3) | list }} {{ 'abcde' | batch(2, '-') | list }}", {}),
 ("truncate", "{{ 'foo bar baz qux' | truncate(9) }}|{{ 'foo bar baz qux' | truncate(9, true) }}|{{ 'foo bar baz qux' | truncate(11, false, '…', 0) }}|{{ 'short' | truncate(3, leeway=2) }}|{{ ('a' * 300) | truncate | length }}|{{ 'héllo wörld' | truncate(8, leeway=0) }}", {}),
 ("striptags_urlencode_filesize", "{{ '<p>a  <b>b</b>\n c</p><!-- x -->&amp;&lt;' | striptags }}|{{ 'a b/c?d=é' | urlencode }}|{{ {'q': 'a b', 'n': 1} | urlencode }}|{{ [('x', '&'), ('y', '/')] | urlencode }}|{{ 1 | filesizeformat }} {{ 500 | filesizeformat }} {{ 1500 | filesizeformat }} {{ 1048576 | filesizeformat(true) }} {{ 3e12 | filesizeformat }}", {}),
 ("sort_by_attributes", "{{ people | sort(attribute='age,name') | map(attribute='name') | join(',') }} {{ people | sort(attribute='age', reverse=true) | map(attribute='name') | join(',') }} {{ people | sort(attribute='name', case_sensitive=true) | map(attribute='name') | join(',') }}", PEOPLE),
 ("select_with_tests", "{{ [1, 2, 3, 4] | select('in', [2, 4]) | list }} {{ [1, none, 2] | reject('none') | list }} {{ people | selectattr('city', 'defined') | map(attribute='name') | join }} {{ people | rejectattr('age', 'lt', 30) | map(attribute='name') | join }} {{ people | selectattr('city', 'equalto', 'Oslo') | first | attr('name') }} {{ [1, 2, 3] | select('gt', 1) | select('odd') | list }}", PEOPLE),
 ("map_variants", "{{ ['a', 'b'] | map('replace', 'a', 'x') | join }} {{ ['1', '2'] | map('int') | sum }} {{ people | map(attribute='city', default='-') | join(',') }} {{ [[1, 2], [3]] | map('length') | list }} {{ people | map(attribute='name') | map('upper') | join }}", PEOPLE),
 ("aggregates_with_attributes", "{{ people | sum(attribute='age') }} {{ people | min(attribute='age') | attr('name') }} {{ people | max(attribute='name') | attr('name') }} {{ ['B', 'a', 'C'] | max }} {{ ['B', 'a', 'C'] | max(case_sensitive=true) }} {{ people | unique(attribute='city') | map(attribute='name') | join }} {{ [] | sum }} {{ [[1], [2]] | sum(start=[]) }}", PEOPLE),
 ("indent_center_wordcount", "[{{ 'a\n\nb' | indent(first=true) }}][{{ 'a\n  \nb' | indent(1, blank=true) }}][{{ 'ab' | center(7) }}][{{ 'abc' | center(6) }}]{{ 'Hello, wide world!' | wordcount }}", {}),
 ("xmlattr", "<p{{ {'a': 1, 'b': none, 'c': '<\"', 'd': missing} | xmlattr }}>|{{ {} | xmlattr }}|{{ {'k': 'v'} | xmlattr(false) }}", {}),
 ("dictsort_variants", "{{ {'b': 2, 'A': 3, 'a': 1} | dictsort(case_sensitive=true) }} {{ {'x': 'B', 'y': 'a'} | dictsort(false, 'value') }} {{ {'x': 2, 'y': 1} | dictsort(reverse=true) }}", {}),
 ("filter_and_test_tests", "{{ 'upper' is filter }} {{ 'nope' is filter }} {{ 'defined' is test }} {{ 'nope' is test }} {{ ('<a>' | e) is escaped }} {{ '<a>' is escaped }} {{ 3 is filter }}", {}),
]
groups["Methods"] = [
 ("str_format", "{{ '{} and {}'.format('a', 1) }}|{{ '{1}{0}{1}'.format('x', 'y') }}|{{ '{name}:{n:>4}|{n:<4}|{n:^5}|{n:04d}|{f:.2f}|{f:8.3f}|{s!r}|{{}}|{n:+d}|{b:x}|{t:*^7}'.format(name='k', n=42, f=3.14159, s='q', b=255, t='mid') }}|{{ '{0[a]} {1.role}'.format({'a': 5}, m) }}", {"m": {"role": "user"}}),
 ("str_more", "{{ 'a\nb\r\nc\n'.splitlines() }}|{{ 'a\nb\n'.splitlines(true) }}|{{ 'k=v=w'.partition('=') }}|{{ 'k=v=w'.rpartition('=') }}|{{ 'x'.partition('=') }}|{{ '42'.zfill(5) }}{{ '-4'.zfill(4) }}|{{ 'ab'.ljust(4, '.') }}{{ 'ab'.rjust(4) }}{{ 'ab'.center(6, '*') }}|{{ 'prefix_x'.removeprefix('prefix_') }}{{ 'x.py'.removesuffix('.py') }}|{{ 'ABC'.isupper() }}{{ 'abc'.islower() }}{{ 'Ab Cd'.istitle() }}{{ 'aBc'.swapcase() }}{{ 'AbC'.casefold() }}|{{ 'abcabc'.rfind('b') }}{{ 'abcabc'.rindex('c') }}{{ 'abcabc'.find('b', 2) }}{{ 'abcabc'.count('a', 1) }}{{ 'abcabc'.index('c') }}", {}),
 ("str_strip_replace_affixes", "{{ 'xxhixx'.strip('x') }}|{{ '..a..'.lstrip('.') }}|{{ '..a..'.rstrip('.') }}|{{ 'aaaa'.replace('a', 'b', 2) }}|{{ 'abc'.startswith(('x', 'a')) }}{{ 'abc'.startswith('b', 1) }}{{ 'abc'.endswith('b', 0, 2) }}|{{ ' a b '.split(none, 1) }}{{ ' a  b  '.rsplit(none, 1) }}{{ '  a b c '.split(maxsplit=1) }}|{{ '1,2,3'.rsplit(',', maxsplit=1) }}|{{ 'Hello World'.title() }}|{{ 'hello world'.capitalize() }}|{{ 'a1'.isalnum() }}{{ '12'.isdigit() }}{{ ' '.isspace() }}{{ '12'.isnumeric() }}{{ '12'.isdecimal() }}{{ 'a_b'.isidentifier() }}", {}),
 ("dict_methods", "{{ d.items() | list }}|{{ d.keys() | list }}|{{ d.values() | list }}|{{ d.get('a') }}{{ d.get('zz', 'dflt') }}{{ d.get('zz') }}|{{ d.copy() }}|{{ d | length }}|{{ 'a' in d.keys() }}|{{ d.update }}|{{ d.pop }}|{{ d.setdefault }}", D),
 ("list_methods", "{{ l.index(2) }}{{ l.count(1) }}|{{ l.copy() }}|{{ l.append }}|{{ l.sort }}|{{ (1, 2).count(2) }}{{ (1, 2).index(2) }}", {"l": [1, 2, 1]}),
]
ERRORS = [
 ("syntax_error_names_the_line", "line one\n{% if %}\n", {}, 2),
 ("unclosed_block", "{% for x in y %}\nbody\n", {}, 2),
 ("unknown_tag", "a\n\n{% frobnicate %}", {}, 3),
 ("unknown_filter", "\n{{ x | no_such_filter }}", {}, 2),
 ("unknown_test", "{{ x is no_such_test }}", {}, 1),
 ("unclosed_print", "{{ x ", {}, 1),
 ("stray_endif", "{% endif %}", {}, 1),
 ("break_outside_loop", "{% break %}", {}, 1),
 ("do_is_not_enabled", "{% do x %}", {}, 1),
 ("attribute_of_undefined", "\n\n{{ missing.attr }}", {}, 3),
 ("attribute_of_missing_attribute", "{{ d.nope.deeper }}", D, 1),
 ("undefined_arithmetic", "{{ missing + 1 }}", {}, 1),
 ("str_plus_dict", "{{ 'a' + d }}", D, 1),
 ("raise_exception", "{% if true %}\n{{ raise_exception('Conversation roles must alternate') }}{% endif %}", {}, 2),
 ("calling_undefined", "{{ nothing() }}", {}, 1),
 ("immutable_list", "{% set l = [] %}{{ l.append(1) }}", {}, 1),
 ("immutable_dict", "{% set d = {} %}{{ d.update({'a': 1}) }}", {}, 1),
 ("set_attribute_of_non_namespace", "{% set d = {} %}{% set d.a = 1 %}", {}, 1),
 ("tojson_of_undefined", "{{ missing | tojson }}", {}, 1),
 ("tojson_of_generator", "{{ [1] | map('string') | tojson }}", {}, 1),
 ("length_of_generator", "{{ [1] | select | length }}", {}, 1),
 ("division_by_zero", "{{ 1 // 0 }}", {}, 1),
 ("range_too_big", "{% for i in range(1000000) %}{% endfor %}", {}, 1),
 ("order_of_mixed_types", "{{ 1 < 'a' }}", {}, 1),
 ("not_iterable", "{% for x in 5 %}{% endfor %}", {}, 1),
 ("raw_unclosed", "x\n{% raw %}\nunclosed", {}, 2, "Missing end of raw directive"),
 ("line_after_raw", "{% raw %}\n{{\n{% endraw %}\n{{ missing.x }}", {}, 4, "'missing' is undefined"),
 ("raw_plus_after_is_not_raw", "{% raw +%}x{% endraw %}", {}, 1, "Encountered unknown tag 'raw'"),
 ("loop_without_recursive_marker", "{% for x in [1] %}\n{{ loop([2]) }}{% endfor %}", {}, 2, "The loop must have the 'recursive' marker"),
 ("break_in_generation", "{% for x in [1] %}{% generation %}{% break %}{% endgeneration %}{% endfor %}", {}, 1, "'break' outside loop"),
 ("continue_in_call_block", "{% macro m() %}{{ caller() }}{% endmacro %}{% for x in [1] %}{% call m() %}{% continue %}{% endcall %}{% endfor %}", {}, 1, "'continue' not properly in loop"),
 ("unclosed_generation", "{% generation %}\nx", {}, 2, "'endgeneration'"),
 ("chained_comparison_type_error", "{{ 1 < 2 < 'a' }}", {}, 1, "'<' not supported between instances of 'int' and 'str'"),
 ("include_needs_a_loader", "a\n{% include 'other.jinja' %}", {}, 2, "no loader for this environment specified"),
 ("include_ignore_missing", "{% include ['a', 'b'] ignore missing without context %}", {}, 1, "no loader for this environment specified"),
 ("extends_needs_a_loader", "\n\n{% extends 'base.jinja' %}", {}, 3, "no loader for this environment specified"),
 ("import_needs_a_loader", "{% import 'macros.jinja' as m with context %}", {}, 1, "no loader for this environment specified"),
 ("from_import_needs_a_loader", "x\n{% from 'macros.jinja' import a, b as c %}", {}, 2, "no loader for this environment specified"),
 ("dict_pop_is_unsafe", "{{ d.pop('a') }}", D, 1, "access to attribute 'pop' of 'dict' object is unsafe."),
 ("dict_setdefault_is_unsafe", "\n{{ d.setdefault('c', 3) }}", D, 2, "access to attribute 'setdefault' of 'dict' object is unsafe."),
 ("list_append_is_unsafe", "{% set l = [1] %}\n{% for i in [2] %}{{ l.append(i) }}{% endfor %}", {}, 2, "access to attribute 'append' of 'list' object is unsafe."),
 ("list_sort_is_unsafe", "{{ [2, 1].sort() }}", {}, 1, "access to attribute 'sort' of 'list' object is unsafe."),
 ("format_with_both_kinds", "{{ '%s' | format(1, a=2) }}", {}, 1, "can't handle positional and keyword arguments at the same time"),
 ("percent_too_few_arguments", "{{ '%s %s' % (1,) }}", {}, 1, "not enough arguments for format string"),
 ("truncate_too_short", "{{ 'abcdef' | truncate(2) }}", {}, 1, "expected length >= 3, got 2"),
 ("filesizeformat_of_text", "{{ 'abc' | filesizeformat }}", {}, 1, "could not convert string to float: 'abc'"),
 ("format_spec_on_none", "{{ '{:>5}'.format(none) }}", {}, 1, "unsupported format string passed to NoneType.__format__"),
 ("str_format_missing_key", "{{ '{a}'.format(b=1) }}", {}, 1, "'a'"),
]
def cpp(s):
    out = '"'
    for ch in s:
        if ch == '\\': out += '\\\\'
        elif ch == '"': out += '\\"'
        elif ch == '\n': out += '\\n'
        elif ch == '\t': out += '\\t'
        elif ch == '\r': out += '\\r'
        elif ord(ch) < 0x20: out += '\\x%02x""' % ord(ch)
        else: out += ch
    return out + '"'
def ctx(c):
    c = dict(c)
    return cpp(json.dumps(c, ensure_ascii=False)) if c else '"{}"'
print("""// Engine tests per construct. Every expected string was rendered by jinja2 3.1.2 (Debian's
// /usr/bin/python3) with transformers' environment: ImmutableSandboxedEnvironment(trim_blocks=True,
// lstrip_blocks=True, extensions=[AssistantTracker, loopcontrols]), its tojson filter, raise_exception and
// strftime_now fixed to 2025-06-15 09:30; each error case is one jinja2 rejects too.
// Written by tools/chat-templates/render_engine_cases.py: edit the cases there, not here.
#include <gtest/gtest.h>

#include "jinja_test_support.hpp"

namespace {

using rbee::test::chat::RenderCase;
using rbee::test::chat::ErrorCase;
""")
for g, cases in groups.items():
    print(f"const RenderCase {g.lower()}_cases[] = {{")
    for name, src, c in cases:
        exp = env.from_string(src).render(**c)
        print(f"    {{{cpp(name)}, {cpp(src)},\n     {ctx(c)},\n     {cpp(exp)}}},")
    print("};")
    print(f"TEST(Jinja{g}, RenderAsJinja2) {{\n  for (const auto& c : {g.lower()}_cases) rbee::test::chat::expect_render(c);\n}}\n")
print("const ErrorCase error_cases[] = {")
for name, src, c, line, *words in ERRORS:
    try:
        env.from_string(src).render(**c); raise SystemExit("no error: " + name)
    except SystemExit: raise
    except Exception as e:
        msg = f"{type(e).__name__}: {e}"
    if words and words[0] not in msg: raise SystemExit(f"{name}: jinja2 says {msg!r}, not {words[0]!r}")
    message = f", {cpp(words[0])}" if words else ""
    print(f"    {{{cpp(name)}, {cpp(src)}, {ctx(c)}, {line}{message},\n     /* jinja2: {msg.replace('*/','* /')} */}},")
print("};")
print("TEST(JinjaErrors, RejectedWithTheLine) {\n  for (const auto& c : error_cases) rbee::test::chat::expect_error(c);\n}\n\n}  // namespace")
