// rbee serve given no model serves rbee's demo model (models/demo), says so on stderr, and answers
// the openai client with the demo model's own text: its chat template takes the user's words as
// the start of a fortune, so the greedy answer is the rest of torch's greedy text
// (tests/fixtures/demo/golden.json).
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as h from './helpers.mjs';

const golden = JSON.parse(fs.readFileSync(h.DEMO_GOLDEN, 'utf8'));

describe('rbee serve with no model: the demo model', { skip: h.skipReason }, () => {
  let server, client, model;
  before(async () => {
    server = await h.startServer(null);
    client = server.client();
    model = (await client.models.list()).data[0].id;
  });
  beforeEach(() => server?.assertAlive());
  after(async () => {
    if (server) await server.stop('SIGKILL');
  });

  test('says on stderr that it serves the demo model, and which file', () => {
    const file = path.join(h.DEMO, 'rbee-demo-q8_0.gguf');
    assert.ok(server.stderr.includes(`rbee: no model given: using the demo model, a tiny Llama trained on fortune cookies (${file})`),
      server.log());
  });

  test("a chat answer finishes the user's saying as torch does", async () => {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: golden.prompt }],
      max_tokens: golden.greedy_ids.length,
      temperature: 0,
    });
    assert.equal(r.choices[0].message.content, golden.greedy_text.slice(golden.prompt.length), JSON.stringify(r));
  });

  test('a completion continues the prompt as torch does', async () => {
    const r = await client.completions.create({
      model,
      prompt: golden.prompt,
      max_tokens: golden.greedy_ids.length,
      temperature: 0,
    });
    assert.equal(golden.prompt + r.choices[0].text, golden.greedy_text, JSON.stringify(r));
  });
});
