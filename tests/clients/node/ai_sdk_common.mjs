// The checks both AI SDK scripts run on their model (chat or Responses): structured output,
// an upstream 429 as the SDK's typed error, and media parts as the SDK encodes them.
import assert from 'node:assert/strict';
import { APICallError, generateObject, generateText, jsonSchema } from 'ai';
import { assertCity, citySchema } from './env.mjs';

export async function commonChecks(model, faulty) {
  const object = await generateObject({
    model,
    schema: jsonSchema(citySchema),
    prompt: 'Describe a city',
    maxRetries: 0,
  });
  assertCity(object.object);

  // An upstream 429 is an APICallError the SDK may retry, with the service's message.
  await assert.rejects(
    generateText({ model: faulty, prompt: 'hi', maxRetries: 0 }),
    (error) => APICallError.isInstance(error) && error.statusCode === 429 && error.isRetryable,
  );

  // Media parts as the SDK encodes them (image and PDF as data, inline).
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  const media = await generateText({
    model,
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
}
