// rbee serve with a template that knows tools and thinking (Qwen3's, on the tiny qwen3 model):
// a tool-call round trip through the openai client (tools, an assistant tool_calls message and a
// tool result: accepted, and rendered into the prompt as /apply-template and `rbee template`
// show), and reasoning: the generation prompt, and reasoning_content only where the model wrote
// <think> text (random weights: the shape is checked either way). Skipped when the shared Qwen3
// template is absent.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import * as h from './helpers.mjs';

const MODEL = 'tiny-qwen3';
// The tools preamble of Qwen3's template is about 600 tokens with the tiny model's 512-token
// vocabulary: more than its 256 trained positions, so a longer context (random weights anyway).
const CTX = 1024;
const skip = h.skipReason || (!fs.existsSync(h.QWEN3_TEMPLATE) && `no Qwen3 template at ${h.QWEN3_TEMPLATE}`);

const tools = h.WEATHER_TOOLS;
const conversation = [
  { role: 'system', content: 'You are a weather bot.' },
  { role: 'user', content: 'What is the weather in Paris?' },
  {
    role: 'assistant',
    content: '',
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": "22 degrees", "sky": "clear"}' },
];

// A chat message of a response: role, content, and tool_calls / reasoning_content when present.
function assertMessage(m, finish, what) {
  assert.equal(m.role, 'assistant', what);
  assert.ok(m.content === null || typeof m.content === 'string', `${what}: content is a string or null`);
  if (m.reasoning_content !== undefined && m.reasoning_content !== null) {
    assert.equal(typeof m.reasoning_content, 'string', `${what}: reasoning_content is a string`);
    assert.ok(m.reasoning_content.length > 0, `${what}: reasoning_content only when there was some`);
    assert.ok(!/<\/?think>/.test(m.content ?? ''), `${what}: the think tags are not left in the content`);
  }
  if (m.tool_calls !== undefined && m.tool_calls !== null && m.tool_calls.length) {
    assert.equal(finish, 'tool_calls', `${what}: finish_reason tool_calls with tool_calls`);
    for (const c of m.tool_calls) {
      assert.equal(typeof c.id, 'string');
      assert.equal(c.type, 'function');
      assert.equal(typeof c.function.name, 'string');
      assert.equal(typeof c.function.arguments, 'string');
      JSON.parse(c.function.arguments);
    }
  } else {
    assert.ok(['stop', 'length'].includes(finish), `${what}: finish_reason ${finish}`);
  }
}

describe('rbee serve: tools and reasoning on the Qwen3 template', { skip }, () => {
  let server, client;
  before(async () => {
    server = await h.startServer(h.QWEN3, ['--chat-template-file', h.QWEN3_TEMPLATE, '--alias', MODEL, '--ctx-size', String(CTX)]);
    client = server.client();
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('/apply-template renders the tools, the tool call and the tool result as rbee template does', async () => {
    const r = await h.raw(server, 'POST', '/apply-template', { messages: conversation, tools });
    assert.equal(r.status, 200, r.text);
    const p = r.json.prompt;
    assert.equal(p, h.cliTemplate(h.QWEN3, h.QWEN3_TEMPLATE, conversation, tools), '= rbee template --tools');
    assert.match(p, /<tools>\n\{.*"get_weather".*\}\n<\/tools>/s, 'the tool definitions');
    assert.ok(p.includes('Get the current weather in a city'), 'the tool description');
    assert.ok(p.includes('<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'), "the assistant's tool call");
    assert.ok(p.includes('<tool_response>\n{"temperature": "22 degrees", "sky": "clear"}\n</tool_response>'), 'the tool result');
    assert.ok(p.endsWith('<|im_start|>assistant\n'), 'the generation prompt');
    const plain = await h.raw(server, 'POST', '/apply-template', { messages: conversation.slice(0, 2) });
    assert.ok(!plain.json.prompt.includes('<tools>'), 'no tools section without tools');
  });

  test('a tool-call round trip through the openai client is accepted (plain and streamed)', async (t) => {
    const tpl = await h.raw(server, 'POST', '/apply-template', { messages: conversation, tools });
    const counts = await Promise.all([true, false].map(async (add_special) =>
      (await h.raw(server, 'POST', '/tokenize', { content: tpl.json.prompt, add_special })).json.tokens.length));
    // tool_choice none: the model may see the tools or not (OpenAI: it does; it must just not
    // call them), so the prompt with or without them.
    const bare = await h.raw(server, 'POST', '/apply-template', { messages: conversation });
    const bareCounts = await Promise.all([true, false].map(async (add_special) =>
      (await h.raw(server, 'POST', '/tokenize', { content: bare.json.prompt, add_special })).json.tokens.length));
    for (const tool_choice of [undefined, 'auto', 'none']) {
      const r = await client.chat.completions.create({ model: MODEL, messages: conversation, tools, tool_choice, max_tokens: 16, temperature: 0.7, seed: 3 });
      assert.equal(r.object, 'chat.completion');
      assertMessage(r.choices[0].message, r.choices[0].finish_reason, `tool_choice ${tool_choice}`);
      if (tool_choice === 'none') assert.ok(!r.choices[0].message.tool_calls?.length, 'no tool calls with tool_choice none');
      h.assertUsage(assert, r.usage, 16);
      const allowed = tool_choice === 'none' ? [...counts, ...bareCounts] : counts;
      assert.ok(allowed.includes(r.usage.prompt_tokens),
        `tool_choice ${tool_choice}: prompt_tokens ${r.usage.prompt_tokens} = the rendered prompt with the tools (${counts.join(' or ')} tokens${tool_choice === 'none' ? `; without them ${bareCounts.join(' or ')}` : ''})`);
      if (tool_choice === 'none') t.diagnostic(`tool_choice none: the prompt ${counts.includes(r.usage.prompt_tokens) ? 'keeps' : 'drops'} the tools`);
    }
    const plain = await client.chat.completions.create({ model: MODEL, messages: conversation, tools, max_tokens: 16, temperature: 0.7, seed: 3 });
    const st = await h.collectChat(await client.chat.completions.create({ model: MODEL, messages: conversation, tools, max_tokens: 16, temperature: 0.7, seed: 3, stream: true, stream_options: { include_usage: true } }));
    assert.equal(st.finish.length, 1);
    assert.equal(st.finish[0], plain.choices[0].finish_reason);
    assert.equal(st.content, plain.choices[0].message.content ?? '', 'streamed content = plain content');
    assert.equal(st.usage.completion_tokens, plain.usage.completion_tokens);
    for (const d of st.toolCalls) assert.ok(Number.isInteger(d.index), 'streamed tool call deltas carry an index');
  });

  test('reasoning: the generation prompt; reasoning_content only with <think> text, in a valid shape', async (t) => {
    const messages = [{ role: 'user', content: 'Think about it.' }];
    const tpl = await h.raw(server, 'POST', '/apply-template', { messages });
    assert.equal(tpl.json.prompt, '<|im_start|>user\nThink about it.<|im_end|>\n<|im_start|>assistant\n');
    // Reasoning in the history renders as the template asks (the last assistant turn keeps it).
    const history = [...messages, { role: 'assistant', content: 'Done.', reasoning_content: 'I considered it.' }];
    const th = await h.raw(server, 'POST', '/apply-template', { messages: history });
    assert.equal(th.json.prompt, h.cliTemplate(h.QWEN3, h.QWEN3_TEMPLATE, history));
    assert.ok(th.json.prompt.includes('<think>\nI considered it.\n</think>\n\nDone.'), 'reasoning_content rendered in <think>');

    let withReasoning = 0;
    for (const seed of [1, 2, 3, 4]) {
      const base = { model: MODEL, messages, max_tokens: 24, temperature: 1.0, seed };
      const r = await client.chat.completions.create(base);
      const m = r.choices[0].message;
      assertMessage(m, r.choices[0].finish_reason, `seed ${seed}`);
      if (m.reasoning_content) ++withReasoning;
      const st = await h.collectChat(await client.chat.completions.create({ ...base, stream: true }));
      assert.equal(st.content, m.content ?? '', `seed ${seed}: streamed content = plain content`);
      assert.equal(st.reasoning, m.reasoning_content ?? '', `seed ${seed}: streamed reasoning = plain reasoning`);
    }
    t.diagnostic(`${withReasoning} of 4 answers had reasoning_content (random weights: usually none)`);
  });
});
