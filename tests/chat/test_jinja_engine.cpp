// Engine tests per construct. Every expected string was rendered by jinja2 3.1.2 (Debian's
// /usr/bin/python3) with transformers' environment: ImmutableSandboxedEnvironment(trim_blocks=True,
// lstrip_blocks=True, extensions=[loopcontrols]), its tojson filter, raise_exception and
// strftime_now fixed to 2025-06-15 09:30; each error case is one jinja2 rejects too.
// Written by tools/chat-templates/render_engine_cases.py: edit the cases there, not here.
#include <gtest/gtest.h>

#include "jinja_test_support.hpp"

namespace {

using rbee::test::chat::RenderCase;
using rbee::test::chat::ErrorCase;

const RenderCase filters_cases[] = {
    {"trim", "[{{ '  a b \n' | trim }}][{{ 'xxaxx' | trim('x') }}]",
     "{}",
     "[a b][a]"},
    {"length", "{{ 'héllo' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ [1, 2] | count }}",
     "{}",
     "5 2 1 2"},
    {"case", "{{ 'hello wORLD' | upper }} {{ 'HeLLo' | lower }} {{ \"it's a-b (c) dé\" | title }} {{ 'hELLO there' | capitalize }}",
     "{}",
     "HELLO WORLD hello It's A-B (C) Dé Hello there"},
    {"replace", "{{ 'aaa' | replace('a', 'b', 2) }} {{ 'a-b' | replace('-', '') }}",
     "{}",
     "bba ab"},
    {"join", "{{ [1, 'a'] | join(', ') }} {{ users | join('|', attribute='name') }} {{ ['x', 'y'] | join }}",
     "{\"users\": [{\"name\": \"Ann\", \"age\": 31}, {\"name\": \"bob\", \"age\": 25}]}",
     "1, a Ann|bob xy"},
    {"first_last", "{{ [3, 4] | first }}{{ [3, 4] | last }}{{ 'abc' | first }}{{ 'abc' | last }}",
     "{}",
     "34ac"},
    {"default", "{{ missing | default('d') }} {{ '' | default('e', true) }} {{ '' | default('e') }}|{{ none | d('n') }} {{ missing | d }}.",
     "{}",
     "d e |None ."},
    {"items_dictsort", "{% for k, v in {'b': 1, 'a': 2} | items %}{{ k }}={{ v }};{% endfor %} {% for k, v in {'b': 1, 'A': 2, 'c': 0} | dictsort %}{{ k }}{% endfor %} {{ {'b': 1, 'a': 2} | dictsort(by='value', reverse=true) }}",
     "{}",
     "b=1;a=2; Abc [('a', 2), ('b', 1)]"},
    {"conversions", "{{ 'ab' | list }} {{ 3 | string }} {{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} {{ 3 | float }} {{ 2.9 | int }} {{ true | int }}",
     "{}",
     "['a', 'b'] 3 43 0 2.5 3.0 2 1"},
    {"tojson", "{{ {'a': [1, 2.5, none, true], 'é': 'x\"\\n\\u0001', 'n': {}} | tojson }}",
     "{}",
     "{\"a\": [1, 2.5, null, true], \"é\": \"x\\\"\\n\\u0001\", \"n\": {}}"},
    {"tojson_indent", "{{ d | tojson(indent=2) }}|{{ [] | tojson(indent=2) }}|{{ [1, [2, {}]] | tojson(indent=1) }}",
     "{\"d\": {\"a\": [1, {\"b\": null}], \"c\": \"x\"}}",
     "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": \"x\"\n}|[]|[\n 1,\n [\n  2,\n  {}\n ]\n]"},
    {"tojson_options", "{{ d | tojson(separators=(',', ':')) }} {{ d | tojson(sort_keys=true) }} {{ 'é' | tojson(ensure_ascii=true) }} {{ 1.0 | tojson }} {{ 1e20 | tojson }}",
     "{\"d\": {\"b\": 1, \"a\": [2, 3]}}",
     "{\"b\":1,\"a\":[2,3]} {\"a\": [2, 3], \"b\": 1} \"\\u00e9\" 1.0 1e+20"},
    {"select_map", "{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }} {{ msgs | rejectattr('role', 'eq', 'user') | list | length }} {{ [0, 1, 2, 3] | select('odd') | list }} {{ [0, 1, '', 'a'] | select | list }} {{ [0, 1, '', 'a'] | reject | list }} {{ ['a', 'b'] | map('upper') | list }} {{ msgs[:2] | map(attribute='missing', default='x') | list }} {{ msgs | selectattr('content') | list | length }}",
     "{\"msgs\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assistant\", \"content\": \"A\"}, {\"role\": \"user\", \"content\": \"U2\"}]}",
     "U1,U2 2 [1, 3] [1, 'a'] [0, ''] ['A', 'B'] ['x', 'x'] 4"},
    {"indent", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ 'a\\n\\nb' | indent('> ', blank=true) }}|{{ 'x\\n' | indent }}",
     "{}",
     "a\n  b\n\n  c|  a\n  b|a\n> \n> b|x\n"},
    {"numbers", "{{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ -3 | abs }} {{ -2.5 | abs }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ 7 | round }}",
     "{}",
     "2.57 2.0 4.0 3 2.5 3.0 2.0 7"},
    {"unique_sort_reverse", "{{ ['b', 'A', 'a', 'c'] | unique | list }} {{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ users | sort(attribute='age') | map(attribute='name') | join }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }}",
     "{\"users\": [{\"name\": \"Ann\", \"age\": 31}, {\"name\": \"bob\", \"age\": 25}]}",
     "['b', 'A', 'c'] [1, 2, 3] ['c', 'b', 'A'] ['A', 'b', 'c'] bobAnn cba [2, 1]"},
    {"aggregates", "{{ [1, 2, 3] | sum }} {{ [1, 5, 3] | max }} {{ ['b', 'A'] | min }} {{ users | sum(attribute='age') }} {{ users | max(attribute='age') }} {{ [0.5, 1] | sum(start=1) }}",
     "{\"users\": [{\"name\": \"Ann\", \"age\": 31}, {\"name\": \"bob\", \"age\": 25}]}",
     "6 5 A 56 {'name': 'Ann', 'age': 31} 2.5"},
    {"batch", "{{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ [1, 2, 3] | batch(2, 0) | list }}",
     "{}",
     "[[1, 2], [3, 4], [5]] [[1, 2], [3, 0]]"},
    {"safe_escape", "{{ '<a>' | safe }} {{ '<a & \"b\">' | e }} {{ 'x' | center(5) }}|{{ 'one two  three' | wordcount }}",
     "{}",
     "<a> &lt;a &amp; &#34;b&#34;&gt;   x  |3"},
    {"markup", "{{ '<b>' | safe + '<i>' }} {{ '<i>' + ('<b>' | safe) }} {{ ('<b>' | safe) ~ '<i>' }} {{ '<a>' | e + '&' }} {{ '<a>' | e | e }} {{ '<a>' | forceescape }}",
     "{}",
     "<b>&lt;i&gt; &lt;i&gt;<b> <b><i> &lt;a&gt;&amp; &lt;a&gt; &lt;a&gt;"},
    {"filter_block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}",
     "{}",
     "ABC D"},
};
TEST(JinjaFilters, RenderAsJinja2) {
  for (const auto& c : filters_cases) rbee::test::chat::expect_render(c);
}

const RenderCase tests_cases[] = {
    {"types", "{{ x is defined }} {{ y is undefined }} {{ none is none }} {{ 'a' is string }} {{ {} is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'a' is sequence }} {{ 1 is iterable }}",
     "{\"x\": 1}",
     "True True True True True False True True False"},
    {"numbers", "{{ 1 is number }} {{ 1.0 is integer }} {{ 1 is integer }} {{ true is integer }} {{ 1 is float }} {{ true is boolean }} {{ 1 is boolean }} {{ true is true }} {{ 0 is false }} {{ false is false }}",
     "{}",
     "True False True False False True False True False True"},
    {"arithmetic", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2 is equalto 2 }} {{ 2 is eq(3) }} {{ 2 is ne 3 }} {{ 3 is gt 2 }} {{ 3 is lt 2 }} {{ 3 is ge 3 }}",
     "{}",
     "True True True False True False True True False True"},
    {"membership", "{{ 'a' is in 'abc' }} {{ 4 is in [1, 2] }} {{ x is not none }} {{ 'ab' is lower }} {{ 'AB' is upper }} {{ none is sameas none }} {{ range is callable }}",
     "{\"x\": null}",
     "True False False True True True True"},
};
TEST(JinjaTests, RenderAsJinja2) {
  for (const auto& c : tests_cases) rbee::test::chat::expect_render(c);
}

const RenderCase loops_cases[] = {
    {"variables", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.cycle('o', 'e') }}{% if not loop.first %}<{{ loop.previtem }}{% endif %}{% if not loop.last %}>{{ loop.nextitem }}{% endif %};{% endfor %}",
     "{}",
     "10TrueFalse332o>b;21FalseFalse321e<a>c;32FalseTrue310o<b;"},
    {"break_continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 4 %}{% break %}{% endif %}{{ i }}{% endfor %}",
     "{}",
     "0134"},
    {"else_and_filter", "{% for x in [] %}x{% else %}empty{% endfor %}|{% for x in range(6) if x is even %}{{ x }}/{{ loop.length }} {% endfor %}|{% for x in missing %}x{% else %}none{% endfor %}",
     "{}",
     "empty|0/3 2/3 4/3 |none"},
    {"dicts_and_unpacking", "{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %} {% for k, v in {'a': 1}.items() %}{{ k }}{{ v }}{% endfor %} {% for a, b in [[1, 2], [3, 4]] %}{{ a + b }}{% endfor %} {% for c in 'hé' %}[{{ c }}]{% endfor %}",
     "{}",
     "ab a1 37 [h][é]"},
    {"scoping", "{% set x = 0 %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}{% if true %}{% set y = 5 %}{% endif %}{{ y }}",
     "{}",
     "010205"},
    {"namespace", "{% set ns = namespace(count=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.count = ns.count + i %}{% if i == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }} {{ ns.nothing is defined }}",
     "{}",
     "6 True False"},
    {"nested", "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }}{% endfor %}{{ loop.index }} {% endfor %}",
     "{}",
     "1x11y21 2x12y22 "},
    {"range", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(5, 0, -2) | list }}",
     "{}",
     "[0, 1, 2] [1, 3, 5] [5, 3, 1]"},
};
TEST(JinjaLoops, RenderAsJinja2) {
  for (const auto& c : loops_cases) rbee::test::chat::expect_render(c);
}

const RenderCase assignments_cases[] = {
    {"block_set", "{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]{% set a, b = [1, 2] %}{{ b }}{{ a }}{% set t | upper %}abc{% endset %}{{ t }}",
     "{\"name\": \"Ann\"}",
     "[Hello Ann!]21ABC"},
    {"tuple_and_dict_literals", "{% set d = {'k': 'v', 'n': [1, (2, 3)]} %}{{ d.k }}{{ d['n'][1][0] }} {{ d.n | length }}",
     "{}",
     "v2 2"},
};
TEST(JinjaAssignments, RenderAsJinja2) {
  for (const auto& c : assignments_cases) rbee::test::chat::expect_render(c);
}

const RenderCase macros_cases[] = {
    {"defaults", "{% macro greet(name, greeting='Hi') %}{{ greeting }} {{ name }}{% endmacro %}{{ greet('Bob') }}|{{ greet('Al', greeting='Yo') }}|{{ greet(greeting='Hey', name='C') }}|{{ greet() }}.",
     "{}",
     "Hi Bob|Yo Al|Hey C|Hi ."},
    {"caller", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ x }}{% endcall %}{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(v) each([1, 2]) %}[{{ v }}]{% endcall %}",
     "{\"x\": \"X\"}",
     "<b>bold X</b>[1][2]"},
    {"recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}",
     "{}",
     "120"},
    {"sees_template_variables", "{% macro m() %}{{ bos_token }}{{ x }}{% endmacro %}{% set x = 'top' %}{{ m() }}",
     "{\"bos_token\": \"<s>\"}",
     "<s>top"},
    {"varargs_kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}",
     "{}",
     "1(2, 3){'k': 'v'}"},
    {"whitespace_in_macro", "{% macro render(m) %}\n  {{ m.role }}: {{ m.content }}\n{% endmacro %}\n{% for m in msgs %}\n{{ render(m) }}\n{% endfor %}",
     "{\"msgs\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U1\"}, {\"role\": \"assistant\", \"content\": \"A\"}, {\"role\": \"user\", \"content\": \"U2\"}]}",
     "  system: S\n\n  user: U1\n\n  assistant: A\n\n  user: U2\n\n"},
};
TEST(JinjaMacros, RenderAsJinja2) {
  for (const auto& c : macros_cases) rbee::test::chat::expect_render(c);
}

const RenderCase whitespace_cases[] = {
    {"dash_control", "a  {%- if true -%}  b  {%- endif -%}  c\n{{- ' x ' -}}\n d",
     "{}",
     "abc x d"},
    {"trim_and_lstrip_blocks", "  {% if true %}\n    x\n  {% endif %}\ny\n\t{% for i in [1, 2] %}\n{{ i }}\n\t{% endfor %}\nz",
     "{}",
     "    x\ny\n1\n2\nz"},
    {"comments", "a\n  {# c #}\nb\n{#- d -#}\n c {# e #} f\n",
     "{}",
     "a\nbc  f"},
    {"plus_disables", "  {%+ if true %}x{% endif %}\n{% if true +%}\ny{% endif %}",
     "{}",
     "  x\ny"},
    {"print_keeps_newline", "{{ 'a' }}\nb  {{ 'c' }}  \n  {{ 'd' }}\n",
     "{}",
     "a\nb  c  \n  d"},
    {"tag_after_text_on_line", "text {% if true %}\nx{% endif %} {% if true %}y{% endif %}\n",
     "{}",
     "text x y"},
    {"crlf", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n",
     "{}",
     "a\nb\n"},
};
TEST(JinjaWhitespace, RenderAsJinja2) {
  for (const auto& c : whitespace_cases) rbee::test::chat::expect_render(c);
}

const RenderCase undefined_cases[] = {
    {"prints_empty_and_falsy", "[{{ missing }}]{{ missing is defined }}{% for x in missing %}x{% endfor %}{{ missing | length }}{% if not missing %} falsy{% endif %} {{ missing ~ 'c' }} {{ missing == missing }} {{ 'a' in missing }} {{ missing | string }}|{{ missing | trim }}|{{ missing | join }}|",
     "{}",
     "[]False0 falsy c True False |||"},
    {"missing_attribute", "[{{ d.nope }}][{{ d['nope'] }}][{{ 'abc'.text }}][{{ none.x }}][{{ [1][5] }}]{{ d.nope is defined }}",
     "{\"d\": {\"a\": 1, \"b\": 2}}",
     "[][][][][]False"},
};
TEST(JinjaUndefined, RenderAsJinja2) {
  for (const auto& c : undefined_cases) rbee::test::chat::expect_render(c);
}

const RenderCase expressions_cases[] = {
    {"arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 3 }} {{ 2 ** -1 }} {{ 1 + 2.0 }} {{ 10 / 5 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1e3 }} {{ 0.1 + 0.2 }} {{ 1e16 }} {{ 123456789.125 }} {{ 1e-5 }} {{ -0.0 }}",
     "{}",
     "3 -4 1 2 3.5 8 0.5 3.0 2.0 3.0 0.5 1000.0 0.30000000000000004 1e+16 123456789.125 1e-05 -0.0"},
    {"sequences", "{{ 'ab' * 2 }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' ~ 1 ~ none }} {{ 'a' + 'b' }} {{ 3 * 'x' }}",
     "{}",
     "abab [1, 1] [1, 2] a1None ab xxx"},
    {"logic_and_comparison", "{{ 'b' in 'abc' }} {{ 2 not in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 1 < 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ not 0 }} {{ 1 and 'x' }} {{ 0 or 'y' }} {{ none or [] }} {{ 1 == 1.0 }} {{ 'a' != 'a' }} {{ not 1 == 2 }} {{ 1 >= 1 and 2 <= 1 }} {{ -1 | abs }}",
     "{}",
     "True False True True True True True x y [] True False True False 1"},
    {"printing", "{{ [1, 'a', none, true, 2.5, {'k': \"it's\"}] }} {{ {'a': [1], 'b': 'q\"\\n'} }} {{ none }} {{ true }} {{ '' }}|",
     "{}",
     "[1, 'a', None, True, 2.5, {'k': \"it's\"}] {'a': [1], 'b': 'q\"\\n'} None True |"},
    {"slicing", "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1, 2, 3, 4][::2] }} {{ [1, 2, 3][-2:] }} {{ 'héllo'[1] }} {{ [1, 2, 3][:-1] }} {{ [1, 2, 3][5:] }} {{ 'abc'[-1] }} {{ [1, 2, 3, 4, 5][4:1:-2] }}",
     "{}",
     "el olleh [1, 3] [2, 3] é [1, 2] [] c [5, 3]"},
    {"conditional", "{{ 'y' if true else 'n' }}{{ 'y' if false }}|{{ 'a' if 0 else 'b' if 1 else 'c' }}",
     "{}",
     "y|b"},
    {"string_methods", "{{ ' a b '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ 'xxaxx'.rstrip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a b c'.rsplit(' ', 1) }}|{{ 'a b c'.split(' ', 1) }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}|{{ 'aXbX'.replace('X', '-') }}|{{ 'Hello'.upper() }}{{ 'Hello'.lower() }}|{{ \"hello wo'rld\".title() }}|{{ 'abcb'.find('b') }}{{ 'abcb'.count('b') }}{{ 'abc'.find('z') }}|{{ '<think>a</think>x'.split('</think>')[-1] }}|{{ '-'.join(['a', 'b']) }}|{{ 'hello'.capitalize() }}",
     "{}",
     "a b|axx|xxa|['a', 'b', '', 'c']|['a', 'b']|['a b', 'c']|['a', 'b c']|TrueTrue|a-b-|HELLOhello|Hello Wo'Rld|12-1|x|a-b|Hello"},
    {"dict_and_list_methods", "{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}|{{ d.keys() | list }}|{{ d.values() | list }}|{{ d.get('a') }}{{ d.get('z') }}{{ d.get('z', 5) }}|{{ [1, 2, 3].index(2) }}{{ [1, 1].count(1) }}|{{ d.items() | list }}",
     "{\"d\": {\"a\": 1, \"b\": 2}}",
     "a1b2|['a', 'b']|[1, 2]|1None5|12|[('a', 1), ('b', 2)]"},
    {"string_literals", "{{ 'a\\nb\\t\\'c\\' \\u00e9 \\x41' }}|{{ \"double 'q'\" }}|{{ 'con' 'cat' }}",
     "{}",
     "a\nb\t'c' é A|double 'q'|concat"},
    {"globals", "{{ strftime_now('%d %B %Y, %A %H:%M') }}|{{ dict(a=1, b='x') }}|{% set c = cycler('x', 'y') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}|{% set j = joiner('+') %}{{ j() }}a{{ j() }}b",
     "{}",
     "15 June 2025, Sunday 09:30|{'a': 1, 'b': 'x'}|xyx|a+b"},
    {"context_values", "{{ messages[0].content }} {{ messages | length }} {{ add_generation_prompt }} {{ tools[0].function.name }} {{ tools | tojson }} {{ n }} {{ f }} {{ nested.list[1] }}",
     "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"add_generation_prompt\": true, \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get\", \"parameters\": {}}}], \"n\": null, \"f\": 1.5, \"nested\": {\"list\": [1, 2]}}",
     "Hi 1 True get [{\"type\": \"function\", \"function\": {\"name\": \"get\", \"parameters\": {}}}] None 1.5 2"},
};
TEST(JinjaExpressions, RenderAsJinja2) {
  for (const auto& c : expressions_cases) rbee::test::chat::expect_render(c);
}

const ErrorCase error_cases[] = {
    {"syntax_error_names_the_line", "line one\n{% if %}\n", "{}", 2,
     /* jinja2: TemplateSyntaxError: Expected an expression, got 'end of statement block' */},
    {"unclosed_block", "{% for x in y %}\nbody\n", "{}", 2,
     /* jinja2: TemplateSyntaxError: Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'. */},
    {"unknown_tag", "a\n\n{% frobnicate %}", "{}", 3,
     /* jinja2: TemplateSyntaxError: Encountered unknown tag 'frobnicate'. */},
    {"unknown_filter", "\n{{ x | no_such_filter }}", "{}", 2,
     /* jinja2: TemplateAssertionError: No filter named 'no_such_filter'. */},
    {"unknown_test", "{{ x is no_such_test }}", "{}", 1,
     /* jinja2: TemplateAssertionError: No test named 'no_such_test'. */},
    {"unclosed_print", "{{ x ", "{}", 1,
     /* jinja2: TemplateSyntaxError: unexpected end of template, expected 'end of print statement'. */},
    {"stray_endif", "{% endif %}", "{}", 1,
     /* jinja2: TemplateSyntaxError: Encountered unknown tag 'endif'. */},
    {"break_outside_loop", "{% break %}", "{}", 1,
     /* jinja2: SyntaxError: 'break' outside loop (<template>, line 11) */},
    {"do_is_not_enabled", "{% do x %}", "{}", 1,
     /* jinja2: TemplateSyntaxError: Encountered unknown tag 'do'. */},
    {"attribute_of_undefined", "\n\n{{ missing.attr }}", "{}", 3,
     /* jinja2: UndefinedError: 'missing' is undefined */},
    {"attribute_of_missing_attribute", "{{ d.nope.deeper }}", "{\"d\": {\"a\": 1, \"b\": 2}}", 1,
     /* jinja2: UndefinedError: 'dict object' has no attribute 'nope' */},
    {"undefined_arithmetic", "{{ missing + 1 }}", "{}", 1,
     /* jinja2: UndefinedError: 'missing' is undefined */},
    {"str_plus_dict", "{{ 'a' + d }}", "{\"d\": {\"a\": 1, \"b\": 2}}", 1,
     /* jinja2: TypeError: can only concatenate str (not "dict") to str */},
    {"raise_exception", "{% if true %}\n{{ raise_exception('Conversation roles must alternate') }}{% endif %}", "{}", 2,
     /* jinja2: TemplateError: Conversation roles must alternate */},
    {"calling_undefined", "{{ nothing() }}", "{}", 1,
     /* jinja2: UndefinedError: 'nothing' is undefined */},
    {"immutable_list", "{% set l = [] %}{{ l.append(1) }}", "{}", 1,
     /* jinja2: SecurityError: access to attribute 'append' of 'list' object is unsafe. */},
    {"immutable_dict", "{% set d = {} %}{{ d.update({'a': 1}) }}", "{}", 1,
     /* jinja2: SecurityError: access to attribute 'update' of 'dict' object is unsafe. */},
    {"set_attribute_of_non_namespace", "{% set d = {} %}{% set d.a = 1 %}", "{}", 1,
     /* jinja2: TemplateRuntimeError: cannot assign attribute on non-namespace object */},
    {"tojson_of_undefined", "{{ missing | tojson }}", "{}", 1,
     /* jinja2: TypeError: Object of type Undefined is not JSON serializable */},
    {"tojson_of_generator", "{{ [1] | map('string') | tojson }}", "{}", 1,
     /* jinja2: TypeError: Object of type generator is not JSON serializable */},
    {"length_of_generator", "{{ [1] | select | length }}", "{}", 1,
     /* jinja2: TypeError: object of type 'generator' has no len() */},
    {"division_by_zero", "{{ 1 // 0 }}", "{}", 1,
     /* jinja2: ZeroDivisionError: integer division or modulo by zero */},
    {"range_too_big", "{% for i in range(1000000) %}{% endfor %}", "{}", 1,
     /* jinja2: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000). */},
    {"order_of_mixed_types", "{{ 1 < 'a' }}", "{}", 1,
     /* jinja2: TypeError: '<' not supported between instances of 'int' and 'str' */},
    {"not_iterable", "{% for x in 5 %}{% endfor %}", "{}", 1,
     /* jinja2: TypeError: 'int' object is not iterable */},
};
TEST(JinjaErrors, RejectedWithTheLine) {
  for (const auto& c : error_cases) rbee::test::chat::expect_error(c);
}

}  // namespace
