// rbee serve, end to end with the openai npm client: chat and completions (plain and streamed),
// sampling fields, stop strings, n, logprobs, /v1/models with --alias, /health, /metrics,
// /tokenize, /detokenize, /apply-template, prefix reuse, keep-alive. One server (tiny llama with
// the zephyr template) for the whole file. Random weights: the text is gibberish, so these tests
// check shapes, counts and determinism, never a generated string.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import * as h from './helpers.mjs';

const MODEL = 'tiny-llama';

describe('rbee serve: the OpenAI API on tiny llama', { skip: h.skipReason }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.LLAMA, ['--chat-template-file', h.ZEPHYR, '--alias', MODEL, '--ctx-size', String(h.MODEL_CONTEXT)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('/health: 503 {"status":"loading"} while loading, then 200 {"status":"ok"}', async () => {
    assert.ok(server.healthSeen.length >= 1);
    for (const { status, body } of server.healthSeen) {
      assert.ok(status === 503 || status === 200, `/health after the listening line: ${status} ${body}`);
      assert.deepEqual(JSON.parse(body), { status: status === 200 ? 'ok' : 'loading' });
    }
    const r = await h.raw(server, 'GET', '/health');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { status: 'ok' });
    assert.match(r.headers.get('content-type') || '', /application\/json/);
  });

  test('/v1/models lists the --alias', async () => {
    const page = await client.models.list();
    assert.equal(page.data.length, 1, JSON.stringify(page.data));
    const m = page.data[0];
    assert.equal(m.id, MODEL);
    assert.equal(m.object, 'model');
    assert.equal(m.owned_by, 'rbee');
  });

  test('chat: a plain answer in OpenAI shape, with usage and cached_tokens', async () => {
    const r = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are brief.' },
        { role: 'user', content: 'Say something.' },
      ],
      max_tokens: 16,
      temperature: 0,
    });
    assert.equal(typeof r.id, 'string');
    assert.ok(r.id.length > 0);
    assert.equal(r.object, 'chat.completion');
    assert.ok(Number.isInteger(r.created) && r.created > 1.6e9 && r.created < 1e11, `created is Unix seconds: ${r.created}`);
    assert.equal(r.model, MODEL);
    assert.equal(r.choices.length, 1);
    const c = r.choices[0];
    assert.equal(c.index, 0);
    assert.equal(c.message.role, 'assistant');
    assert.equal(typeof c.message.content, 'string');
    assert.ok(['stop', 'length'].includes(c.finish_reason), `finish_reason ${c.finish_reason}`);
    h.assertUsage(assert, r.usage, 16);
    h.assertCachedTokens(assert, r.usage);
    if (c.finish_reason === 'length') assert.equal(r.usage.completion_tokens, 16);
    assert.ok(!('reasoning_content' in c.message) || c.message.reasoning_content == null || c.message.reasoning_content === '',
      'no reasoning_content without <think> text');
  });

  test('chat: temperature 0 and a seed are deterministic; streamed text equals the plain one', async () => {
    const base = { model: MODEL, messages: [{ role: 'user', content: 'Write a few words.' }], max_tokens: 24 };
    const g1 = await client.chat.completions.create({ ...base, temperature: 0 });
    const g2 = await client.chat.completions.create({ ...base, temperature: 0 });
    assert.equal(g2.choices[0].message.content, g1.choices[0].message.content, 'greedy twice');
    assert.equal(g2.usage.completion_tokens, g1.usage.completion_tokens);

    const s1 = await client.chat.completions.create({ ...base, temperature: 0.9, seed: 1234 });
    const s2 = await client.chat.completions.create({ ...base, temperature: 0.9, seed: 1234 });
    assert.equal(s2.choices[0].message.content, s1.choices[0].message.content, 'same seed twice');
    assert.equal(s2.usage.completion_tokens, s1.usage.completion_tokens);

    // Different seeds: over a few seeds the text must change at least once (a seed that is ignored
    // would give the same text every time).
    const others = new Set([s1.choices[0].message.content]);
    for (const seed of [1, 2, 3]) {
      const o = await client.chat.completions.create({ ...base, temperature: 0.9, seed });
      others.add(o.choices[0].message.content);
    }
    assert.ok(others.size > 1, 'the seed changes the sampled text');

    const st = await h.collectChat(
      await client.chat.completions.create({ ...base, temperature: 0.9, seed: 1234, stream: true, stream_options: { include_usage: true } }),
    );
    assert.equal(st.content, s1.choices[0].message.content, 'streamed text = plain text for the same seed');
    assert.equal(st.ids.size, 1, 'one id for every chunk');
    assert.equal(st.role, 'assistant');
    assert.deepEqual(st.finish, [s1.choices[0].finish_reason], 'one finish_reason, the same as the plain answer');
    for (const ch of st.chunks) {
      assert.equal(ch.object, 'chat.completion.chunk');
      assert.equal(ch.model, MODEL);
    }
    // include_usage: a last chunk with empty choices and the usage; no usage before it.
    const last = st.chunks.at(-1);
    assert.deepEqual(last.choices, [], 'the usage chunk has no choices');
    assert.ok(last.usage, 'the last chunk carries usage');
    assert.ok(st.chunks.slice(0, -1).every((ch) => ch.usage == null), 'only the last chunk carries usage');
    assert.equal(last.usage.completion_tokens, s1.usage.completion_tokens);
    assert.equal(last.usage.prompt_tokens, s1.usage.prompt_tokens);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    h.assertCachedTokens(assert, last.usage, 'streamed usage');
    assert.equal(new Set(st.chunks.map((ch) => ch.created)).size, 1, 'one created time for every chunk');

    // Without include_usage: no usage anywhere.
    const nu = await h.collectChat(await client.chat.completions.create({ ...base, temperature: 0.9, seed: 1234, stream: true }));
    assert.equal(nu.content, s1.choices[0].message.content);
    assert.equal(nu.usage, null, 'no usage chunk unless stream_options.include_usage');
  });

  test('chat: max_tokens and max_completion_tokens cap the answer', async () => {
    const messages = [{ role: 'user', content: 'Count to one hundred.' }];
    for (const [field, n] of [['max_tokens', 3], ['max_completion_tokens', 5], ['max_tokens', 1]]) {
      const r = await client.chat.completions.create({ model: MODEL, messages, [field]: n, temperature: 0.7, seed: 5 });
      h.assertUsage(assert, r.usage, n, `${field} ${n}`);
      if (r.choices[0].finish_reason === 'length') assert.equal(r.usage.completion_tokens, n);
    }
  });

  test('chat: text content parts are the same prompt as the joined string', async () => {
    const parts = [{ role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: ' world' }] }];
    const tpl = await h.raw(server, 'POST', '/apply-template', { messages: parts });
    assert.equal(tpl.status, 200, tpl.text);
    assert.match(tpl.json.prompt, /Hello/);
    assert.match(tpl.json.prompt, /world/);
    const r = await client.chat.completions.create({ model: MODEL, messages: parts, max_tokens: 4, temperature: 0 });
    assert.equal(r.choices[0].message.role, 'assistant');
    h.assertUsage(assert, r.usage, 4);
    // The usage counts the rendered prompt's tokens.
    const tok = await h.raw(server, 'POST', '/tokenize', { content: tpl.json.prompt, add_special: true });
    const plain = await h.raw(server, 'POST', '/tokenize', { content: tpl.json.prompt, add_special: false });
    assert.ok([tok.json.tokens.length, plain.json.tokens.length].includes(r.usage.prompt_tokens),
      `prompt_tokens ${r.usage.prompt_tokens}: the rendered prompt is ${plain.json.tokens.length} tokens (${tok.json.tokens.length} with BOS)`);
  });

  test('completions: plain and streamed, same seed same text, usage', async () => {
    const base = { model: MODEL, prompt: 'The quick brown fox', max_tokens: 20, temperature: 0.8, seed: 99 };
    const r = await client.completions.create(base);
    assert.equal(r.object, 'text_completion');
    assert.equal(r.model, MODEL);
    assert.equal(typeof r.id, 'string');
    assert.ok(Number.isInteger(r.created));
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].index, 0);
    assert.equal(typeof r.choices[0].text, 'string');
    assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
    h.assertUsage(assert, r.usage, 20);
    h.assertCachedTokens(assert, r.usage);
    const tok = await h.raw(server, 'POST', '/tokenize', { content: base.prompt, add_special: true });
    const plain = await h.raw(server, 'POST', '/tokenize', { content: base.prompt, add_special: false });
    assert.ok([tok.json.tokens.length, plain.json.tokens.length].includes(r.usage.prompt_tokens),
      `prompt_tokens ${r.usage.prompt_tokens}: the prompt is ${plain.json.tokens.length} tokens (${tok.json.tokens.length} with BOS)`);

    const again = await client.completions.create(base);
    assert.equal(again.choices[0].text, r.choices[0].text, 'same seed, same text');

    const st = await h.collectCompletion(await client.completions.create({ ...base, stream: true, stream_options: { include_usage: true } }));
    assert.equal(st.text, r.choices[0].text, 'streamed text = plain text');
    assert.deepEqual(st.finish, [r.choices[0].finish_reason]);
    assert.equal(st.ids.size, 1);
    for (const ch of st.chunks) assert.equal(ch.object, 'text_completion');
    assert.ok(st.usage, 'usage chunk');
    assert.equal(st.usage.completion_tokens, r.usage.completion_tokens);
    assert.equal(st.usage.prompt_tokens, r.usage.prompt_tokens);

    const greedy1 = await client.completions.create({ ...base, temperature: 0, seed: undefined });
    const greedy2 = await client.completions.create({ ...base, temperature: 0, seed: 4321 });
    assert.equal(greedy2.choices[0].text, greedy1.choices[0].text, 'temperature 0 ignores the seed');
  });

  test('stop strings: cut before the stop (across token boundaries), plain and streamed, string or list', async (t) => {
    const messages = [{ role: 'user', content: 'Tell me anything at all.' }];
    const full = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 48, temperature: 0 });
    const text = full.choices[0].message.content;
    // A stop string taken from the greedy answer: 4 printable ASCII characters from the 3rd on
    // (with a vocabulary of 512, 4 characters usually span a token boundary).
    let stop = null;
    for (let i = 2; i + 4 <= text.length && !stop; ++i) {
      const s = text.slice(i, i + 4);
      if (/^[\x21-\x7e]{4}$/.test(s)) stop = s;
    }
    if (!stop) {
      t.skip(`no 4 printable characters in the greedy answer ${JSON.stringify(text)}: nothing to check`);
      return;
    }
    const expected = text.slice(0, text.indexOf(stop));
    t.diagnostic(`stop ${JSON.stringify(stop)} in ${JSON.stringify(text)}`);

    for (const s of [stop, ['never-in-gibberish-\u2603', stop]]) {
      const r = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 48, temperature: 0, stop: s });
      assert.equal(r.choices[0].message.content, expected, `stop ${JSON.stringify(s)}: the text up to the stop, without it`);
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.ok(r.usage.completion_tokens < full.usage.completion_tokens || full.choices[0].finish_reason === 'stop');
      const st = await h.collectChat(await client.chat.completions.create({ model: MODEL, messages, max_tokens: 48, temperature: 0, stop: s, stream: true }));
      assert.equal(st.content, expected, `streamed, stop ${JSON.stringify(s)}`);
      assert.deepEqual(st.finish, ['stop']);
    }
    // A stop string whose start ends the answer but which never completes: held back while it
    // might match, then given out when the answer ends (plain and streamed alike).
    const tailStop = text.slice(-2) + '\u2603';
    if (full.choices[0].finish_reason === 'length' && text.length >= 2 && text.indexOf(tailStop) < 0) {
      const r = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 48, temperature: 0, stop: [tailStop] });
      assert.equal(r.choices[0].message.content, text, 'a partial stop match at the end is part of the answer');
      const st = await h.collectChat(await client.chat.completions.create({ model: MODEL, messages, max_tokens: 48, temperature: 0, stop: [tailStop], stream: true }));
      assert.equal(st.content, text, 'streamed: the held-back partial match comes out at the end');
      assert.deepEqual(st.finish, ['length']);
      t.diagnostic(`held-back stop ${JSON.stringify(tailStop)}: checked`);
    } else t.diagnostic('the greedy answer ended early: the held-back stop case is not checked');
    // And on /v1/completions with the same rendered prompt.
    const tpl = await h.raw(server, 'POST', '/apply-template', { messages });
    const fullc = await client.completions.create({ model: MODEL, prompt: tpl.json.prompt, max_tokens: 48, temperature: 0 });
    const t2 = fullc.choices[0].text;
    const at = t2.indexOf(stop);
    if (at >= 0) {
      const rc = await client.completions.create({ model: MODEL, prompt: tpl.json.prompt, max_tokens: 48, temperature: 0, stop: [stop] });
      assert.equal(rc.choices[0].text, t2.slice(0, at));
      assert.equal(rc.choices[0].finish_reason, 'stop');
      const sc = await h.collectCompletion(await client.completions.create({ model: MODEL, prompt: tpl.json.prompt, max_tokens: 48, temperature: 0, stop: stop, stream: true }));
      assert.equal(sc.text, t2.slice(0, at));
      assert.deepEqual(sc.finish, ['stop']);
    }
  });

  test('n: 2 choices, indexed, independently sampled', async () => {
    const r = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Two answers please.' }],
      max_tokens: 12,
      temperature: 1.0,
      seed: 77,
      n: 2,
    });
    assert.equal(r.choices.length, 2);
    assert.deepEqual(r.choices.map((c) => c.index).sort(), [0, 1]);
    for (const c of r.choices) {
      assert.equal(c.message.role, 'assistant');
      assert.ok(['stop', 'length'].includes(c.finish_reason));
    }
    assert.notEqual(r.choices[0].message.content, r.choices[1].message.content, 'two samples, not one sample twice');
    h.assertUsage(assert, r.usage, 24);

    const st = await h.collectChat(
      await client.chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'Two answers please.' }],
        max_tokens: 12,
        temperature: 1.0,
        seed: 77,
        n: 2,
        stream: true,
      }),
    );
    const indexes = new Set(st.chunks.flatMap((ch) => ch.choices.map((c) => c.index)));
    assert.deepEqual([...indexes].sort(), [0, 1], 'streamed chunks for both choices');
    assert.equal(st.finish.length, 2, 'a finish_reason per choice');
    const byIndex = ['', ''];
    for (const ch of st.chunks) for (const c of ch.choices) byIndex[c.index] += c.delta?.content ?? '';
    assert.deepEqual(byIndex, r.choices.sort((a, b) => a.index - b.index).map((c) => c.message.content), 'streamed = plain for the same seed');
  });

  test('logprobs: chat top_logprobs, greedy picks the most likely token', async () => {
    const r = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Anything.' }],
      max_tokens: 8,
      temperature: 0,
      logprobs: true,
      top_logprobs: 3,
    });
    const lp = r.choices[0].logprobs;
    assert.ok(lp && Array.isArray(lp.content), `choices[0].logprobs.content: ${JSON.stringify(lp)}`);
    assert.ok(lp.content.length >= 1 && lp.content.length <= r.usage.completion_tokens,
      `one entry per generated token: ${lp.content.length} for ${r.usage.completion_tokens}`);
    for (const e of lp.content) {
      assert.equal(typeof e.token, 'string');
      assert.ok(typeof e.logprob === 'number' && e.logprob <= 0, `logprob ${e.logprob}`);
      if (e.bytes != null) assert.ok(Array.isArray(e.bytes) && e.bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256));
      assert.equal(e.top_logprobs.length, 3);
      for (let i = 1; i < 3; ++i) assert.ok(e.top_logprobs[i - 1].logprob >= e.top_logprobs[i].logprob, 'top_logprobs sorted');
      assert.ok(Math.abs(e.top_logprobs[0].logprob - e.logprob) < 1e-4, `greedy: the chosen token is the likeliest (${e.logprob} vs ${e.top_logprobs[0].logprob})`);
      assert.equal(e.top_logprobs[0].token, e.token);
      const p = e.top_logprobs.reduce((a, t) => a + Math.exp(t.logprob), 0);
      assert.ok(p <= 1 + 1e-4, `probabilities sum to at most 1: ${p}`);
    }
    const none = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Anything.' }], max_tokens: 4, temperature: 0 });
    assert.ok(none.choices[0].logprobs == null, 'no logprobs unless asked');

    // Streamed: each content chunk carries its tokens' logprobs.
    const st = await h.collectChat(
      await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Anything.' }], max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 2, stream: true }),
    );
    const streamed = st.chunks.flatMap((ch) => ch.choices.flatMap((c) => c.logprobs?.content ?? []));
    assert.equal(streamed.length, lp.content.length, 'as many streamed logprob entries as plain ones');
    streamed.forEach((e, i) => {
      assert.equal(e.token, lp.content[i].token);
      assert.ok(Math.abs(e.logprob - lp.content[i].logprob) < 1e-4);
    });

    // /v1/completions takes logprobs as a number.
    const c = await client.completions.create({ model: MODEL, prompt: 'Hello', max_tokens: 4, temperature: 0, logprobs: 2 });
    const cl = c.choices[0].logprobs;
    assert.ok(cl && Array.isArray(cl.tokens) && Array.isArray(cl.token_logprobs), `completions logprobs: ${JSON.stringify(cl)}`);
    assert.equal(cl.tokens.length, cl.token_logprobs.length);
    if (cl.top_logprobs) assert.equal(cl.top_logprobs.length, cl.tokens.length);
  });

  test('sampling fields: top_p, top_k, min_p, penalties, repeat_penalty accepted and seeded', async () => {
    const base = {
      model: MODEL,
      messages: [{ role: 'user', content: 'Repeat repeat repeat.' }],
      max_tokens: 16,
      temperature: 0.9,
      seed: 2024,
      top_p: 0.9,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      top_k: 40,
      min_p: 0.05,
      repeat_penalty: 1.1,
    };
    const a = await client.chat.completions.create(base);
    const b = await client.chat.completions.create(base);
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
    h.assertUsage(assert, a.usage, 16);
    // top_k 1 is greedy whatever the temperature.
    const g = await client.chat.completions.create({ model: MODEL, messages: base.messages, max_tokens: 16, temperature: 0 });
    const k1 = await client.chat.completions.create({ model: MODEL, messages: base.messages, max_tokens: 16, temperature: 1.5, seed: 3, top_k: 1 });
    assert.equal(k1.choices[0].message.content, g.choices[0].message.content, 'top_k 1 = greedy');
  });

  test('/tokenize and /detokenize agree with the rbee CLI', async () => {
    const text = 'Hello world, this is rbee.';
    const plain = await h.raw(server, 'POST', '/tokenize', { content: text });
    assert.equal(plain.status, 200, plain.text);
    assert.ok(Array.isArray(plain.json.tokens) && plain.json.tokens.every(Number.isInteger));
    assert.deepEqual(plain.json.tokens, h.cliTokenize(h.LLAMA, text, false), '/tokenize = rbee tokenize');
    const special = await h.raw(server, 'POST', '/tokenize', { content: text, add_special: true });
    assert.deepEqual(special.json.tokens, h.cliTokenize(h.LLAMA, text, true), 'add_special = rbee tokenize --add-special');
    const back = await h.raw(server, 'POST', '/detokenize', { tokens: plain.json.tokens });
    assert.equal(back.status, 200, back.text);
    assert.deepEqual(back.json, { content: text });
    const unicode = 'h\u00e9llo w\u00f6rld \u{1F41D} \u65e5\u672c';
    const ut = await h.raw(server, 'POST', '/tokenize', { content: unicode });
    assert.deepEqual(ut.json.tokens, h.cliTokenize(h.LLAMA, unicode, false), 'non-ASCII text: /tokenize = rbee tokenize');
    const ub = await h.raw(server, 'POST', '/detokenize', { tokens: ut.json.tokens });
    assert.deepEqual(ub.json, { content: unicode }, 'non-ASCII text round trip');
    const empty = await h.raw(server, 'POST', '/tokenize', { content: '' });
    assert.deepEqual(empty.json, { tokens: [] });
  });

  test('/apply-template renders exactly as rbee template', async () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'How are you?' },
    ];
    const r = await h.raw(server, 'POST', '/apply-template', { messages });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.prompt, h.cliTemplate(h.LLAMA, h.ZEPHYR, messages));
    assert.ok(r.json.prompt.endsWith('<|assistant|>\n'), 'with the generation prompt');
  });

  test('prefix reuse: the same long prompt again reports cached_tokens', async () => {
    const system = 'You are a helpful assistant. '.repeat(5);
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: 'First question?' },
    ];
    const before = await h.metrics(server);
    const a = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 4, temperature: 0 });
    assert.ok(a.usage.prompt_tokens > 64, `a long prompt: ${a.usage.prompt_tokens} tokens`);
    const b = await client.chat.completions.create({ model: MODEL, messages, max_tokens: 4, temperature: 0 });
    const cached = h.assertCachedTokens(assert, b.usage, 'second request');
    assert.ok(cached >= 32, `the second request reuses the first one's prompt blocks: cached_tokens ${cached} of ${b.usage.prompt_tokens}`);
    assert.equal(b.choices[0].message.content, a.choices[0].message.content, 'the same text with the cached prefix');
    const expected = h.assertCachedTokens(assert, a.usage) + cached;
    const after = await h.waitMetrics(server, (m) => m.get('rbee_prompt_tokens_cached_total') - before.get('rbee_prompt_tokens_cached_total') >= expected, 2000);
    const d = after.get('rbee_prompt_tokens_cached_total') - before.get('rbee_prompt_tokens_cached_total');
    assert.equal(d, expected, 'rbee_prompt_tokens_cached_total moves by the cached tokens');
  });

  test('/metrics: Prometheus text whose counters move with the requests', async (t) => {
    const r0 = await fetch(`${server.url}/metrics`);
    assert.equal(r0.status, 200);
    assert.match(r0.headers.get('content-type') || '', /text\/plain/);
    const m0 = h.parseMetrics(await r0.text());
    const types = {
      rbee_requests_total: 'counter',
      rbee_prompt_tokens_total: 'counter',
      rbee_generated_tokens_total: 'counter',
      rbee_prompt_tokens_cached_total: 'counter',
      rbee_time_to_first_token_seconds: 'summary',
      rbee_queue_length: 'gauge',
      rbee_sequences_busy: 'gauge',
      rbee_kv_blocks_used: 'gauge',
      rbee_kv_blocks_free: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) assert.equal(m0.types.get(name), type, `# TYPE ${name} ${type}`);
    for (const g of ['rbee_prompt_tokens_total', 'rbee_generated_tokens_total', 'rbee_prompt_tokens_cached_total', 'rbee_queue_length',
      'rbee_sequences_busy', 'rbee_kv_blocks_used', 'rbee_kv_blocks_free', 'rbee_time_to_first_token_seconds_sum', 'rbee_time_to_first_token_seconds_count'])
      assert.ok(Number.isFinite(m0.get(g)), `${g} has a value`);
    assert.equal(m0.get('rbee_queue_length'), 0, 'idle: nothing queued');
    assert.equal(m0.get('rbee_sequences_busy'), 0, 'idle: no busy sequence');
    const blocks = m0.get('rbee_kv_blocks_used') + m0.get('rbee_kv_blocks_free');
    assert.ok(blocks > 0, 'some KV blocks');

    const r = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Metrics please.' }], max_tokens: 10, temperature: 0.5, seed: 8 });
    // The counters may move just after the reply went out: wait (a little) for them to settle.
    const m1 = await h.waitMetrics(server, (m) => m.get('rbee_generated_tokens_total') - m0.get('rbee_generated_tokens_total') >= r.usage.completion_tokens, 2000);
    assert.ok(m1.get('rbee_requests_total', { status: '200' }) - (m0.get('rbee_requests_total', { status: '200' }) ?? 0) >= 1, 'a 200 counted');
    assert.equal(m1.get('rbee_prompt_tokens_total') - m0.get('rbee_prompt_tokens_total'), r.usage.prompt_tokens, 'prompt tokens counted');
    assert.equal(m1.get('rbee_generated_tokens_total') - m0.get('rbee_generated_tokens_total'), r.usage.completion_tokens, 'generated tokens counted');
    assert.equal(m1.get('rbee_time_to_first_token_seconds_count') - m0.get('rbee_time_to_first_token_seconds_count'), 1, 'one first token');
    assert.ok(m1.get('rbee_time_to_first_token_seconds_sum') > m0.get('rbee_time_to_first_token_seconds_sum'), 'its time added');
    assert.equal(m1.get('rbee_kv_blocks_used') + m1.get('rbee_kv_blocks_free'), blocks, 'blocks used + free is constant');
    assert.equal(m1.get('rbee_sequences_busy'), 0);

    const st = await h.collectChat(await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Stream it.' }], max_tokens: 10, temperature: 0, stream: true, stream_options: { include_usage: true } }));
    const m2 = await h.waitMetrics(server, (m) => m.get('rbee_generated_tokens_total') - m1.get('rbee_generated_tokens_total') >= st.usage.completion_tokens, 2000);
    assert.equal(m2.get('rbee_generated_tokens_total') - m1.get('rbee_generated_tokens_total'), st.usage.completion_tokens, 'streamed tokens counted');
    assert.equal(m2.get('rbee_prompt_tokens_total') - m1.get('rbee_prompt_tokens_total'), st.usage.prompt_tokens);

    await h.apiError(assert, () => client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), 'unknown model');
    const m3 = await h.waitMetrics(server, (m) => m.get('rbee_requests_total', { status: '404' }) > (m2.get('rbee_requests_total', { status: '404' }) ?? 0), 2000);
    assert.ok(m3.get('rbee_requests_total', { status: '404' }) - (m2.get('rbee_requests_total', { status: '404' }) ?? 0) >= 1, 'a 404 counted');
    t.diagnostic(`metrics after: requests ${m3.sum('rbee_requests_total')}, prompt ${m3.get('rbee_prompt_tokens_total')}, generated ${m3.get('rbee_generated_tokens_total')}, blocks ${blocks}`);
  });

  test('SSE framing: text/event-stream, data: lines, ending with data: [DONE]', async () => {
    const r = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt: 'SSE', max_tokens: 6, temperature: 0, stream: true }),
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/event-stream/);
    const body = await r.text();
    const events = body.split(/\r?\n\r?\n/).filter((e) => e.trim() !== '');
    assert.ok(events.length >= 2, body);
    for (const e of events) assert.match(e, /^data: /, `an event: ${JSON.stringify(e)}`);
    assert.equal(events.at(-1).trim(), 'data: [DONE]');
    for (const e of events.slice(0, -1)) JSON.parse(e.slice('data: '.length));
  });

  test('keep-alive: two requests on one connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise((resolve, reject) => {
        const req = http.get(`${server.url}/v1/models`, { agent }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, body: b }));
        });
        req.on('error', reject);
      });
    const a = await get();
    const b = await get();
    // A streamed answer (chunked) on the same connection, then another request after it.
    const streamed = await new Promise((resolve, reject) => {
      const req = http.request(`${server.url}/v1/completions`, { agent, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: MODEL, prompt: 'keep', max_tokens: 4, stream: true }));
    });
    const c = await get();
    agent.destroy();
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.ok(b.reused, 'the second request reused the connection');
    assert.equal(streamed.status, 200);
    assert.ok(streamed.reused, 'the streamed request reused it');
    assert.ok(streamed.body.trim().endsWith('data: [DONE]'), streamed.body);
    assert.equal(c.status, 200);
    assert.ok(c.reused, 'and the connection lives on after a streamed answer');

    // Two requests in one write (pipelined): two answers, in order.
    const both = await new Promise((resolve) => {
      const sock = net.connect(server.port, server.host);
      let got = '';
      sock.setEncoding('latin1');
      sock.on('data', (d) => {
        got += d;
        if ((got.match(/HTTP\/1\.1 /g) || []).length >= 2 && got.includes('"data"')) sock.end();
      });
      sock.on('error', () => {});
      sock.on('close', () => resolve(got));
      sock.write(`GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n`);
      setTimeout(() => sock.end(), 3000);
    });
    const statuses = [...both.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '200'], `pipelined: ${JSON.stringify(both.slice(0, 400))}`);
    assert.ok(both.indexOf('"status"') < both.indexOf('"data"'), 'answers in request order');
  });

  test('Expect: 100-continue (curl sends it for bodies over 1 KiB) is answered at once', async () => {
    const body = JSON.stringify({ model: MODEL, prompt: 'continue', max_tokens: 2 });
    const out = await new Promise((resolve) => {
      const sock = net.connect(server.port, server.host);
      let got = '',
        interim = null;
      const t0 = Date.now();
      sock.setEncoding('latin1');
      sock.on('data', (d) => {
        got += d;
        if (interim === null && /^HTTP\/1\.1 100 /.test(got)) {
          interim = Date.now() - t0;
          sock.write(body);
        }
        if (/\r\n\r\n\{.*\}$/s.test(got.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, ''))) sock.end();
      });
      sock.on('error', () => {});
      sock.on('close', () => resolve({ got, interim }));
      sock.write(`POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`);
      setTimeout(() => {
        if (interim === null) sock.write(body); // as curl does after its wait
      }, 1000);
      setTimeout(() => sock.destroy(), 5000);
    });
    assert.ok(out.interim !== null && out.interim < 500, `a "100 Continue" right after the headers (got one after ${out.interim} ms): ${JSON.stringify(out.got.slice(0, 120))}`);
    assert.match(out.got, /HTTP\/1\.1 200 /, 'then the answer');
  });

  test('SIGTERM when idle: exit code 0 within a few seconds', async () => {
    const r = await server.stop('SIGTERM', 10000);
    assert.equal(r.killed, false, `did not exit within 10 s of SIGTERM\n${server.log()}`);
    assert.equal(r.signal, null);
    assert.equal(r.code, 0, `exit code\n${server.log()}`);
    assert.ok(r.ms < 5000, `exited ${r.ms} ms after SIGTERM`);
  });
});
