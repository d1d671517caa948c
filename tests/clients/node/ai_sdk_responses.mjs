// The Vercel AI SDK's OpenAI provider on the Responses API (`openai.responses(model)`):
// generateText, streamText, a tool the SDK runs before the final answer, and generateObject.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { apiKey, assertCity, baseURL, citySchema, model, toolModels } from './env.mjs';

const openai = createOpenAI({ baseURL, apiKey });
const responses = openai.responses(model);

const text = await generateText({ model: responses, prompt: 'Hello from AI SDK Responses', maxRetries: 0 });
assert.equal(text.text, 'Echo: Hello from AI SDK Responses');
assert.equal(text.finishReason, 'stop');
assert.ok(text.usage.totalTokens > 0);
assert.match(text.response.id, /^resp_/);

const streamed = streamText({ model: responses, prompt: 'Hello from Responses streamText', maxRetries: 0 });
const pieces = [];
for await (const part of streamed.fullStream) {
  if (part.type === 'error') throw part.error;
  if (part.type === 'text-delta') pieces.push(part.text);
}
assert.ok(pieces.length > 1, 'the reply should stream in several pieces');
assert.equal(pieces.join(''), 'Echo: Hello from Responses streamText');
assert.equal(await streamed.finishReason, 'stop');

const calls = [];
const weather = tool({
  description: 'Current weather in a city',
  inputSchema: jsonSchema({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  }),
  execute: async ({ city }) => {
    calls.push(city);
    return { city, sky: 'clear' };
  },
});
for (const toolModel of toolModels) {
  calls.length = 0;
  const looped = await generateText({
    model: openai.responses(toolModel),
    prompt: 'Use weather for Lisbon',
    tools: { weather },
    stopWhen: stepCountIs(3),
    maxRetries: 0,
  });
  assert.equal(calls.length, 1, `${toolModel}: the tool should run once`);
  assert.equal(looped.steps.length, 2);
  assert.equal(looped.steps[0].finishReason, 'tool-calls');
  assert.match(looped.text, /^Result of weather: .*clear/);

  const streamedTools = streamText({
    model: openai.responses(toolModel),
    prompt: 'Use weather for Porto',
    tools: { weather },
    stopWhen: stepCountIs(3),
    maxRetries: 0,
  });
  const kinds = new Set();
  for await (const part of streamedTools.fullStream) {
    kinds.add(part.type);
    if (part.type === 'error') throw part.error;
  }
  assert.ok(kinds.has('tool-call') && kinds.has('tool-result'), [...kinds].join(','));
  assert.match(await streamedTools.text, /^Result of weather: .*clear/);
}

const object = await generateObject({
  model: responses,
  schema: jsonSchema(citySchema),
  prompt: 'Describe a city',
  maxRetries: 0,
});
assertCity(object.object);

// An upstream 429 is an APICallError the SDK may retry, with the service's message.
await assert.rejects(
  generateText({ model: openai.responses('fault-429'), prompt: 'hi', maxRetries: 0 }),
  (error) => APICallError.isInstance(error) && error.statusCode === 429 && error.isRetryable,
);

// Media parts as the SDK encodes them (image and PDF as data, inline).
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const media = await generateText({
  model: responses,
  maxRetries: 0,
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe these' },
        { type: 'image', image: png, mediaType: 'image/png' },
        { type: 'file', data: pdf, mediaType: 'application/pdf', filename: 'notes.pdf' },
      ],
    },
  ],
});
assert.equal(media.text, 'Echo: Describe these');
console.log('ok');
