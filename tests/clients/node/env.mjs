import assert from 'node:assert/strict';

// The service under test, as given by tests/clients/conftest.py (run_node).
export const baseURL = process.env.ADAPTER_BASE_URL;
export const apiKey = process.env.ADAPTER_API_KEY;
export const model = process.env.ADAPTER_MODEL;
// Tool rounds run on each of these (a Gemini 2.5 and a Gemini 3 model, which signs its calls).
export const toolModels = (process.env.ADAPTER_TOOL_MODELS || model || '').split(',');
if (!baseURL || !apiKey || !model) {
  throw new Error('ADAPTER_BASE_URL, ADAPTER_API_KEY and ADAPTER_MODEL must be set');
}

// The structured-output case every script runs: a JSON schema and a check of the reply.
export const citySchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    population: { type: 'integer' },
    coastal: { type: 'boolean' },
  },
  required: ['name', 'population', 'coastal'],
  additionalProperties: false,
};
export function assertCity(city) {
  assert.equal(typeof city.name, 'string');
  assert.ok(Number.isInteger(city.population));
  assert.equal(typeof city.coastal, 'boolean');
}
