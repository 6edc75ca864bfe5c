// rbee serve on a gpt-oss model (the shared tiny gpt_oss, which has no chat template of its
// own): conversations render in the harmony format (rbee's renderer, picked for the gpt-oss
// architecture), with reasoning_effort and chat_template_kwargs reaching it, and the openai
// client's requests are accepted plain and streamed. The tiny model's vocabulary has no harmony
// tokens and its weights are random, so what it writes is checked for shape only; reading
// harmony output into reasoning_content and tool_calls is tests/chat's (test_output_harmony).
// Skipped when the shared fixture is absent.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const GPT_OSS = path.join(h.SHARED, 'tiny/gpt_oss');
const MODEL = 'tiny-gpt-oss';
const skip = h.skipReason || (!fs.existsSync(GPT_OSS) && `no tiny gpt_oss model at ${GPT_OSS}`);

const conversation = [
  { role: 'system', content: 'You are a weather bot.' },
  { role: 'user', content: 'What is the weather in Paris?' },
  {
    role: 'assistant',
    content: '',
    reasoning_content: 'Need the weather tool.',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 22}' },
];

describe('rbee serve: gpt-oss conversations in the harmony format', { skip }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(GPT_OSS, ['--alias', MODEL, '--ctx-size', '1024']);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('/apply-template renders harmony: effort, instructions, tools, the call and its result', async () => {
    const r = await h.raw(server, 'POST', '/apply-template', { messages: conversation, tools: h.WEATHER_TOOLS, reasoning_effort: 'high' });
    assert.equal(r.status, 200, r.text);
    const p = r.json.prompt;
    assert.match(p, /^<\|start\|>system<\|message\|>You are ChatGPT, a large language model trained by OpenAI\.\nKnowledge cutoff: 2024-06\nCurrent date: \d{4}-\d\d-\d\d\n\nReasoning: high\n\n/);
    assert.ok(p.includes("Calls to these tools must go to the commentary channel: 'functions'.<|end|>"), 'where calls go');
    assert.ok(p.includes('<|start|>developer<|message|># Instructions\n\nYou are a weather bot.\n\n# Tools\n\n## functions\n\nnamespace functions {\n\n'
      + '// Get the current weather in a city\ntype get_weather = (_: {\n// The city\ncity: string,\n}) => any;\n\n} // namespace functions<|end|>'), p);
    assert.ok(p.includes('<|start|>assistant<|channel|>analysis<|message|>Need the weather tool.<|end|>'), 'the ongoing call keeps its reasoning');
    assert.ok(p.includes('<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{"city": "Paris"}<|call|>'), 'the call');
    assert.ok(p.endsWith('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>{"temperature": 22}<|end|><|start|>assistant'), 'the result, then the generation prompt');
    const kwargs = await h.raw(server, 'POST', '/apply-template', { messages: conversation.slice(1, 2), chat_template_kwargs: { reasoning_effort: 'low', model_identity: 'You are a bee.' } });
    assert.equal(kwargs.status, 200, kwargs.text);
    assert.match(kwargs.json.prompt, /^<\|start\|>system<\|message\|>You are a bee\.\n.*\n\nReasoning: low\n\n/s);
  });

  test('an unknown reasoning_effort is refused', async () => {
    const r = await h.raw(server, 'POST', '/v1/chat/completions', { messages: conversation.slice(1, 2), reasoning_effort: 'extreme' });
    assert.equal(r.status, 400, r.text);
    h.assertErrorShape(assert, r.json, 'reasoning_effort extreme');
    assert.match(r.json.error.message, /reasoning_effort/);
  });

  // A short conversation: the tiny model on lavapipe is slow with the long tools prompt.
  test('the openai client chats, plain and streamed', async () => {
    const request = { model: MODEL, messages: conversation.slice(1, 2), reasoning_effort: 'low', max_tokens: 8, temperature: 0 };
    const plain = await client.chat.completions.create(request);
    assert.equal(plain.choices.length, 1);
    const m = plain.choices[0].message;
    assert.equal(m.role, 'assistant');
    assert.ok(m.content === null || typeof m.content === 'string');
    h.assertUsage(assert, plain.usage, 8);
    const streamed = await h.collectChat(await client.chat.completions.create({ ...request, stream: true }));
    assert.equal(streamed.role, 'assistant');
    assert.equal(streamed.finish.length, 1);
    assert.equal(streamed.content, m.content ?? '', 'greedy: the stream adds up to the plain answer');
    assert.equal(streamed.reasoning, m.reasoning_content ?? '');
  });
});
