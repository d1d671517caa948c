// The Vercel AI SDK with @ai-sdk/openai-compatible: generateText, streamText, a tool that the
// SDK runs itself before asking for the final answer (two steps), and generateObject.
import assert from 'node:assert/strict';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { commonChecks } from './ai_sdk_common.mjs';
import { apiKey, baseURL, model, toolModels } from './env.mjs';

// supportsStructuredOutputs: send json_schema response formats (Gemini honours them).
const provider = createOpenAICompatible({
  name: 'gemini-adapter',
  baseURL,
  apiKey,
  includeUsage: true,
  supportsStructuredOutputs: true,
});
const chat = provider.chatModel(model);

const text = await generateText({ model: chat, prompt: 'Hello from the AI SDK', maxRetries: 0 });
assert.equal(text.text, 'Echo: Hello from the AI SDK');
assert.equal(text.finishReason, 'stop');
assert.ok(text.usage.totalTokens > 0);

const streamed = streamText({ model: chat, prompt: 'Hello from streamText', maxRetries: 0 });
const pieces = [];
for await (const piece of streamed.textStream) pieces.push(piece);
assert.ok(pieces.length > 1, 'the reply should stream in several pieces');
assert.equal(pieces.join(''), 'Echo: Hello from streamText');
assert.equal(await streamed.finishReason, 'stop');
assert.ok((await streamed.usage).totalTokens > 0);

const calls = [];
const weather = tool({
  description: 'Current weather in a city',
  inputSchema: jsonSchema({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
  execute: async ({ city }) => {
    calls.push(city);
    return { city, sky: 'clear' };
  },
});
for (const toolModel of toolModels) {
  calls.length = 0;
  const looped = await generateText({
    model: provider.chatModel(toolModel),
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
    model: provider.chatModel(toolModel),
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
  assert.equal(calls.length, 2);
}

await commonChecks(chat, provider.chatModel('fault-429'));
console.log('ok');
