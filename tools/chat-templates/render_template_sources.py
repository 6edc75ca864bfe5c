#!/usr/bin/python3
"""Writes tests/fixtures/chat-templates/template_sources.json: what transformers' apply_chat_template
gives for the templates and special tokens that tests/chat/test_template_sources.cpp loads from
GGUF files, Hugging Face folders and the third-party tokenizer_config.json files (CI then needs no
Python). Special tokens are computed here as transformers' special_tokens_map does, independently
of rbee. Run with Debian's python3-jinja2:

    /usr/bin/python3 tools/chat-templates/render_template_sources.py [SHARED_TOKENIZERS_DIR]
"""
import json
import sys
from datetime import datetime
from pathlib import Path

from transformers_env import environment

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "chat-templates" / "template_sources.json"
SHARED = (Path(sys.argv[1]) if len(sys.argv) > 1
          else ROOT.parent / "shared" / "fixtures" / "third-party" / "tokenizers")
SPECIAL_TOKENS_ATTRIBUTES = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                             "mask_token", "additional_special_tokens"]

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
CONVERSATIONS = {
    "system_and_user": {"messages": [{"role": "system", "content": "Be brief."},
                                     {"role": "user", "content": "Héllo, 世界 🐝"}],
                        "tools": None, "add_generation_prompt": True, "extra": {}},
    "no_generation_prompt": {"messages": [{"role": "user", "content": "Hi"},
                                          {"role": "assistant", "content": "Hello!"}],
                             "tools": None, "add_generation_prompt": False, "extra": {}},
    "tools": {"messages": [{"role": "user", "content": "Weather in Paris?"},
                           {"role": "assistant", "content": "", "tool_calls": [
                               {"id": "call1", "type": "function",
                                "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
                           {"role": "tool", "tool_call_id": "call1", "content": "18 C"}],
              "tools": TOOLS, "add_generation_prompt": True, "extra": {}},
    "extra_variables": {"messages": [{"role": "user", "content": "Think?"}],
                        "tools": None, "add_generation_prompt": True,
                        "extra": {"enable_thinking": False, "eos_token": "<override>"}},
}

# Templates the C++ test writes into GGUF files and HF folders; each shows every input it gets.
SYNTHETIC = {
    "default": ("{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}"
                "{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}"
                "|unk={{ unk_token is defined }}|pad={{ pad_token | default('none') }}"
                "|tools={{ tools | tojson }}|documents={{ documents is none }}"
                "|thinking={{ enable_thinking | default('unset') }}"
                "|extra={{ additional_special_tokens | default([]) | join(',') }}"),
    "tool_use": ("[tool_use]{% for t in tools or [] %}{{ t.function.name }};{% endfor %}"
                 "{% for m in messages %}{{ m.role }}:{{ m.content }}"
                 "{% for c in m.tool_calls or [] %}{{ c.function.arguments | tojson }}{% endfor %};{% endfor %}"),
}
# The special tokens each C++ case gives the synthetic templates.
SYNTHETIC_TOKENS = {
    "gguf": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "hf": {"bos_token": "<|begin|>", "eos_token": "<|end|>", "pad_token": "<|pad|>",
           "additional_special_tokens": ["<a>", "<b>"]},
    "none": {},
}


def render(template, special_tokens, conversation):
    # transformers: render(messages=, tools=, documents=None, add_generation_prompt=, **special_tokens_map, **kwargs)
    kwargs = {**special_tokens, **conversation["extra"]}
    # No template here reads the clock (third-party ones that do are skipped): any time will do.
    return environment(datetime(2025, 6, 15, 9, 30)).from_string(template).render(
        messages=conversation["messages"], tools=conversation["tools"], documents=None,
        add_generation_prompt=conversation["add_generation_prompt"], **kwargs)


def expectation(template, special_tokens, conversation):
    """{"output": text}, or {"error": message} where jinja2 rejects the conversation (rbee must too)."""
    try:
        return {"output": render(template, special_tokens, conversation)}
    except Exception as e:  # noqa: BLE001 - any failure of the template is an expectation
        return {"error": f"{type(e).__name__}: {e}"}


def token_text(value):
    return value["content"] if isinstance(value, dict) else value


def special_tokens_map(config):
    tokens = {}
    for name in SPECIAL_TOKENS_ATTRIBUTES:
        value = config.get(name)
        value = [token_text(v) for v in value] if isinstance(value, list) else token_text(value)
        if value:  # transformers leaves out unset and empty ones
            tokens[name] = value
    return tokens


def third_party():
    cases = {}
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: no third-party cases", file=sys.stderr)
        return cases
    for config_file in sorted(SHARED.glob("*/tokenizer_config.json")):
        config = json.loads(config_file.read_text(encoding="utf-8"))
        template = config.get("chat_template")
        entry = {"special_tokens": special_tokens_map(config)}
        if not isinstance(template, str):
            entry["no_template"] = True
        elif "strftime_now" in template:
            continue  # its output depends on today's date
        else:
            entry["expected"] = {name: expectation(template, entry["special_tokens"], conv)
                                 for name, conv in CONVERSATIONS.items()}
        cases[config_file.parent.name] = entry
    return cases


def main():
    synthetic = {name: {"template": source,
                        "expected": {tokens: {conv: expectation(source, SYNTHETIC_TOKENS[tokens], c)
                                              for conv, c in CONVERSATIONS.items()}
                                     for tokens in SYNTHETIC_TOKENS}}
                 for name, source in SYNTHETIC.items()}
    fixture = {"conversations": CONVERSATIONS, "special_tokens": SYNTHETIC_TOKENS, "synthetic": synthetic,
               "third_party": third_party()}
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(synthetic)} synthetic templates, "
          f"{len(fixture['third_party'])} third-party tokenizer configs")


if __name__ == "__main__":
    main()
