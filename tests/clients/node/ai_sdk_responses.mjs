// The Vercel AI SDK's OpenAI provider on the Responses API (`openai.responses(model)`):
// generateText, streamText, a tool the SDK runs before the final answer, and generateObject.
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { commonChecks } from './ai_sdk_common.mjs';
import { apiKey, baseURL, model, toolModels } from './env.mjs';

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

await commonChecks(responses, openai.responses('fault-429'));
console.log('ok');
