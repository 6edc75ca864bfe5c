// rbee serve, the error cases, each with its status and OpenAI's error shape
// ({"error": {"message", "type", "code"}}): API keys (401), malformed JSON and wrong field types
// (400), unknown model (404), body over --max-body (413), a prompt longer than the context (400
// with both numbers), a full queue (503 with Retry-After); and a bad request never disturbs a
// good one running beside it. The openai client where it surfaces the error (APIError.status),
// fetch for what it cannot send.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as h from './helpers.mjs';

const MODEL = 'tiny-llama';
const KEY1 = 'sk-rbee-test-one';
const KEY2 = 'sk-rbee-test-two';
const CTX = 64;
const MAX_BODY = 65536;

describe('rbee serve: errors (keys, bad requests, limits)', { skip: h.skipReason }, () => {
  let server, client, dir;
  const auth = { authorization: `Bearer ${KEY1}` };
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbee-serve-keys-'));
    const keyFile = path.join(dir, 'keys');
    fs.writeFileSync(keyFile, `${KEY2}\n`);
    server = await h.startServer(h.LLAMA, [
      '--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--api-key', KEY1, '--api-key-file', keyFile,
      '--ctx-size', String(CTX), '--max-body', String(MAX_BODY),
    ]);
    client = server.client({ apiKey: KEY1 });
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('API keys: --api-key and --api-key-file keys work, a wrong or missing key is 401, /health needs none', async () => {
    const health = await h.raw(server, 'GET', '/health');
    assert.equal(health.status, 200, 'no key needed for /health');
    assert.deepEqual(health.json, { status: 'ok' });

    assert.equal((await server.client({ apiKey: KEY1 }).models.list()).data[0].id, MODEL, '--api-key');
    assert.equal((await server.client({ apiKey: KEY2 }).models.list()).data[0].id, MODEL, '--api-key-file');

    const wrong = server.client({ apiKey: 'sk-wrong' });
    for (const [what, call] of [
      ['models', () => wrong.models.list()],
      ['chat', () => wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })],
      ['completions', () => wrong.completions.create({ model: MODEL, prompt: 'hi', max_tokens: 2 })],
      ['chat stream', () => wrong.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, stream: true })],
    ]) {
      const e = await h.apiError(assert, call, `wrong key, ${what}`);
      assert.equal(e.status, 401, `wrong key, ${what}: ${e.message}`);
      h.assertErrorShape(assert, { error: e.error }, `wrong key, ${what}`);
    }
    for (const [method, p, body] of [
      ['GET', '/v1/models'],
      ['POST', '/v1/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }],
      ['POST', '/v1/completions', { model: MODEL, prompt: 'hi', max_tokens: 2 }],
      ['POST', '/tokenize', { content: 'hi' }],
      ['POST', '/detokenize', { tokens: [1, 2] }],
      ['POST', '/apply-template', { messages: [{ role: 'user', content: 'hi' }] }],
    ]) {
      const r = await h.raw(server, method, p, body);
      assert.equal(r.status, 401, `no key: ${method} ${p}: ${r.status} ${r.text}`);
      h.assertErrorShape(assert, r.json, `no key: ${method} ${p}`);
      const w = await h.raw(server, method, p, body, { authorization: 'Bearer nope' });
      assert.equal(w.status, 401, `wrong key: ${method} ${p}`);
    }
    // With the key, the same endpoints work.
    const ok = await h.raw(server, 'POST', '/tokenize', { content: 'hi' }, auth);
    assert.equal(ok.status, 200, ok.text);
  });

  test('malformed JSON is 400', async () => {
    for (const [p, body] of [
      ['/v1/chat/completions', '{"model": "tiny-llama", "messages": [{"role": "user", "content": "hi"}'],
      ['/v1/chat/completions', 'not json at all'],
      ['/v1/chat/completions', ''],
      ['/v1/completions', '{"model": "tiny-llama", "prompt": "hi",}'],
      ['/v1/completions', '[1, 2, 3]'],
      ['/tokenize', '{"content": '],
      ['/apply-template', '{{}}'],
    ]) {
      const r = await h.raw(server, 'POST', p, body, auth);
      assert.equal(r.status, 400, `${p} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
      h.assertErrorShape(assert, r.json, `${p} ${JSON.stringify(body)}`);
    }
  });

  test('a wrong field type or a missing field is 400 (openai client)', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    for (const [what, call] of [
      ['max_tokens "ten"', () => client.chat.completions.create({ model: MODEL, messages, max_tokens: 'ten' })],
      ['temperature "hot"', () => client.chat.completions.create({ model: MODEL, messages, temperature: 'hot' })],
      ['messages 5', () => client.chat.completions.create({ model: MODEL, messages: 5 })],
      ['messages missing', () => client.chat.completions.create({ model: MODEL })],
      ['content 7', () => client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 7 }] })],
      ['an image part', () => client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1/x.png' } }] }] })],
      ['a message without role', () => client.chat.completions.create({ model: MODEL, messages: [{ content: 'hi' }] })],
      ['stop 5', () => client.chat.completions.create({ model: MODEL, messages, stop: 5 })],
      ['n "two"', () => client.chat.completions.create({ model: MODEL, messages, n: 'two' })],
      ['seed "x"', () => client.chat.completions.create({ model: MODEL, messages, seed: 'x' })],
      ['stream "yes"', () => client.chat.completions.create({ model: MODEL, messages, stream: 'yes' })],
      ['prompt 42', () => client.completions.create({ model: MODEL, prompt: 42 })],
      ['prompt missing', () => client.completions.create({ model: MODEL, max_tokens: 2 })],
      ['top_p []', () => client.completions.create({ model: MODEL, prompt: 'hi', top_p: [] })],
      // Forcing a tool call needs constrained decoding, which rbee does not do: refused, not ignored.
      ['tool_choice "required"', () => client.chat.completions.create({ model: MODEL, messages, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: 'required' })],
      ['tool_choice a function', () => client.chat.completions.create({ model: MODEL, messages, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: { type: 'function', function: { name: 'f' } } })],
    ]) {
      const e = await h.apiError(assert, call, what);
      assert.equal(e.status, 400, `${what}: ${e.status} ${e.message}`);
      h.assertErrorShape(assert, { error: e.error }, what);
    }
    const none = await h.apiError(assert, () => client.chat.completions.create({ model: MODEL, messages: [] }), 'messages []');
    assert.equal(none.status, 400, `messages []: ${none.message}`);
    const range = await h.raw(server, 'POST', '/detokenize', { tokens: [1, 99999999] }, auth);
    assert.equal(range.status, 400, `/detokenize of a token id past the vocabulary: ${range.status} ${range.text}`);
    h.assertErrorShape(assert, range.json, 'token id out of range');
    const negative = await h.raw(server, 'POST', '/detokenize', { tokens: [-1] }, auth);
    assert.equal(negative.status, 400, `/detokenize [-1]: ${negative.status} ${negative.text}`);
    // Bytes that are not UTF-8 inside a JSON string: refused (400) or taken (200), never a crash.
    for (const p of ['/v1/completions', '/tokenize']) {
      const bytes = Buffer.concat([Buffer.from(`{"model": "${MODEL}", "max_tokens": 2, "content": "a`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`", "prompt": "b`), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]);
      const r = await h.raw(server, 'POST', p, new Uint8Array(bytes), auth);
      assert.ok([200, 400].includes(r.status), `${p} with invalid UTF-8: ${r.status} ${r.text.slice(0, 200)}`);
      if (r.status === 400) h.assertErrorShape(assert, r.json, `${p} invalid UTF-8`);
    }
    assert.equal((await h.raw(server, 'GET', '/health')).status, 200, 'alive after invalid UTF-8');
    // JSON nested far deeper than any request needs: refused, not a stack overflow.
    const deep = 30000;  // within this server's --max-body
    for (const p of ['/v1/chat/completions', '/v1/completions', '/tokenize']) {
      const body = `{"model": "${MODEL}", "prompt": "a", "content": "a", "messages": [{"role": "user", "content": "hi"}], "x": ${'['.repeat(deep)}${']'.repeat(deep)}}`;
      const r = await h.raw(server, 'POST', p, body, auth);
      assert.equal(r.status, 400, `${p} nested ${deep} deep: ${r.status} ${r.text.slice(0, 200)}`);
      h.assertErrorShape(assert, r.json, `${p} deep nesting`);
    }
    assert.equal((await h.raw(server, 'GET', '/health')).status, 200, 'alive after deeply nested JSON');
    const t = await h.raw(server, 'POST', '/tokenize', { content: 5 }, auth);
    assert.equal(t.status, 400, `/tokenize content 5: ${t.text}`);
    const d = await h.raw(server, 'POST', '/detokenize', { tokens: ['a'] }, auth);
    assert.equal(d.status, 400, `/detokenize tokens ["a"]: ${d.text}`);
  });

  test('an unknown model is 404', async () => {
    for (const [what, call] of [
      ['chat', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 })],
      ['chat stream', () => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2, stream: true })],
      ['completions', () => client.completions.create({ model: 'gpt-4o', prompt: 'hi', max_tokens: 2 })],
    ]) {
      const e = await h.apiError(assert, call, `unknown model, ${what}`);
      assert.equal(e.status, 404, `${what}: ${e.message}`);
      h.assertErrorShape(assert, { error: e.error }, `unknown model, ${what}`);
      assert.match(e.error.message, /gpt-4o/, 'the message names the model');
    }
  });

  test('a body over --max-body is 413', async () => {
    const before = (await h.metrics(server, auth)).get('rbee_requests_total', { status: 413 }) || 0;
    const big = { model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY * 2) }], max_tokens: 2 };
    const r = await h.raw(server, 'POST', '/v1/chat/completions', big, auth);
    assert.equal(r.status, 413, `${r.status} ${r.text.slice(0, 200)}`);
    h.assertErrorShape(assert, r.json, '413');
    const e = await h.apiError(assert, () => client.chat.completions.create(big), 'openai client, big body');
    assert.equal(e.status, 413);
    // Chunked, no Content-Length: the limit still holds (a raw socket: fetch reports its own
    // EPIPE, not the early answer, when the server refuses before the whole body is sent).
    const payload = JSON.stringify({ model: MODEL, prompt: 'y'.repeat(MAX_BODY * 2) });
    const head = await new Promise((resolve) => {
      const s = net.connect(server.port, server.host);
      let got = '';
      s.setEncoding('latin1');
      s.on('data', (d) => (got += d));
      s.on('error', () => {});
      s.on('close', () => resolve(got));
      s.write(`POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY1}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      for (const part of payload.match(/.{1,8192}/gs)) s.write(`${part.length.toString(16)}\r\n${part}\r\n`);
      s.write('0\r\n\r\n');
      setTimeout(() => s.end(), 3000);
    });
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] || 0);
    assert.equal(status, 413, `chunked body over the limit: ${JSON.stringify(head.slice(0, 200))}`);
    h.assertErrorShape(assert, JSON.parse(head.slice(head.indexOf('\r\n\r\n') + 4)), 'chunked 413');
    // The transport refused them before a handler saw them; /metrics counts them all the same.
    assert.equal((await h.metrics(server, auth)).get('rbee_requests_total', { status: 413 }), before + 3, '413s counted in /metrics');
    // The server is fine afterwards.
    const ok = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
    assert.equal(ok.choices.length, 1);
  });

  test('a prompt longer than the context is 400 naming both numbers', async () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const messages = [{ role: 'user', content: words }];
    const tpl = await h.raw(server, 'POST', '/apply-template', { messages }, auth);
    const n = (await h.raw(server, 'POST', '/tokenize', { content: tpl.json.prompt, add_special: false }, auth)).json.tokens.length;
    assert.ok(n > CTX, `the prompt is ${n} tokens`);
    for (const [what, call, count] of [
      ['chat', () => client.chat.completions.create({ model: MODEL, messages, max_tokens: 4 }), n],
      ['chat stream', () => client.chat.completions.create({ model: MODEL, messages, max_tokens: 4, stream: true }), n],
      ['completions', () => client.completions.create({ model: MODEL, prompt: words, max_tokens: 4 }), null],
    ]) {
      const e = await h.apiError(assert, call, `too long, ${what}`);
      assert.equal(e.status, 400, `${what}: ${e.status} ${e.message}`);
      h.assertErrorShape(assert, { error: e.error }, `too long, ${what}`);
      const numbers = (e.error.message.match(/\d+/g) || []).map(Number);
      assert.ok(numbers.includes(CTX), `${what}: the message names the context ${CTX}: ${e.error.message}`);
      assert.ok(numbers.some((x) => x > CTX && (count === null || Math.abs(x - count) <= 1)),
        `${what}: the message names the prompt's length${count ? ` (${count})` : ''}: ${e.error.message}`);
    }
    const ok = await client.completions.create({ model: MODEL, prompt: 'short', max_tokens: 2 });
    assert.equal(ok.choices.length, 1, 'the server serves on');
  });

  test('unknown paths and methods answer 404/405 in the error shape', async () => {
    const a = await h.raw(server, 'GET', '/v1/nothing-here', undefined, auth);
    assert.equal(a.status, 404, a.text);
    h.assertErrorShape(assert, a.json, 'unknown path');
    const b = await h.raw(server, 'GET', '/v1/chat/completions', undefined, auth);
    assert.ok([404, 405].includes(b.status), `GET /v1/chat/completions: ${b.status}`);
    h.assertErrorShape(assert, b.json, 'wrong method');
  });

  test('an oversized header is refused without harm', async () => {
    const status = await new Promise((resolve) => {
      const s = net.connect(server.port, server.host);
      let got = '';
      s.setEncoding('latin1');
      s.on('data', (d) => (got += d));
      s.on('error', () => {});
      s.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(got)?.[1] || 0)));
      s.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(1 << 20)}\r\n\r\n`, () => {});
      setTimeout(() => s.destroy(), 5000);
    });
    assert.ok(status === 0 || (status >= 400 && status < 500), `a 1 MiB header: status ${status} (0: closed)`);
    const ok = await h.raw(server, 'GET', '/health');
    assert.equal(ok.status, 200);
  });

  test('bad requests beside a running stream do not disturb it', async () => {
    const messages = [{ role: 'user', content: 'Keep talking.' }];
    const alone = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 40, temperature: 0.8, seed: 11 });
    const streaming = h.collectChat(await client.chat.completions.create({ model: MODEL, messages, max_tokens: 40, temperature: 0.8, seed: 11, stream: true }));
    const bad = await Promise.all([
      h.raw(server, 'POST', '/v1/chat/completions', '{"broken', auth),
      h.raw(server, 'POST', '/v1/chat/completions', { model: 'other', messages }, auth),
      h.raw(server, 'POST', '/v1/chat/completions', { model: MODEL, messages }, { authorization: 'Bearer bad' }),
      h.raw(server, 'POST', '/v1/completions', { model: MODEL, prompt: 'z'.repeat(MAX_BODY + 10) }, auth),
      h.raw(server, 'POST', '/v1/completions', { model: MODEL, prompt: Array(200).fill('long').join(' ') }, auth),
      h.raw(server, 'POST', '/v1/chat/completions', { model: MODEL, messages, max_tokens: -3 }, auth),
    ]);
    assert.deepEqual(bad.slice(0, 5).map((r) => r.status), [400, 404, 401, 413, 400]);
    assert.ok(bad[5].status === 400 || bad[5].status === 200, `max_tokens -3: ${bad[5].status}`);
    const st = await streaming;
    assert.equal(st.content, alone.choices[0].message.content, 'the stream is the same as alone');
    assert.deepEqual(st.finish, [alone.choices[0].finish_reason]);
  });
});

describe('rbee serve: a full queue is 503 with Retry-After (--parallel 1 --queue 1)', { skip: h.skipReason }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.LLAMA, ['--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--parallel', '1', '--queue', '1', '--ctx-size', String(h.MODEL_CONTEXT)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('six long requests at once: the running one and the queued one complete, the others 503', async (t) => {
    const maxTokens = 200;
    const long = await h.longGreedyPrompt(client, MODEL, maxTokens);
    assert.ok(long, `a prompt whose greedy continuation runs ${maxTokens} tokens`);
    const m0 = await h.metrics(server);
    let maxBusy = 0,
      maxQueue = 0,
      maxBoth = 0,
      sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await h.metrics(server);
        maxBusy = Math.max(maxBusy, m.get('rbee_sequences_busy'));
        maxQueue = Math.max(maxQueue, m.get('rbee_queue_length'));
        maxBoth = Math.max(maxBoth, m.get('rbee_sequences_busy') + m.get('rbee_queue_length'));
        await h.sleep(10);
      }
    })();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => client.completions.create({ model: MODEL, prompt: long.prompt, max_tokens: maxTokens, temperature: 0 })),
    );
    sampling = false;
    await sampler;
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    t.diagnostic(`${ok.length} answered, ${failed.length} refused; busy at most ${maxBusy}, queued at most ${maxQueue}, both at most ${maxBoth}`);
    for (const e of failed) {
      assert.ok(h.APIError && e instanceof h.APIError, String(e?.stack || e));
      assert.equal(e.status, 503, e.message);
      h.assertErrorShape(assert, { error: e.error }, '503');
      const retry = e.headers?.get('retry-after');
      assert.ok(retry && /^\d+$/.test(retry) && Number(retry) >= 1, `Retry-After: ${retry}`);
    }
    assert.ok(failed.length >= 1, 'at least one 503');
    assert.ok(ok.length >= 2, 'the running request and the queued one complete');
    for (const r of ok) {
      assert.equal(r.choices[0].text, long.text, 'each answered request has the lone greedy text');
      assert.equal(r.usage.completion_tokens, maxTokens);
    }
    assert.ok(maxBusy <= 1, `--parallel 1: at most 1 busy sequence (saw ${maxBusy})`);
    // (A request admitted but not yet given its sequence may count as waiting for a moment, so
    // the bound is on busy + waiting.)
    assert.ok(maxBoth <= 2, `--parallel 1 --queue 1: at most 2 running or waiting (saw ${maxBoth})`);
    const m1 = await h.waitMetrics(server, (m) => m.get('rbee_sequences_busy') === 0 && m.get('rbee_requests_total', { status: '200' }) - (m0.get('rbee_requests_total', { status: '200' }) ?? 0) >= ok.length, 2000);
    assert.equal(m1.get('rbee_requests_total', { status: '503' }) - (m0.get('rbee_requests_total', { status: '503' }) ?? 0), failed.length, '503s counted');
    assert.equal(m1.get('rbee_sequences_busy'), 0);
    assert.equal(m1.get('rbee_queue_length'), 0);
    // Streamed requests are refused the same way, before any event.
    const busy = client.completions.create({ model: MODEL, prompt: long.prompt, max_tokens: maxTokens, temperature: 0 });
    const queued = client.completions.create({ model: MODEL, prompt: long.prompt, max_tokens: maxTokens, temperature: 0 });
    await h.sleep(30);
    const e = await h.apiError(assert, () => client.completions.create({ model: MODEL, prompt: long.prompt, max_tokens: 4, stream: true }), 'streamed, queue full');
    assert.equal(e.status, 503);
    await Promise.all([busy, queued]);
    const after = await client.completions.create({ model: MODEL, prompt: 'again', max_tokens: 4 });
    assert.equal(after.choices.length, 1, 'served again once the queue drained');
  });
});
