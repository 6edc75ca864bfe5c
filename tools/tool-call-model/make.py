#!/usr/bin/python3
"""Makes tests/fixtures/tiny/qwen3_tools: the tiny random Qwen3 fixture fine-tuned to answer two
conversations, rendered through Qwen3's real chat template, with a tool call and with reasoning, so
that rbee serve's parsing of model-written <tool_call> and <think> text can be tested end to end.

    /usr/bin/python3 tools/tool-call-model/make.py [--rbee PATH] [--shared DIR]

Needs torch (Debian's python3-torch 1.13), numpy and jinja2 (python3-numpy, python3-jinja2), and an
rbee binary for the token ids (`rbee tokenize`: the 512-token vocabulary spells <|im_start|> and
the like in several tokens, and only rbee's tokenizer is at hand; transformers is not needed).
Deterministic: fixed seed, deterministic algorithms, one thread; the same inputs give the same
bytes.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from qwen3 import Qwen3, load_safetensors, save_safetensors

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "fixtures" / "tiny" / "qwen3"
OUT = ROOT / "tests" / "fixtures" / "tiny" / "qwen3_tools"
sys.path.insert(0, str(ROOT / "tools" / "chat-templates"))
from transformers_env import environment  # noqa: E402  (transformers' jinja2 environment)

# The tool and the conversation of tests/npm/server/qwen3.test.mjs.
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city"}},
                   "required": ["city"]}}}]
SYSTEM = {"role": "system", "content": "You are a weather bot."}
USER = {"role": "user", "content": "What is the weather in Paris?"}
TOOL_RESULT = {"role": "tool", "tool_call_id": "call_1", "content": "{\"temperature\": \"22 degrees\", \"sky\": \"clear\"}"}
CALL_REASONING = "The user wants the weather in Paris."


def assistant_call(arguments, reasoning=None):
    """The assistant's tool-call turn as a client sends it back (content "": null does not render)."""
    m = {"role": "assistant", "content": "",
         "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}]}
    if reasoning is not None:
        m["reasoning_content"] = reasoning
    return m


# The answers. <|im_end|> is several tokens in this vocabulary and rbee stops only at an
# end-of-generation token, so the model ends its turn with EOS (</s>), as real Qwen3 ends it with
# the <|im_end|> token.
CALL_ANSWER = ("<think>\n" + CALL_REASONING + "\n</think>\n\n"
               "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")
RESULT_ANSWER = "<think>\nThe tool answered.\n</think>\n\nIt is 22 degrees and clear in Paris."

# name -> (messages, answer). The round trip is taught in the shapes a client sends the call back
# in: the arguments as the server returns them (compact JSON) or as the model wrote them, with or
# without the reasoning_content the server returned.
CONVERSATIONS = {
    "tool_call": ([SYSTEM, USER], CALL_ANSWER),
    "tool_result": ([SYSTEM, USER, assistant_call("{\"city\":\"Paris\"}"), TOOL_RESULT], RESULT_ANSWER),
    "tool_result_spaced_arguments": ([SYSTEM, USER, assistant_call("{\"city\": \"Paris\"}"), TOOL_RESULT], RESULT_ANSWER),
    "tool_result_with_reasoning": ([SYSTEM, USER, assistant_call("{\"city\":\"Paris\"}", CALL_REASONING), TOOL_RESULT],
                                   RESULT_ANSWER),
}

MIN_MARGIN = 4.0  # top1 - top2 logit over every answer token: far above float differences between backends
MAX_STEPS = 3000


def render(template, messages):
    # As transformers' apply_chat_template(messages, tools=TOOLS, add_generation_prompt=True)
    # with the tokenizer's special tokens (Qwen3's: no BOS, <|im_end|> as EOS).
    return template.render(messages=messages, tools=TOOLS, add_generation_prompt=True, bos_token="", eos_token="<|im_end|>")


def tokenize(rbee, texts):
    """Token ids of each text by rbee's tokenizer, as rbee serve encodes a chat prompt (no BOS/EOS
    added, special tokens parsed)."""
    out = subprocess.run([rbee, "tokenize", str(SOURCE), "--jsonl"], input="".join(json.dumps(t) + "\n" for t in texts),
                         capture_output=True, text=True, check=True, env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"})
    return [json.loads(line) for line in out.stdout.splitlines()]


def check_forward(model):
    """The forward pass against transformers' logits for the source fixture (golden.json)."""
    golden = json.loads((SOURCE / "golden.json").read_text())
    expected = np.fromfile(SOURCE / golden["logits_file"], dtype="<f4").reshape(golden["logits_shape"])
    with torch.no_grad():
        logits = model(torch.tensor(golden["input_ids"]))
    error = float((logits - torch.from_numpy(expected)).abs().max())
    print(f"forward pass vs transformers' logits: max abs difference {error:.2e}")
    if error > 1e-4:
        sys.exit("the forward pass disagrees with transformers")


def answer_margins(model, sequences):
    """Per sequence: whether greedy decoding gives the answer, and its smallest top1-top2 margin
    (teacher forcing: every answer token the argmax means greedy decoding writes the answer)."""
    results = []
    with torch.no_grad():
        for ids, start in sequences:
            logits = model(torch.tensor(ids[:-1]))[start - 1:]
            target = torch.tensor(ids[start:])
            top2 = logits.topk(2, dim=-1)
            correct = bool((top2.indices[:, 0] == target).all())
            target_logit = logits.gather(1, target[:, None])[:, 0]
            others = logits.scatter(1, target[:, None], float("-inf")).max(dim=-1).values
            results.append((correct, float((target_logit - others).min())))
    return results


def train(model, sequences):
    """Adam on the answer tokens only (the prompt is context), full batch, until every answer is
    greedy with MIN_MARGIN."""
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(1, MAX_STEPS + 1):
        optimizer.zero_grad()
        loss = 0.0
        for ids, start in sequences:
            logits = model(torch.tensor(ids[:-1]))[start - 1:]
            loss = loss + torch.nn.functional.cross_entropy(logits, torch.tensor(ids[start:]))
        loss = loss / len(sequences)
        loss.backward()
        optimizer.step()
        if step % 25 == 0:
            margins = answer_margins(model, sequences)
            print(f"step {step}: loss {float(loss):.5f}, smallest margin {min(m for _, m in margins):.3f}", flush=True)
            if all(c for c, _ in margins) and min(m for _, m in margins) >= MIN_MARGIN:
                return step, float(loss)
    sys.exit(f"no {MIN_MARGIN} margin after {MAX_STEPS} steps")


def write_folder(model, config, template_source, expected):
    OUT.mkdir(parents=True, exist_ok=True)  # README.md, written by hand, stays
    config = dict(config, max_position_embeddings=1024)  # the tools preamble is ~600 tokens
    (OUT / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    save_safetensors(OUT / "model.safetensors", {k: v.detach() for k, v in model.state_dict().items()})
    for name in ["tokenizer.json", "generation_config.json"]:
        shutil.copy(SOURCE / name, OUT / name)
    tokenizer_config = json.loads((SOURCE / "tokenizer_config.json").read_text())
    tokenizer_config["chat_template"] = template_source
    (OUT / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=2, ensure_ascii=False) + "\n")
    text = json.dumps(expected, indent=1, ensure_ascii=False)
    # Lists of token ids on one line each.
    text = re.sub(r"\[\s*(-?\d+(?:,\s*-?\d+)*)\s*\]", lambda m: "[" + ", ".join(re.split(r",\s*", m[1])) + "]", text)
    (OUT / "expected.json").write_text(text + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rbee", default=os.environ.get("RBEE", "/work/ci-clone/build/host/rbee"))
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "fixtures"))
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    config = json.loads((SOURCE / "config.json").read_text())
    model = Qwen3(config, load_safetensors(SOURCE / "model.safetensors"))
    check_forward(model)

    template_source = (Path(args.shared) / "third-party" / "templates" / "extracted" / "Qwen3.jinja").read_text()
    template = environment(None).from_string(template_source)
    names = list(CONVERSATIONS)
    prompts = [render(template, CONVERSATIONS[n][0]) for n in names]
    answers = [CONVERSATIONS[n][1] for n in names]
    prompt_ids = tokenize(args.rbee, prompts)
    answer_ids = [ids + [config["eos_token_id"]] for ids in tokenize(args.rbee, answers)]
    sequences = [(p + a, len(p)) for p, a in zip(prompt_ids, answer_ids)]
    for n, (ids, start) in zip(names, sequences):
        print(f"{n}: prompt {start} tokens, answer {len(ids) - start}")

    steps, loss = train(model, sequences)
    margins = answer_margins(model, sequences)
    print(f"trained in {steps} steps: loss {loss:.5f}; smallest margins " +
          ", ".join(f"{n} {m:.3f}" for n, (_, m) in zip(names, margins)))

    expected = {
        "note": "greedy answers of this model (made by tools/tool-call-model/make.py); each ends with EOS (</s>)",
        "tools": TOOLS,
        "training": {"steps": steps, "final_loss": round(loss, 6), "min_margin_required": MIN_MARGIN},
        "conversations": [{"name": n, "messages": CONVERSATIONS[n][0], "prompt_tokens": start, "answer": a,
                           "prompt_ids": ids[:start], "answer_ids": ids[start:], "min_margin": round(m, 3)}
                          for n, a, (ids, start), (_, m) in zip(names, answers, sequences, margins)],
    }
    write_folder(model, config, template_source, expected)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
