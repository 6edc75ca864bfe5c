#!/usr/bin/env node
// Load for an OpenAI-compatible server (rbee serve, or any other): for each client count, that
// many concurrent streaming requests through the openai npm client, reporting aggregate
// generated tokens/s and time to first token p50/p99 as one JSON line each, the figures
// `rbee bench --concurrency` prints for the engine alone.
//
//   node tools/server-load.mjs --url http://127.0.0.1:8080 --clients 1,4,16 --prompt-tokens 64 --max-tokens 64
//
// The openai client comes from tests/npm/node_modules (npm install --prefix tests/npm).
// As the bench: each request a fresh random prompt (nothing for a prefix cache), greedy; a warm-up
// round first (max_tokens 2 at that concurrency, so the server compiles its step shapes), then
// --repetitions measured rounds. The tokens are those the server reports in usage (random
// weights may end a request early: the JSON says how many came). The time to first token is
// from sending the request to the first streamed text; decode_tokens_per_second counts the
// streamed text events after every request had its first one, over that phase's seconds (as
// the bench's, which counts tokens: a text event is one token unless a token ends inside a
// UTF-8 character).
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(new URL('../tests/npm/package.json', import.meta.url));
let OpenAI;
try {
  const mod = require('openai');
  OpenAI = mod.OpenAI ?? mod.default ?? mod;
} catch {
  console.error('server-load: the openai client is missing; run: npm install --prefix tests/npm --no-audit --no-fund');
  process.exit(2);
}

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    clients: { type: 'string', default: '1,4,16' },
    'prompt-tokens': { type: 'string', default: '64' },
    'max-tokens': { type: 'string', default: '64' },
    model: { type: 'string' },
    'api-key': { type: 'string', default: process.env.OPENAI_API_KEY || 'none' },
    endpoint: { type: 'string', default: 'completions' }, // or chat
    repetitions: { type: 'string', default: '1' },
    extra: { type: 'string', default: '{}' }, // JSON merged into every request, e.g. '{"ignore_eos": true}'
    seed: { type: 'string', default: '1234' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(`usage: node tools/server-load.mjs --url URL [--clients 1,4,16] [--prompt-tokens 64] [--max-tokens 64]
  [--model ID (default: the first of /v1/models)] [--api-key K] [--endpoint completions|chat] [--repetitions N]
  [--extra JSON (fields added to every request)] [--seed N (of the random prompts)]`);
  process.exit(0);
}
const clients = opt.clients.split(',').map(Number);
const promptTokens = Number(opt['prompt-tokens']);
const maxTokens = Number(opt['max-tokens']);
const reps = Number(opt.repetitions);
const extra = JSON.parse(opt.extra);
if (clients.some((c) => !(c >= 1)) || !(promptTokens >= 1) || !(maxTokens >= 1) || !(reps >= 1)) {
  console.error('server-load: --clients, --prompt-tokens, --max-tokens and --repetitions take positive integers');
  process.exit(2);
}
const base = opt.url.replace(/\/+$/, '').replace(/\/v1$/, '');
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: opt['api-key'], maxRetries: 0, timeout: 600000 });
const model = opt.model ?? (await client.models.list()).data[0]?.id;
if (!model) {
  console.error('server-load: the server lists no model; pass --model');
  process.exit(2);
}

// Deterministic random words (mulberry32), so runs are comparable.
let state = Number(opt.seed) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'sa', 'do', 'gu', 'fi', 'ba', 'he', 'ly'];
const word = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => syllables[Math.floor(random() * syllables.length)]).join('');

// A prompt of about `n` tokens: by the server's /tokenize where it has one (rbee), else about
// 1.5 tokens a word.
async function tokenCount(text) {
  try {
    const r = await fetch(`${base}/tokenize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${opt['api-key']}` },
      body: JSON.stringify({ content: text, add_special: true }),
    });
    if (r.ok) return (await r.json()).tokens.length;
  } catch {}
  return null;
}
let perWord = null; // tokens per word, measured once
async function randomPrompt(n) {
  const words = [];
  if (perWord === null) {
    const sample = Array.from({ length: 200 }, word).join(' ');
    const count = await tokenCount(sample);
    perWord = count ? count / 200 : 1.5;
  }
  for (let i = 0; i < Math.max(1, Math.round(n / perWord)); ++i) words.push(word());
  // Trimmed or grown to n tokens (with BOS) where the server counts them.
  for (let step = 0; step < 64; ++step) {
    const count = await tokenCount(words.join(' '));
    if (count === null || count === n) break;
    if (count > n && words.length > 1) words.pop();
    else if (count < n) words.push(syllables[Math.floor(random() * syllables.length)]);
    else break;
    if (count > n && (await tokenCount(words.join(' '))) < n) break; // a word's tokens straddle n: the closest below
  }
  return words.join(' ');
}

// One streamed request: {ttft (s), first (ms clock), events: [ms clock], tokens, promptTokens, end}.
async function one(prompt, max) {
  const t0 = performance.now();
  const out = { ttft: null, first: null, events: [], tokens: 0, promptTokens: 0, end: 0 };
  const body = { model, max_tokens: max, temperature: 0, stream: true, stream_options: { include_usage: true }, ...extra };
  const stream =
    opt.endpoint === 'chat'
      ? await client.chat.completions.create({ ...body, messages: [{ role: 'user', content: prompt }] })
      : await client.completions.create({ ...body, prompt });
  for await (const chunk of stream) {
    const now = performance.now();
    for (const c of chunk.choices ?? []) {
      const text = opt.endpoint === 'chat' ? (c.delta?.content ?? '') + (c.delta?.reasoning_content ?? '') : c.text ?? '';
      if (text.length) {
        if (out.first === null) {
          out.first = now;
          out.ttft = (now - t0) / 1000;
        }
        out.events.push(now);
      }
    }
    if (chunk.usage) {
      out.tokens = chunk.usage.completion_tokens;
      out.promptTokens = chunk.usage.prompt_tokens;
    }
  }
  out.end = performance.now();
  return out;
}

async function round(c, max) {
  const prompts = [];
  for (let i = 0; i < c; ++i) prompts.push(await randomPrompt(promptTokens));
  const t0 = performance.now();
  const results = await Promise.all(prompts.map((p) => one(p, max)));
  const end = Math.max(...results.map((r) => r.end));
  const seconds = (end - t0) / 1000;
  const generated = results.reduce((a, r) => a + r.tokens, 0);
  const allDecoding = Math.max(...results.map((r) => r.first ?? r.end));
  const decoded = results.reduce((a, r) => a + r.events.filter((e) => e > allDecoding).length, 0);
  const decodeS = (end - allDecoding) / 1000;
  return {
    seconds,
    generated,
    tps: generated / seconds,
    decodeTps: decoded && decodeS > 0 ? decoded / decodeS : 0,
    ttft: results.map((r) => r.ttft).filter((x) => x !== null),
    promptTokens: results.reduce((a, r) => a + r.promptTokens, 0) / results.length,
  };
}

// Nearest rank, as rbee bench.
const quantileMs = (v, q) => {
  if (!v.length) return 0;
  const s = [...v].sort((a, b) => a - b);
  return 1000 * s[Math.min(Math.max(Math.ceil(q * s.length), 1), s.length) - 1];
};

for (const c of clients) {
  await round(c, Math.min(maxTokens, 2)); // warm-up
  const runs = [];
  for (let i = 0; i < reps; ++i) runs.push(await round(c, maxTokens));
  const tps = runs.map((r) => r.tps);
  const mean = tps.reduce((a, x) => a + x, 0) / tps.length;
  const stddev = tps.length > 1 ? Math.sqrt(tps.reduce((a, x) => a + (x - mean) ** 2, 0) / (tps.length - 1)) : 0;
  const ttft = runs.flatMap((r) => r.ttft);
  console.log(
    JSON.stringify({
      test: `c${c} pp${promptTokens} tg${maxTokens}`,
      url: base,
      model,
      endpoint: opt.endpoint,
      concurrency: c,
      prompt_tokens: Math.round(runs.reduce((a, r) => a + r.promptTokens, 0) / runs.length),
      tokens: runs.at(-1).generated,
      max_tokens_total: c * maxTokens,
      repetitions: runs.length,
      tokens_per_second: mean,
      stddev,
      seconds: runs.map((r) => r.seconds),
      decode_tokens_per_second: runs.reduce((a, r) => a + r.decodeTps, 0) / runs.length,
      ttft_p50_ms: quantileMs(ttft, 0.5),
      ttft_p99_ms: quantileMs(ttft, 0.99),
    }),
  );
}
