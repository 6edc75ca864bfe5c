// rbee serve under concurrency, with the openai client: 16 streaming clients at once (default
// --parallel 4, so most of them queue) each get the same text as the same request made alone; a
// client that aborts mid-stream (or while queued, or drops its socket) has its sequence cancelled
// and its KV blocks freed, as /metrics shows.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as h from './helpers.mjs';

const MODEL = 'tiny-llama';
const PARALLEL = 4; // the server's default

describe('rbee serve: concurrent clients and cancellation', { skip: h.skipReason }, () => {
  let server, client, idle;
  before(async () => {
    server = await h.startServer(h.LLAMA, ['--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--ctx-size', String(h.MODEL_CONTEXT)]);
    client = server.client();
    idle = await h.metrics(server);
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  // Request i: chat for even i, completions for odd i; each with its own prompt and seed.
  const request = (i) => {
    const common = { model: MODEL, max_tokens: 32, temperature: 0.9, seed: 1000 + i };
    return i % 2 === 0
      ? { kind: 'chat', body: { ...common, messages: [{ role: 'user', content: `Client ${i}: tell me something.` }] } }
      : { kind: 'completion', body: { ...common, prompt: `Client ${i} writes:` } };
  };

  test('16 concurrent streaming clients, each with its own seed, get the text of the same request alone', async (t) => {
    const N = 16;
    const alone = [];
    for (let i = 0; i < N; ++i) {
      const { kind, body } = request(i);
      const r = kind === 'chat' ? await client.chat.completions.create(body) : await client.completions.create(body);
      alone.push({ text: kind === 'chat' ? r.choices[0].message.content : r.choices[0].text, tokens: r.usage.completion_tokens, finish: r.choices[0].finish_reason });
    }
    let maxBusy = 0,
      maxQueue = 0,
      sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await h.metrics(server);
        maxBusy = Math.max(maxBusy, m.get('rbee_sequences_busy'));
        maxQueue = Math.max(maxQueue, m.get('rbee_queue_length'));
        await h.sleep(10);
      }
    })();
    const t0 = Date.now();
    const together = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const { kind, body } = request(i);
        const opts = { ...body, stream: true, stream_options: { include_usage: true } };
        if (kind === 'chat') {
          const s = await h.collectChat(await client.chat.completions.create(opts));
          return { text: s.content, tokens: s.usage?.completion_tokens, finish: s.finish[0], n: s.finish.length };
        }
        const s = await h.collectCompletion(await client.completions.create(opts));
        return { text: s.text, tokens: s.usage?.completion_tokens, finish: s.finish[0], n: s.finish.length };
      }),
    );
    sampling = false;
    await sampler;
    t.diagnostic(`16 streams in ${Date.now() - t0} ms; busy at most ${maxBusy}, queued at most ${maxQueue}`);
    for (let i = 0; i < N; ++i) {
      assert.equal(together[i].n, 1, `client ${i}: one finish_reason`);
      assert.equal(together[i].text, alone[i].text, `client ${i} (${request(i).kind}, seed ${1000 + i}): the same text as alone`);
      assert.equal(together[i].tokens, alone[i].tokens, `client ${i}: the same completion_tokens`);
      assert.equal(together[i].finish, alone[i].finish, `client ${i}: the same finish_reason`);
    }
    assert.ok(maxBusy <= PARALLEL, `at most --parallel ${PARALLEL} sequences at once (saw ${maxBusy})`);
    const m = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0 && x.get('rbee_queue_length') === 0, 2000);
    assert.ok(!m.timedOut, 'idle again afterwards');
  });

  test('a client that aborts mid-stream (AbortController) has its sequence cancelled and its blocks freed', async (t) => {
    const maxTokens = 200;
    const long = await h.longGreedyChat(client, MODEL, maxTokens);
    assert.ok(long, `a chat whose greedy answer runs ${maxTokens} tokens`);
    const m0 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0, 2000);
    const usedIdle = m0.get('rbee_kv_blocks_used');
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: long.messages, max_tokens: maxTokens, temperature: 0, stream: true },
      { signal: controller.signal },
    );
    let chunks = 0,
      during = null,
      aborted = false;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) ++chunks;
        if (chunks === 3) {
          during = await h.metrics(server);
          controller.abort();
        }
      }
    } catch (e) {
      aborted = e?.name === 'AbortError' || (h.OpenAI && e instanceof h.OpenAI.APIUserAbortError) || /abort/i.test(String(e));
      if (!aborted) throw e;
    }
    assert.ok(aborted || chunks >= 3, 'the stream was aborted');
    assert.ok(during, 'aborted after 3 chunks');
    assert.equal(during.get('rbee_sequences_busy'), 1, 'one busy sequence while streaming');
    assert.ok(during.get('rbee_kv_blocks_used') > usedIdle, 'it holds KV blocks');
    const m1 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0 && x.get('rbee_kv_blocks_used') <= usedIdle, 3000);
    assert.ok(!m1.timedOut, `freed: busy ${m1.get('rbee_sequences_busy')}, blocks used ${m1.get('rbee_kv_blocks_used')} (idle ${usedIdle})`);
    const generated = m1.get('rbee_generated_tokens_total') - m0.get('rbee_generated_tokens_total');
    t.diagnostic(`aborted after ${chunks} chunks; the server generated ${generated} of ${maxTokens} tokens`);
    assert.ok(generated < maxTokens, `cancelled before the end: ${generated} tokens generated of ${maxTokens}`);
    // And the server serves on: the same request again, in full, gets the same text (whatever
    // the cancelled sequence left in the prefix cache).
    const again = await client.chat.completions.create({ model: MODEL, messages: long.messages, max_tokens: maxTokens, temperature: 0 });
    assert.equal(again.choices[0].message.content, long.content);
  });

  test('a client that drops its socket mid-stream is cancelled too', async () => {
    const maxTokens = 200;
    const long = await h.longGreedyPrompt(client, MODEL, maxTokens);
    assert.ok(long);
    const m0 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0, 2000);
    const usedIdle = m0.get('rbee_kv_blocks_used');
    const body = JSON.stringify({ model: MODEL, prompt: long.prompt, max_tokens: maxTokens, temperature: 0, stream: true });
    await new Promise((resolve, reject) => {
      const s = net.connect(server.port, server.host, () => {
        s.write(`POST /v1/completions HTTP/1.1\r\nHost: ${server.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
      let got = '';
      s.on('data', (d) => {
        got += d;
        if ((got.match(/data: /g) || []).length >= 3) {
          s.destroy();
          resolve();
        }
      });
      s.on('error', reject);
      setTimeout(() => reject(new Error(`no 3 events in 10 s: ${got.slice(0, 500)}`)), 10000);
    });
    const m1 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0 && x.get('rbee_kv_blocks_used') <= usedIdle, 3000);
    assert.ok(!m1.timedOut, `freed: busy ${m1.get('rbee_sequences_busy')}, blocks used ${m1.get('rbee_kv_blocks_used')} (idle ${usedIdle})`);
    const generated = m1.get('rbee_generated_tokens_total') - m0.get('rbee_generated_tokens_total');
    assert.ok(generated < maxTokens, `cancelled before the end: ${generated} tokens generated of ${maxTokens}`);
  });

  test('a queued client that aborts never runs; the running ones finish', async (t) => {
    const maxTokens = 200;
    const long = await h.longGreedyPrompt(client, MODEL, maxTokens);
    assert.ok(long);
    const m0 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0, 2000);
    const running = Array.from({ length: PARALLEL }, () =>
      client.completions.create({ model: MODEL, prompt: long.prompt, max_tokens: maxTokens, temperature: 0 }));
    const controller = new AbortController();
    const queued = client.completions.create({ model: MODEL, prompt: long.prompt + ' queued', max_tokens: maxTokens, temperature: 0 }, { signal: controller.signal });
    const seen = await h.waitMetrics(server, (x) => x.get('rbee_queue_length') >= 1, 3000);
    controller.abort();
    await assert.rejects(queued, (e) => /abort/i.test(String(e?.name) + String(e?.message)));
    const results = await Promise.all(running);
    for (const r of results) assert.equal(r.choices[0].text, long.text);
    const m1 = await h.waitMetrics(server, (x) => x.get('rbee_sequences_busy') === 0 && x.get('rbee_queue_length') === 0, 3000);
    assert.ok(!m1.timedOut, 'idle again');
    const generated = m1.get('rbee_generated_tokens_total') - m0.get('rbee_generated_tokens_total');
    t.diagnostic(`queue length seen ${seen.get('rbee_queue_length')}${seen.timedOut ? ' (never 1: the running ones may have finished first)' : ''}; generated ${generated}`);
    assert.ok(generated < (PARALLEL + 1) * maxTokens, `the aborted one did not run to the end: ${generated} tokens`);
    assert.ok(m1.get('rbee_kv_blocks_used') <= m0.get('rbee_kv_blocks_used'), 'blocks back');
  });
});
