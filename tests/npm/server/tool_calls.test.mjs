// rbee serve turning model-written text into OpenAI's tool_calls and reasoning_content, end to end
// through the openai client. The model is tests/fixtures/tiny/qwen3_tools: the tiny qwen3 model
// fine-tuned (tools/tool-call-model/make.py) so that, greedy, with Qwen3's template it answers
//   the weather question: <think>\n{CALL_REASONING}\n</think>\n\n<tool_call>\n{...get_weather Paris...}\n</tool_call>
//   the same after the call and its result: <think>\n{RESULT_REASONING}\n</think>\n\n{RESULT_CONTENT}
// (then EOS). Its expected.json holds the conversations it learned and the logit margins.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as h from './helpers.mjs';

const MODEL = 'tiny-qwen3-tools';
const CTX = 1024; // the tools preamble alone is ~450 tokens in the 512-token vocabulary
const skip = h.skipReason || (!fs.existsSync(h.QWEN3_TOOLS) && `no model at ${h.QWEN3_TOOLS}`);

const tools = h.WEATHER_TOOLS;
const question = [
  { role: 'system', content: 'You are a weather bot.' },
  { role: 'user', content: 'What is the weather in Paris?' },
];
const TOOL_RESULT = '{"temperature": "22 degrees", "sky": "clear"}';
const CALL_REASONING = 'The user wants the weather in Paris.';
const CALL_TEXT = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
const RESULT_REASONING = 'The tool answered.';
const RESULT_CONTENT = 'It is 22 degrees and clear in Paris.';

const greedy = { model: MODEL, tools, temperature: 0, max_tokens: 128 };

// The conversation after the call: the assistant turn as a client sends it back, then the tool's
// answer.
function afterCall(assistant) {
  return [...question, assistant, { role: 'tool', tool_call_id: assistant.tool_calls[0].id, content: TOOL_RESULT }];
}

function assertWeatherCall(call, what) {
  assert.equal(call.type, 'function', `${what}: type`);
  assert.equal(typeof call.id, 'string', `${what}: id`);
  assert.ok(call.id.length > 0, `${what}: the id is not empty`);
  assert.equal(call.function.name, 'get_weather', `${what}: name`);
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' }, `${what}: arguments`);
}

// Streamed tool-call deltas (OpenAI: the first of each index has id, type and name; the arguments
// come in pieces) -> complete calls, by index.
function assembleCalls(deltas) {
  const calls = [];
  for (const d of deltas) {
    assert.ok(Number.isInteger(d.index), `a tool call delta has an index: ${JSON.stringify(d)}`);
    const c = (calls[d.index] ??= { id: undefined, type: undefined, function: { name: '', arguments: '' } });
    if (d.id) c.id = d.id;
    if (d.type) c.type = d.type;
    if (d.function?.name) c.function.name += d.function.name;
    if (d.function?.arguments) c.function.arguments += d.function.arguments;
  }
  return calls;
}

describe('rbee serve: model-written tool calls and reasoning (tiny qwen3_tools)', { skip }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.QWEN3_TOOLS, ['--alias', MODEL, '--ctx-size', String(CTX)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('the tool call becomes message.tool_calls, the <think> text reasoning_content', async () => {
    const r = await client.chat.completions.create({ ...greedy, messages: question });
    const choice = r.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    const m = choice.message;
    assert.ok(m.content === null || m.content === '', `no content besides the call: ${JSON.stringify(m.content)}`);
    assert.equal(m.reasoning_content, CALL_REASONING, 'the reasoning, without the tags and the newlines around it');
    assert.equal(m.tool_calls?.length, 1, JSON.stringify(m));
    assertWeatherCall(m.tool_calls[0], 'tool_calls[0]');
  });

  test('streamed: the deltas assemble into the same call; the reasoning comes as reasoning_content', async () => {
    const st = await h.collectChat(await client.chat.completions.create({ ...greedy, messages: question, stream: true }));
    assert.equal(st.role, 'assistant');
    assert.deepEqual(st.finish, ['tool_calls']);
    const last = st.chunks.filter((c) => c.choices?.length).at(-1);
    assert.equal(last.choices[0].finish_reason, 'tool_calls', 'the last choice chunk carries finish_reason');
    assert.equal(st.reasoning, CALL_REASONING);
    assert.ok(st.chunks.some((c) => c.choices?.[0]?.delta?.reasoning_content), 'reasoning_content deltas');
    assert.equal(st.content, '', 'no content deltas');
    const calls = assembleCalls(st.toolCalls);
    assert.equal(calls.length, 1, JSON.stringify(st.toolCalls));
    assertWeatherCall(calls[0], 'streamed call');
  });

  test('the round trip: the call fed back with its result gives the final answer', async () => {
    const first = await client.chat.completions.create({ ...greedy, messages: question });
    const call = first.choices[0].message.tool_calls[0];
    for (const [what, messages] of [
      // What an openai-client user appends: the message as it came (content null, the reasoning).
      ['the message as returned', afterCall(first.choices[0].message)],
      ['only the call, content ""', afterCall({ role: 'assistant', content: '', tool_calls: [call] })],
      ['only the call, no content', afterCall({ role: 'assistant', tool_calls: [call] })],
    ]) {
      const r = await client.chat.completions.create({ ...greedy, messages });
      assert.equal(r.choices[0].finish_reason, 'stop', what);
      const m = r.choices[0].message;
      assert.equal(m.content, RESULT_CONTENT, what);
      assert.equal(m.reasoning_content, RESULT_REASONING, what);
      assert.ok(!m.tool_calls?.length, `${what}: no tool calls`);
      const st = await h.collectChat(await client.chat.completions.create({ ...greedy, messages, stream: true }));
      assert.deepEqual(st.finish, ['stop'], what);
      assert.equal(st.content, RESULT_CONTENT, `${what}: streamed`);
      assert.equal(st.reasoning, RESULT_REASONING, `${what}: streamed`);
      assert.equal(st.toolCalls.length, 0, `${what}: streamed`);
    }
  });

  test('tool_choice none: the call is not parsed; its text stays in the content', async () => {
    const r = await client.chat.completions.create({ ...greedy, messages: question, tool_choice: 'none' });
    assert.equal(r.choices[0].finish_reason, 'stop');
    const m = r.choices[0].message;
    assert.ok(!m.tool_calls?.length, `no tool_calls: ${JSON.stringify(m.tool_calls)}`);
    assert.equal(m.content, CALL_TEXT);
    assert.equal(m.reasoning_content, CALL_REASONING, 'reasoning is still split off');
    const st = await h.collectChat(await client.chat.completions.create({ ...greedy, messages: question, tool_choice: 'none', stream: true }));
    assert.deepEqual(st.finish, ['stop']);
    assert.equal(st.content, CALL_TEXT);
    assert.equal(st.toolCalls.length, 0);
  });
});
