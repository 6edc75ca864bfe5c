// `rbee tokenize` / `rbee detokenize` against transformers.js (@lenml/tokenizers) on the released
// tokenizer files the @lenml/tokenizer-* packages carry.
// Usage: node compare_tokenizers.cjs PATH/TO/rbee   (exit 0 pass, 1 mismatch, 77 skipped)
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const SKIP = 77;
const rbee = process.argv[2];
if (!rbee) {
  console.error("usage: node compare_tokenizers.cjs PATH/TO/rbee");
  process.exit(2);
}
const modules = path.join(__dirname, "node_modules", "@lenml");
if (!fs.existsSync(path.join(modules, "tokenizers"))) {
  console.log(`SKIP: ${modules} is absent (run: npm ci --prefix tests/npm)`);
  process.exit(SKIP);
}
const { TokenizerLoader } = require("@lenml/tokenizers");

const PACKAGES = ["qwen3", "gemma3", "gptoss", "deepseek_v3", "llama3_1"];

const TEXTS = [
  "Hello world",
  " Hello world",
  "Hello, world! How's it going? I'm fine, we'll see, they've gone.",
  "HELLO World. ALLCAPS and CamelCaseWords, don't SHOUT'S",
  // multilingual
  "你好，世界！今天天气很好。",
  "日本語のテキスト、カタカナとひらがな。東京タワー",
  "مرحبا بالعالم، كيف حالك؟",
  "नमस्ते दुनिया, आप कैसे हैं?",
  "Привет, мир! Как дела?",
  "Ça va? Crème brûlée, naïve façade, Ångström, Øresund, Straße.",
  "Ελληνικά και 한국어 텍스트",
  "ภาษาไทยไม่มีช่องว่าง and Tiếng Việt có dấu",
  "Supercalifragilisticexpialidocious-antidisestablishmentarianism_snake_case_identifier",
  "DON'T WE'LL You'RE it's I'M they'd",
  // decomposed accents (NFC would compose them)
  "Cafe\u0301 and e\u0300 and A\u030A",
  "q\u0307\u0323 a\u0301\u0327 \u1100\u1161\u11A8 \u212B \uFB01",
  // code
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
  "int main(void) {\n\tprintf(\"%d\\n\", 42);\n\t\treturn 0;\n}\n",
  "for (int i = 0; i < 10; ++i) { a[i] += b[i] * 2; } // comment",
  "x = {'key': [1, 2, 3], \"other\": None}  # dict",
  // emoji
  "I love 🦀 and 🐍! 😀😃😄",
  "Family: 👨‍👩‍👧‍👦, flags: 🇫🇷🇯🇵🇺🇸, skin: 👍🏽, keycap: 1️⃣",
  // numbers
  "12345678901234567890",
  "3.14159 2.71828 -0.5 1e10 1,000,000 $19.99 100%",
  "Year 2024, phone 555-0123, 0x1F 007",
  // whitespace
  "a  b   c    d",
  "tabs\there\t\tand\t\t\tthere",
  "line1\nline2\n\nline3\n\n\n\nline4",
  "windows\r\nline\r\n\r\nend",
  "trailing spaces   ",
  "   leading spaces",
  " ",
  "\n",
  "\t \n \t",
  "nbsp\u00A0and\u3000ideographic\u2003em\u000B\u000Cspace",
  "full-width １２３ and Arabic-Indic ٣٤٥ digits",
  "                                        many spaces",
  "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nnewlines",
  // special-token strings written in the text
  "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
  "<start_of_turn>user\nhello<end_of_turn>\n<start_of_turn>model\n",
  "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
  "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>",
  "<｜begin▁of▁sentence｜><｜User｜>hi<｜Assistant｜>",
  "<bos><eos><pad><unk> <s></s>",
  "<|endoftext|>text<|endoftext|>",
  // partial and broken special strings
  "<|im_start|im_end|> <|im_start <im_start|> |im_end|>",
  "<start_of_turn <end_of_turn> <start_of_turn>>",
  "<|begin_of_text| <|eot_id||> <<|eot_id|>>",
  "<tool_call>{\"name\": \"f\"}</tool_call>",
  "<table><tr><td>cell</td></tr></table>",
  "<unused0><unused99>",
  // long mixed
  "The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。 Быстрая лиса. 🦊🐶",
];

function loadReference(pkg) {
  const dir = path.join(modules, `tokenizer-${pkg}`, "models");
  const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  const config = read("tokenizer_config.json");
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON: read("tokenizer.json"), tokenizerConfig: config });
  return { dir, tokenizer, config };
}

// transformers.js ignores tokenizer_config.json's add_bos_token / add_eos_token, which Python
// transformers' Llama and Gemma tokenizers apply in place of the post-processor (DeepSeek-V3's
// config asks for BOS, its tokenizer.json adds none). The ids with special tokens follow Python.
const CLASSES_WITH_BOS_EOS_FLAGS = ["LlamaTokenizer", "LlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast"];

function encodeWithSpecialTokens({ tokenizer, config }, text) {
  if (!CLASSES_WITH_BOS_EOS_FLAGS.includes(config.tokenizer_class))
    return tokenizer.encode(text, { add_special_tokens: true });
  const bos = config.add_bos_token ?? true ? [tokenizer.bos_token_id] : [];
  const eos = config.add_eos_token ?? false ? [tokenizer.eos_token_id] : [];
  return [...bos, ...tokenizer.encode(text, { add_special_tokens: false }), ...eos];
}

// One rbee run over many inputs: JSON Lines in, JSON Lines out.
function rbeeJsonl(args, inputs) {
  const run = spawnSync(rbee, [...args, "--jsonl"], {
    input: inputs.map((x) => JSON.stringify(x)).join("\n") + "\n",
    maxBuffer: 256 << 20,
    encoding: "utf8",
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`rbee ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.split("\n").filter((l) => l.length > 0);
  if (lines.length !== inputs.length)
    throw new Error(`rbee ${args.join(" ")}: ${lines.length} output lines for ${inputs.length} inputs`);
  return lines.map((l) => JSON.parse(l));
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) ++i;
  return i === a.length && i === b.length ? -1 : i;
}

let failures = 0;
let checks = 0;

function report(pkg, what, text, expected, actual, tokenizer) {
  const at = firstDifference(expected, actual);
  ++checks;
  if (at < 0) return;
  ++failures;
  const tokens = (ids) => JSON.stringify(tokenizer.model.convert_ids_to_tokens(ids.slice(at, at + 4)));
  console.log(`FAIL ${pkg} ${what}\n  text:      ${JSON.stringify(text)}\n  first difference at position ${at}` +
    `: transformers.js ${tokens(expected)}, rbee ${tokens(actual)}` +
    `\n  transformers.js: ${JSON.stringify(expected)}\n  rbee:            ${JSON.stringify(actual)}`);
}

function reportText(pkg, what, ids, expected, actual) {
  ++checks;
  if (expected === actual) return;
  ++failures;
  console.log(`FAIL ${pkg} ${what}\n  ids:             ${JSON.stringify(ids)}` +
    `\n  transformers.js: ${JSON.stringify(expected)}\n  rbee:            ${JSON.stringify(actual)}`);
}

for (const pkg of PACKAGES) {
  const reference = loadReference(pkg);
  const { dir, tokenizer } = reference;
  const source = ["--tokenizer", dir];
  for (const addSpecial of [false, true]) {
    const expected = TEXTS.map((t) =>
      addSpecial ? encodeWithSpecialTokens(reference, t) : tokenizer.encode(t, { add_special_tokens: false }));
    const actual = rbeeJsonl(["tokenize", ...source, ...(addSpecial ? ["--add-special"] : [])], TEXTS);
    TEXTS.forEach((t, i) => report(pkg, addSpecial ? "tokenize --add-special" : "tokenize", t, expected[i], actual[i], tokenizer));
  }
  // transformers.js has no switch that treats special tokens as text, so --no-parse-special is
  // not compared here. Decoding: without its clean-up of spaces before punctuation, which is
  // not the text the ids stand for.
  const ids = TEXTS.map((t) => encodeWithSpecialTokens(reference, t)).filter((x) => x.length > 0);
  for (const skip of [false, true]) {
    const expected = ids.map((x) => tokenizer.decode(x, { skip_special_tokens: skip, clean_up_tokenization_spaces: false }));
    const actual = rbeeJsonl(["detokenize", ...source, ...(skip ? ["--skip-special"] : [])], ids);
    ids.forEach((x, i) => reportText(pkg, skip ? "detokenize --skip-special" : "detokenize", x, expected[i], actual[i]));
  }
}

console.log(`${checks - failures} of ${checks} checks agree with transformers.js (${PACKAGES.length} tokenizers, ${TEXTS.length} texts)`);
process.exit(failures ? 1 : 0);
