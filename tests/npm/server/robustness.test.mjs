// rbee serve against slow and long-running clients: slow-loris connections (a byte a second;
// --timeout 2) are closed by the server within a few seconds while a normal request is served
// meanwhile; 200 requests in a row keep the server's resident memory flat; SIGTERM during a
// stream ends the process with exit code 0 within a few seconds and stops accepting.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import * as h from './helpers.mjs';

const MODEL = 'tiny-llama';
const TIMEOUT_S = 2;

// A connection that sends `text` one byte a second (after `head` at once). Resolves
// {closedAfterMs, sent, received} once the server closes it, or {closedAfterMs: null} after `ms`.
function slowClient(server, head, text, ms = 15000) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(server.port, server.host);
    let sent = 0,
      received = '',
      timer = null,
      done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(limit);
      s.destroy();
      resolve({ closedAfterMs: closed ? Date.now() - t0 : null, sent, received });
    };
    const limit = setTimeout(() => finish(false), ms);
    s.setEncoding('latin1');
    s.on('data', (d) => (received += d));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', () => {
      if (head) s.write(head);
      timer = setInterval(() => {
        if (sent < text.length && !s.destroyed) s.write(text[sent++]);
      }, 1000);
    });
  });
}

describe('rbee serve: slow clients and memory (--timeout 2)', { skip: h.skipReason }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.LLAMA, ['--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--timeout', String(TIMEOUT_S), '--ctx-size', String(h.MODEL_CONTEXT)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('slow-loris connections are closed within a few seconds; a normal request meanwhile succeeds', async (t) => {
    const request = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n${'{'.repeat(200)}`;
    const body = JSON.stringify({ model: MODEL, prompt: 'x' }).padEnd(1000, ' ');
    const clients = [
      // headers, a byte a second
      ...Array.from({ length: 8 }, () => slowClient(server, '', request)),
      // headers at once, then the body a byte a second
      slowClient(server, `POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body),
      // connected, never a byte (many of them: no thread each)
      ...Array.from({ length: 40 }, () => slowClient(server, '', '')),
    ];
    await h.sleep(1000);
    const t0 = Date.now();
    const r = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Are you there?' }], max_tokens: 8, temperature: 0 });
    const took = Date.now() - t0;
    assert.equal(r.choices.length, 1);
    assert.ok(took < 2000, `a normal request among slow clients took ${took} ms`);
    const closed = await Promise.all(clients);
    t.diagnostic(`closed after ${closed.map((c) => c.closedAfterMs).join(', ')} ms; normal request ${took} ms`);
    closed.forEach((c, i) => {
      assert.ok(c.closedAfterMs !== null, `slow client ${i} still open after 15 s (sent ${c.sent} bytes)`);
      assert.ok(c.closedAfterMs <= (TIMEOUT_S + 3) * 1000, `slow client ${i} closed after ${c.closedAfterMs} ms (--timeout ${TIMEOUT_S})`);
      if (c.received) assert.match(c.received, /^HTTP\/1\.[01] (408|400)/, `slow client ${i}: an answer, if any, is 408 or 400`);
    });
    const m = await h.metrics(server);
    assert.equal(m.get('rbee_sequences_busy'), 0);
  });

  test('200 requests in a row keep the resident memory flat', async (t) => {
    // AddressSanitizer's quarantine keeps freed memory resident: no memory figure to judge there.
    const maps = fs.readFileSync(`/proc/${server.pid}/maps`, 'utf8');
    if (/libasan|libclang_rt\.asan/.test(maps) || process.env.RBEE_ASAN) {
      t.skip('the server runs under AddressSanitizer: VmRSS is not meaningful');
      return;
    }
    const kinds = [
      () => client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `Request ${Math.random()}` }], max_tokens: 8, temperature: 0.8 }),
      async () => h.collectChat(await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: `Stream ${Math.random()}` }], max_tokens: 8, stream: true, stream_options: { include_usage: true } })),
      () => client.completions.create({ model: MODEL, prompt: `Text ${Math.random()}`, max_tokens: 8, stop: ['\n', 'zz'] }),
      () => client.chat.completions.create({ model: 'wrong-model', messages: [{ role: 'user', content: 'x' }] }).catch((e) => e),
      () => h.raw(server, 'POST', '/tokenize', { content: `tokens ${Math.random()}` }),
    ];
    const WARM = 20,
      TOTAL = 200;
    let warm = 0;
    const samples = [];
    const t0 = Date.now();
    for (let i = 0; i < TOTAL; ++i) {
      await kinds[i % kinds.length]();
      if (i + 1 === WARM) warm = h.rssKiB(server.pid);
      if ((i + 1) % 20 === 0) samples.push(h.rssKiB(server.pid));
    }
    const end = h.rssKiB(server.pid);
    const growthMiB = (end - warm) / 1024;
    t.diagnostic(`${TOTAL} requests in ${Date.now() - t0} ms; VmRSS after ${WARM}: ${(warm / 1024).toFixed(1)} MiB, after ${TOTAL}: ${(end / 1024).toFixed(1)} MiB (${growthMiB >= 0 ? '+' : ''}${growthMiB.toFixed(1)} MiB); every 20: ${samples.map((s) => (s / 1024).toFixed(1)).join(' ')}`);
    assert.ok(growthMiB < 16, `VmRSS grew ${growthMiB.toFixed(1)} MiB over ${TOTAL - WARM} requests (from ${(warm / 1024).toFixed(1)} MiB)`);
  });
});

describe('rbee serve: SIGTERM during a stream', { skip: h.skipReason }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.LLAMA, ['--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--ctx-size', String(h.MODEL_CONTEXT)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('SIGTERM mid-stream: the stream ends, the server stops accepting and exits 0 within a few seconds', async (t) => {
    const maxTokens = 200;
    const long = await h.longGreedyChat(client, MODEL, maxTokens);
    assert.ok(long, `a chat whose greedy answer runs ${maxTokens} tokens`);
    const stream = await client.chat.completions.create({ model: MODEL, messages: long.messages, max_tokens: maxTokens, temperature: 0, stream: true });
    let content = '',
      finish = null,
      chunks = 0,
      streamError = null,
      signalled = null;
    const reading = (async () => {
      try {
        for await (const chunk of stream) {
          const c = chunk.choices[0];
          if (c?.delta?.content) {
            content += c.delta.content;
            if (++chunks === 3) {
              signalled = Date.now();
              server.proc.kill('SIGTERM');
            }
          }
          if (c?.finish_reason) finish = c.finish_reason;
        }
      } catch (e) {
        streamError = e;
      }
    })();
    // While it drains (if it has not exited yet), a new request is not served.
    let during = null;
    const probe = (async () => {
      for (let i = 0; !signalled && i < 2000; ++i) await h.sleep(5);
      if (!signalled) return;
      await h.sleep(50);
      if (server.exitCode !== undefined) return;
      during = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'late' }], max_tokens: 4 }),
        signal: AbortSignal.timeout(5000),
      }).then((r) => r.status, (e) => e.cause?.code || e.name || 'error');
    })();
    const exited = await Promise.race([server.exited, h.sleep(10000).then(() => null)]);
    await probe;
    assert.ok(during === null || during === 503 || typeof during === 'string', `a request after SIGTERM: ${during} (expected refused or 503)`);
    await Promise.race([reading, h.sleep(2000)]);
    assert.ok(signalled, 'SIGTERM sent after 3 chunks');
    assert.ok(exited, `exited within 10 s of SIGTERM\n${server.log()}`);
    const ms = Date.now() - signalled;
    t.diagnostic(`exit ${JSON.stringify(exited)} about ${ms} ms after SIGTERM; the stream got ${content.length} characters, finish ${finish}, error ${streamError?.message ?? 'none'}`);
    assert.equal(exited.signal, null, 'not killed by the signal');
    assert.equal(exited.code, 0, `exit code 0\n${server.log()}`);
    assert.ok(ms < 5000, `exited within 5 s (${ms} ms)`);
    // Finished or cancelled: what came is a prefix of the lone answer.
    assert.ok(long.content.startsWith(content.replace(/\uFFFD+$/, '')), 'the streamed text is a prefix of the greedy answer');
    if (finish === 'length') assert.equal(content, long.content, 'finished: the whole answer');
    // And nothing listens any more.
    const after = await fetch(`${server.url}/health`).then((r) => r.status, (e) => e.cause?.code || 'error');
    assert.ok(typeof after === 'string', `after exit, /health: ${after}`);
  });

});
