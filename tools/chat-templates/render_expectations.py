#!/usr/bin/python3
"""Renders the third-party chat templates with jinja2 exactly as transformers does, writing the
expectations that tests/chat compares rbee's Jinja engine against (CI then needs no Python).

    /usr/bin/python3 tools/chat-templates/render_expectations.py [SHARED_TEMPLATES_DIR]

Writes tests/fixtures/chat-templates/conversations.json (the render contexts) and
expectations.jsonl (one line per template x conversation: the output, or jinja2's error).
Needs Debian's python3-jinja2 (3.1.x), hence /usr/bin/python3.
"""
import json
import sys
from datetime import datetime
from pathlib import Path

import jinja2

from transformers_env import environment

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "chat-templates"
SHARED = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "fixtures" / "third-party" / "templates"
FOLDERS = ["hf-ollama-utils", "extracted", "llama.cpp", "mistral-common", "mistral.rs", "ollama"]
FIXED_NOW = datetime(2025, 6, 15, 9, 30, 0)  # strftime_now's clock, the same in the C++ test

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}}}]
TOOL_CALL = {"id": "call12345", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}}
CONVERSATIONS = {
    "single_turn": {"messages": [{"role": "user", "content": "Hello!"}], "add_generation_prompt": True},
    "system_prompt": {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                                   {"role": "user", "content": "What is 2+2?"}], "add_generation_prompt": True},
    "multi_turn": {"messages": [{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "Hi, who are you?"},
                                {"role": "assistant", "content": "I am an assistant."},
                                {"role": "user", "content": "Tell me a joke."}], "add_generation_prompt": True},
    "no_generation_prompt": {"messages": [{"role": "user", "content": "Hi"},
                                          {"role": "assistant", "content": "Hello! How can I help?"}],
                             "add_generation_prompt": False},
    "tool_calls": {"messages": [{"role": "user", "content": "What is the weather in Paris?"},
                                {"role": "assistant", "content": "", "tool_calls": [TOOL_CALL]},
                                {"role": "tool", "tool_call_id": "call12345", "name": "get_weather",
                                 "content": "{\"temperature\": 18, \"unit\": \"celsius\"}"}],
                   "tools": TOOLS, "add_generation_prompt": True},
    "non_ascii": {"messages": [{"role": "user", "content": "Grüße! 你好，世界 🐝 «ça va?» — naïve café\n\ttab"}],
                  "add_generation_prompt": True},
}

# (marker in the template, bos_token, eos_token): the first that matches sets the special tokens.
SPECIAL_TOKENS = [
    ("<|begin_of_text|>", "<|begin_of_text|>", "<|eot_id|>"),
    ("begin▁of▁sentence", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    ("<|im_start|>", "", "<|im_end|>"),
    ("<start_of_turn>", "<bos>", "<eos>"),
    ("<|startoftext|>", "<|startoftext|>", "<|endoftext|>"),
    ("[gMASK]", "", "<|endoftext|>"),
    ("[INST]", "<s>", "</s>"),
]


def templates():
    """(path relative to SHARED, source) of every template, JSON files' chat_template included."""
    for folder in FOLDERS:
        for path in sorted((SHARED / folder).iterdir()):
            rel = path.relative_to(SHARED).as_posix()
            if path.suffix == ".jinja":
                yield rel, path.read_text(encoding="utf-8")
            elif path.suffix == ".json":
                template = json.loads(path.read_text(encoding="utf-8")).get("chat_template")
                if isinstance(template, str):
                    yield rel, template


def special_tokens(source):
    for marker, bos, eos in SPECIAL_TOKENS:
        if marker in source:
            return {"bos_token": bos, "eos_token": eos}
    return {"bos_token": "<s>", "eos_token": "</s>"}


def main():
    env = environment(FIXED_NOW)
    lines = []
    for rel, source in templates():
        tokens = special_tokens(source)
        try:
            compiled = env.from_string(source)
        except jinja2.TemplateSyntaxError as e:
            for case in CONVERSATIONS:
                lines.append({"template": rel, "case": case, **tokens, "error": f"line {e.lineno}: {e.message}"})
            continue
        for case, context in CONVERSATIONS.items():
            entry = {"template": rel, "case": case, **tokens}
            try:
                entry["output"] = compiled.render(**context, **tokens)
            except Exception as e:  # jinja2 rejected it: rbee must reject it too
                entry["error"] = f"{type(e).__name__}: {e}"
            lines.append(entry)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "conversations.json").write_text(json.dumps(CONVERSATIONS, ensure_ascii=False, indent=1) + "\n")
    with open(OUT / "expectations.jsonl", "w", encoding="utf-8") as f:
        for entry in lines:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    errors = sum("error" in e for e in lines)
    print(f"{len(lines)} cases ({errors} errors) written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
