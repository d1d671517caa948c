// The `openai` Node SDK on the Responses API: responses.create, a raw stream (stream: true),
// the responses.stream helper, function-tool rounds, and json_schema output (create, parse).
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { apiKey, assertCity, baseURL, citySchema, model, toolModels } from './env.mjs';

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

const reply = await client.responses.create({ model, input: 'Hello from Node Responses' });
assert.equal(reply.object, 'response');
assert.match(reply.id, /^resp_/);
assert.equal(reply.status, 'completed');
assert.equal(reply.output_text, 'Echo: Hello from Node Responses');
assert.ok(reply.usage.total_tokens > 0);

const raw = await client.responses.create({
  model,
  instructions: 'Be brief.',
  input: [{ role: 'user', content: 'Hello from a Node Responses stream' }],
  stream: true,
});
const types = [];
const deltas = [];
let completed = null;
let sequence = -1;
for await (const event of raw) {
  types.push(event.type);
  assert.equal(event.sequence_number, sequence + 1, `sequence_number after ${sequence}`);
  sequence = event.sequence_number;
  if (event.type === 'response.output_text.delta') deltas.push(event.delta);
  if (event.type === 'response.completed') completed = event.response;
}
assert.equal(types[0], 'response.created');
assert.equal(types.at(-1), 'response.completed');
for (const t of ['response.output_item.added', 'response.content_part.added',
  'response.output_text.done', 'response.output_item.done']) {
  assert.ok(types.includes(t), `missing ${t} in ${types.join(',')}`);
}
assert.ok(deltas.length > 1, 'text should stream in several deltas');
assert.equal(deltas.join(''), 'Echo: Hello from a Node Responses stream');
assert.equal(completed.status, 'completed');
assert.equal(completed.output.at(-1).content[0].text, deltas.join(''));

// The helper accumulates the same events into a final response.
const helper = client.responses.stream({ model, input: 'Hello from the stream helper' });
const helperDeltas = [];
helper.on('response.output_text.delta', (event) => helperDeltas.push(event.delta));
const final = await helper.finalResponse();
assert.equal(final.status, 'completed');
const finalText = final.output
  .filter((item) => item.type === 'message')
  .flatMap((item) => item.content.map((part) => part.text))
  .join('');
assert.equal(finalText, 'Echo: Hello from the stream helper');
assert.equal(helperDeltas.join(''), finalText);

const tools = [
  {
    type: 'function',
    name: 'get_time',
    description: 'Current time in a time zone',
    parameters: {
      type: 'object',
      properties: { zone: { type: 'string' } },
      required: ['zone'],
      additionalProperties: false,
    },
    strict: true,
  },
];
for (const toolModel of toolModels) {
  const input = [{ role: 'user', content: 'Call get_time for Europe/Paris' }];
  const first = await client.responses.create({ model: toolModel, input, tools, store: false });
  const call = first.output.find((item) => item.type === 'function_call');
  assert.ok(call, `${toolModel}: ${JSON.stringify(first.output)}`);
  assert.equal(call.name, 'get_time');
  assert.match(call.call_id, /./);
  assert.equal(typeof JSON.parse(call.arguments).zone, 'string');
  input.push(...first.output);
  input.push({ type: 'function_call_output', call_id: call.call_id, output: '{"time":"12:00"}' });
  const second = await client.responses.create({ model: toolModel, input, tools, store: false });
  assert.match(second.output_text, /^Result of get_time: .*12:00/, toolModel);

  // A client that keeps only call_id, name and arguments of the call still continues.
  const bare = [
    { role: 'user', content: 'Call get_time for Europe/Paris' },
    { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
    { type: 'function_call_output', call_id: call.call_id, output: '{"time":"13:00"}' },
  ];
  const third = await client.responses.create({ model: toolModel, input: bare, tools, store: false });
  assert.match(third.output_text, /^Result of get_time: .*13:00/, toolModel);
}

const structured = await client.responses.create({
  model,
  input: 'Describe a city',
  text: { format: { type: 'json_schema', name: 'city', schema: citySchema, strict: true } },
});
assertCity(JSON.parse(structured.output_text));
const parsed = await client.responses.parse({
  model,
  input: 'Describe another city',
  text: { format: { type: 'json_schema', name: 'city', schema: citySchema, strict: true } },
});
assertCity(parsed.output_parsed);

// Upstream errors arrive as the SDK's typed errors, with the OpenAI error body.
await assert.rejects(
  client.responses.create({ model: 'fault-429', input: 'hi' }),
  (error) => error instanceof OpenAI.RateLimitError && error.status === 429 && !!error.error?.message,
);
await assert.rejects(
  client.responses.create({ model, input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }),
  (error) => error instanceof OpenAI.BadRequestError && error.param === 'input[0].call_id',
);
console.log('ok');
