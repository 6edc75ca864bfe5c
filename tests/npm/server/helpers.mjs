// Shared by the rbee serve end-to-end tests (tests/npm/server/*.test.mjs): where the binary and
// the fixtures are, starting and stopping a server, the openai client, /metrics parsing, and a
// few raw HTTP helpers for what the client cannot express.
//
// Environment (as ctest sets it): RBEE (the rbee binary), RBEE_FIXTURES (tests/fixtures),
// RBEE_SHARED (../shared/fixtures). Defaults: the build/ tree of this checkout.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../../..');
export const RBEE = process.env.RBEE || path.join(REPO, 'build/host/rbee');
export const FIXTURES = process.env.RBEE_FIXTURES || path.join(REPO, 'tests/fixtures');
export const SHARED = process.env.RBEE_SHARED || path.join(REPO, '../shared/fixtures');

export const LLAMA = path.join(FIXTURES, 'tiny/llama');
export const ZEPHYR = path.join(FIXTURES, 'chat/zephyr.jinja');
export const QWEN3 = path.join(FIXTURES, 'tiny/qwen3');
export const QWEN3_TEMPLATE = path.join(SHARED, 'third-party/templates/extracted/Qwen3.jinja');
// The tiny qwen3 model fine-tuned to write a tool call and reasoning (tools/tool-call-model/make.py),
// with Qwen3's template in its tokenizer_config.json.
export const QWEN3_TOOLS = path.join(FIXTURES, 'tiny/qwen3_tools');
// rbee's demo model (models/demo) and torch's greedy text for it (tools/demo-model/make.py).
export const DEMO = path.join(REPO, 'models/demo');
export const DEMO_GOLDEN = path.join(FIXTURES, 'demo/golden.json');
// The tool of the Qwen3 tests; tiny/qwen3_tools was trained with exactly this definition.
export const WEATHER_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Get the current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string', description: 'The city' } }, required: ['city'] },
    },
  },
];
// The tiny models' context (max_position_embeddings).
export const MODEL_CONTEXT = 256;

// The real openai client from npm (tests/npm/node_modules), or null: then every test skips.
let openaiModule = null;
try {
  openaiModule = await import('openai');
} catch {
  openaiModule = null;
}
export const OpenAI = openaiModule?.default ?? null;
export const APIError = openaiModule?.APIError ?? null;

// Why the suite cannot run here (a string node:test prints as the skip reason), or false.
export const skipReason = !OpenAI
  ? 'the openai npm client is not installed (run: npm install --prefix tests/npm --no-audit --no-fund)'
  : !fs.existsSync(RBEE)
    ? `no rbee binary at ${RBEE} (set RBEE or build the rbee target)`
    : false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export { sleep };

// Every server started and not yet stopped: killed if the test process exits early.
const running = new Set();
process.on('exit', () => {
  for (const p of running) {
    try {
      p.kill('SIGKILL');
    } catch {}
  }
});

// A running `rbee serve`. `args` follow MODEL (none when null: the demo model); --port 0 and
// --host 127.0.0.1 are added unless given. Resolves once the server printed its listening line
// and (unless waitReady is false) /health answers 200. `healthSeen` lists every /health answer seen while waiting.
export async function startServer(model, args = [], { waitReady = true, timeoutMs = 60000, env = {} } = {}) {
  const full = ['serve', ...(model === null ? [] : [model]), ...args];
  if (!args.includes('--port')) full.push('--port', '0');
  if (!args.includes('--host')) full.push('--host', '127.0.0.1');
  const proc = spawn(RBEE, full, {
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  const server = {
    proc,
    pid: proc.pid,
    args: full,
    stdout: '',
    stderr: '',
    exitCode: undefined,
    signal: undefined,
    healthSeen: [],
  };
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc);
      server.exitCode = code;
      server.signal = signal;
      resolve({ code, signal });
    });
  });
  server.exited = exited;
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    server.stderr += d;
    if (server.stderr.length > 1 << 20) server.stderr = server.stderr.slice(-(1 << 19));
  });
  proc.stdout.setEncoding('utf8');
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${timeoutMs} ms`)), timeoutMs);
    proc.stdout.on('data', (d) => {
      server.stdout += d;
      const m = /listening on http:\/\/([^\s/]+):(\d+)/.exec(server.stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]) });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (code ${code}, signal ${signal}) before listening`));
    });
    proc.on('error', (e) => {
      clearTimeout(timer);
      running.delete(proc);
      reject(new Error(`could not start: ${e.message}`));
    });
  });
  try {
    const { host, port } = await listening;
    server.host = host;
    server.port = port;
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`rbee ${full.join(' ')}: ${e.message}\nstdout:\n${server.stdout}\nstderr:\n${tail(server.stderr)}`);
  }
  server.url = `http://${server.host}:${server.port}`;
  server.baseURL = `${server.url}/v1`;
  server.client = (opts = {}) =>
    new OpenAI({ baseURL: server.baseURL, apiKey: 'none', maxRetries: 0, timeout: 120000, ...opts });
  server.stop = (signal = 'SIGTERM', ms = 10000) => stopServer(server, signal, ms);
  server.log = () => tail(server.stderr);
  // For beforeEach: fails at once, with the server's log, once the server has died.
  server.assertAlive = () => {
    if (server.exitCode !== undefined || server.signal)
      throw new Error(`the server exited (code ${server.exitCode}, signal ${server.signal}); its log:\n${tail(server.stderr)}`);
  };
  if (waitReady) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let status = 0,
        body = null;
      try {
        const r = await fetch(`${server.url}/health`);
        status = r.status;
        body = await r.text();
      } catch (e) {
        body = String(e);
      }
      server.healthSeen.push({ status, body });
      if (status === 200) break;
      if (server.exitCode !== undefined || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`rbee ${full.join(' ')}: /health never 200 (last: ${status} ${body})\nstderr:\n${tail(server.stderr)}`);
      }
      await sleep(20);
    }
  }
  return server;
}

// Sends `signal`, waits up to `ms` for the exit; SIGKILL after that. Resolves
// {code, signal, ms, killed}.
export async function stopServer(server, signal = 'SIGTERM', ms = 10000) {
  const t0 = Date.now();
  if (server.exitCode !== undefined || server.signal) return { code: server.exitCode, signal: server.signal, ms: 0, killed: false };
  server.proc.kill(signal);
  let timer;
  const timeout = new Promise((r) => (timer = setTimeout(() => r(null), ms)));
  const done = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (done) return { ...done, ms: Date.now() - t0, killed: false };
  server.proc.kill('SIGKILL');
  const killed = await server.exited;
  return { ...killed, ms: Date.now() - t0, killed: true };
}

export function tail(s, n = 4000) {
  return s.length > n ? '...' + s.slice(-n) : s;
}

// Raw JSON request (fetch): {status, headers, text, json}. `body` is sent as is when a string.
export async function raw(server, method, urlPath, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body instanceof ReadableStream) {
    init.body = body;
    init.duplex = 'half';
  } else if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
    if (!Object.keys(init.headers).some((h) => h.toLowerCase() === 'content-type')) init.headers['content-type'] = 'application/json';
  }
  const r = await fetch(server.url + urlPath, init);
  const text = await r.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, headers: r.headers, text, json };
}

// OpenAI's error shape: {"error": {"message": string, "type": string, "code": ...}}.
export function assertErrorShape(assert, json, what) {
  assert.ok(json && typeof json === 'object', `${what}: the body is JSON`);
  assert.ok(json.error && typeof json.error === 'object', `${what}: has "error": ${JSON.stringify(json)}`);
  assert.equal(typeof json.error.message, 'string', `${what}: error.message is a string`);
  assert.ok(json.error.message.length > 0, `${what}: error.message is not empty`);
  assert.equal(typeof json.error.type, 'string', `${what}: error.type is a string`);
  assert.ok('code' in json.error, `${what}: error has "code": ${JSON.stringify(json)}`);
}

// Runs `fn` and returns the APIError it throws (fails when it does not throw one).
export async function apiError(assert, fn, what) {
  try {
    const r = await fn();
    assert.fail(`${what}: expected an error, got ${JSON.stringify(r).slice(0, 300)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    assert.ok(APIError && e instanceof APIError, `${what}: expected an openai APIError, got ${e?.stack || e}`);
    return e;
  }
}

// Prometheus text -> {samples: Map("name{labels}" -> number), types: Map(name -> type)}, with
// get(name, labels?) (labels as an object; undefined when absent) and sum(name).
export function parseMetrics(text) {
  const samples = new Map();
  const types = new Map();
  const list = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1], m[2]);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(\s+\d+)?$/.exec(line.trim());
    if (!m) throw new Error(`not a Prometheus sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[2]) {
      for (const lm of m[2].slice(1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad sample value: ${line}`);
    list.push({ name: m[1], labels, value });
    samples.set(m[1] + (m[2] || ''), value);
  }
  const matches = (s, name, labels) =>
    s.name === name && Object.entries(labels || {}).every(([k, v]) => s.labels[k] === String(v));
  return {
    text,
    samples,
    types,
    list,
    get(name, labels) {
      const all = list.filter((x) => matches(x, name, labels));
      const s = labels ? all[0] : all.find((x) => Object.keys(x.labels).length === 0) ?? all[0];
      return s ? s.value : undefined;
    },
    // The sum over every sample of `name` (all label values); 0 when there is none.
    sum(name, labels) {
      return list.filter((x) => matches(x, name, labels)).reduce((a, x) => a + x.value, 0);
    },
  };
}

export async function metrics(server, headers = {}) {
  const r = await fetch(`${server.url}/metrics`, { headers });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`/metrics: ${r.status} ${text}`);
  return parseMetrics(text);
}

// Polls /metrics until `pred(m)` holds (returns m) or `ms` pass (returns the last m, with
// m.timedOut set).
export async function waitMetrics(server, pred, ms = 5000, headers = {}) {
  const deadline = Date.now() + ms;
  let m;
  for (;;) {
    m = await metrics(server, headers);
    if (pred(m)) return m;
    if (Date.now() > deadline) {
      m.timedOut = true;
      return m;
    }
    await sleep(25);
  }
}

// VmRSS of a process in KiB (Linux).
export function rssKiB(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(s);
  return m ? Number(m[1]) : NaN;
}

// Collects a streamed chat completion: {chunks, content, reasoning, role, finish, usage, ids, toolCalls}.
export async function collectChat(stream) {
  const out = { chunks: [], content: '', reasoning: '', role: undefined, finish: [], usage: null, ids: new Set(), toolCalls: [] };
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    out.ids.add(chunk.id);
    if (chunk.usage) out.usage = chunk.usage;
    for (const c of chunk.choices || []) {
      const d = c.delta || {};
      if (d.role) out.role = out.role ?? d.role;
      if (typeof d.content === 'string') out.content += d.content;
      if (typeof d.reasoning_content === 'string') out.reasoning += d.reasoning_content;
      if (Array.isArray(d.tool_calls)) out.toolCalls.push(...d.tool_calls);
      if (c.finish_reason) out.finish.push(c.finish_reason);
    }
  }
  return out;
}

// Collects a streamed completion: {chunks, text, finish, usage, ids}.
export async function collectCompletion(stream) {
  const out = { chunks: [], text: '', finish: [], usage: null, ids: new Set() };
  for await (const chunk of stream) {
    out.chunks.push(chunk);
    out.ids.add(chunk.id);
    if (chunk.usage) out.usage = chunk.usage;
    for (const c of chunk.choices || []) {
      if (typeof c.text === 'string') out.text += c.text;
      if (c.finish_reason) out.finish.push(c.finish_reason);
    }
  }
  return out;
}

// Checks a non-streamed response's usage: integers, total = prompt + completion, cached tokens
// within the prompt, and at most `maxTokens` generated.
export function assertUsage(assert, usage, maxTokens, what = 'usage') {
  assert.ok(usage, `${what}: present`);
  for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens'])
    assert.ok(Number.isInteger(usage[k]) && usage[k] >= 0, `${what}.${k} is a non-negative integer: ${JSON.stringify(usage)}`);
  assert.ok(usage.prompt_tokens > 0, `${what}.prompt_tokens > 0`);
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens, `${what}: total = prompt + completion`);
  if (maxTokens !== undefined) assert.ok(usage.completion_tokens <= maxTokens, `${what}.completion_tokens ${usage.completion_tokens} <= max_tokens ${maxTokens}`);
}

export function assertCachedTokens(assert, usage, what = 'usage') {
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  assert.ok(Number.isInteger(cached), `${what}.prompt_tokens_details.cached_tokens is an integer: ${JSON.stringify(usage)}`);
  assert.ok(cached >= 0 && cached <= usage.prompt_tokens, `${what}: 0 <= cached_tokens ${cached} <= prompt_tokens ${usage.prompt_tokens}`);
  return cached;
}

// The rbee CLI's own answer, to check the server against: `rbee template` / `rbee tokenize`.
export function cliTemplate(model, template, messages, tools) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbee-serve-test-'));
  try {
    fs.writeFileSync(path.join(dir, 'm.json'), JSON.stringify(messages));
    const args = ['template', model, '--chat-template-file', template, '--messages', path.join(dir, 'm.json')];
    if (tools) {
      fs.writeFileSync(path.join(dir, 't.json'), JSON.stringify(tools));
      args.push('--tools', path.join(dir, 't.json'));
    }
    return execFileSync(RBEE, args, { env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/tmp' }, encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function cliTokenize(model, text, addSpecial) {
  const args = ['tokenize', model, '--jsonl'];
  if (addSpecial) args.push('--add-special');
  const out = execFileSync(RBEE, args, {
    input: JSON.stringify(text) + '\n',
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR || '/tmp' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n')[0]);
}

// A prompt (chat messages) whose greedy answer runs to `maxTokens` without meeting the end of
// generation, found by trying a few (random weights: some answers end early). Returns
// {messages, content} or null.
export async function longGreedyChat(client, model, maxTokens, tries = 12) {
  for (let i = 0; i < tries; ++i) {
    const messages = [{ role: 'user', content: `Tell me a long story, number ${i}.` }];
    const r = await client.chat.completions.create({ model, messages, max_tokens: maxTokens, temperature: 0 });
    if (r.choices[0].finish_reason === 'length' && r.usage.completion_tokens === maxTokens)
      return { messages, content: r.choices[0].message.content };
  }
  return null;
}

// Same for /v1/completions: a prompt whose greedy continuation runs to `maxTokens`.
export async function longGreedyPrompt(client, model, maxTokens, tries = 12) {
  for (let i = 0; i < tries; ++i) {
    const prompt = `Once upon a time, story ${i}:`;
    const r = await client.completions.create({ model, prompt, max_tokens: maxTokens, temperature: 0 });
    if (r.choices[0].finish_reason === 'length' && r.usage.completion_tokens === maxTokens) return { prompt, text: r.choices[0].text };
  }
  return null;
}
