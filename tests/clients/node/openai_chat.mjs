// The `openai` Node SDK on Chat Completions: create, stream, a tool round, json_schema output.
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { apiKey, assertCity, baseURL, citySchema, model, toolModels } from './env.mjs';

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

const reply = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Hello from Node' }],
});
assert.equal(reply.object, 'chat.completion');
assert.equal(reply.choices[0].message.content, 'Echo: Hello from Node');
assert.equal(reply.choices[0].finish_reason, 'stop');
assert.ok(reply.usage.total_tokens > 0);

const stream = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Hello from a Node stream' }],
  stream: true,
  stream_options: { include_usage: true },
});
const pieces = [];
let usage = null;
let finish = null;
for await (const chunk of stream) {
  assert.equal(chunk.object, 'chat.completion.chunk');
  if (chunk.usage) usage = chunk.usage;
  for (const choice of chunk.choices) {
    if (choice.delta.content) pieces.push(choice.delta.content);
    if (choice.finish_reason) finish = choice.finish_reason;
  }
}
assert.ok(pieces.length > 1, 'the reply should stream in several pieces');
assert.equal(pieces.join(''), 'Echo: Hello from a Node stream');
assert.equal(finish, 'stop');
assert.ok(usage && usage.total_tokens > 0, 'include_usage asks for a usage chunk');

// The helper stream (`client.chat.completions.stream`) accumulates the same reply.
const runner = client.chat.completions.stream({
  model,
  messages: [{ role: 'user', content: 'Hello from the stream helper' }],
});
const final = await runner.finalChatCompletion();
assert.equal(final.choices[0].message.content, 'Echo: Hello from the stream helper');

const tools = [
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Current time in a time zone',
      parameters: {
        type: 'object',
        properties: { zone: { type: 'string' } },
        required: ['zone'],
      },
    },
  },
];
for (const toolModel of toolModels) {
  const messages = [{ role: 'user', content: 'Call get_time for Europe/Paris' }];
  const first = await client.chat.completions.create({ model: toolModel, messages, tools });
  assert.equal(first.choices[0].finish_reason, 'tool_calls', toolModel);
  const call = first.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_time');
  assert.equal(typeof JSON.parse(call.function.arguments).zone, 'string');
  // Replay only what the SDK's own types carry: the assistant message as returned.
  messages.push(first.choices[0].message);
  messages.push({ role: 'tool', tool_call_id: call.id, content: JSON.stringify({ time: '12:00' }) });
  const second = await client.chat.completions.create({ model: toolModel, messages, tools });
  assert.match(second.choices[0].message.content, /^Result of get_time: .*12:00/, toolModel);
}

const structured = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Describe a city' }],
  response_format: { type: 'json_schema', json_schema: { name: 'city', schema: citySchema, strict: true } },
});
assertCity(JSON.parse(structured.choices[0].message.content));

// Upstream errors arrive as the SDK's typed errors, with the OpenAI error body.
await assert.rejects(
  client.chat.completions.create({ model: 'fault-429', messages: [{ role: 'user', content: 'hi' }] }),
  (error) => error instanceof OpenAI.RateLimitError && error.status === 429 && !!error.error?.message,
);
await assert.rejects(
  client.chat.completions.create({ model: 'gpt-nonexistent-model', messages: [{ role: 'user', content: 'hi' }] }),
  (error) => error instanceof OpenAI.NotFoundError && error.status === 404,
);
console.log('ok');
