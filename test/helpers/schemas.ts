// JSON Schema validators for tests: the official SARIF 2.1.0 schema (shipped by
// @microsoft/jest-sarif) and the report schema this package ships.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

function compile(schema: Record<string, unknown>, options: { unicodeRegExp?: boolean } = {}): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, ...options });
  addFormats(ajv);
  return ajv.compile(schema);
}

let sarif: ValidateFunction | undefined;
/** The official SARIF 2.1.0 schema. It declares draft-04; its keywords are the draft-07 subset ajv reads. */
export function sarifValidator(): ValidateFunction {
  if (!sarif) {
    const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
    const schema = JSON.parse(readFileSync(path, 'utf8'));
    delete schema.$schema;
    delete schema.id;
    // one of its patterns (language tags) is not valid with the `u` flag ajv uses by default
    sarif = compile(schema, { unicodeRegExp: false });
  }
  return sarif;
}

let report: ValidateFunction | undefined;
export function reportValidator(): ValidateFunction {
  if (!report) report = compile(JSON.parse(readFileSync(new URL('../../src/schemas/report.schema.json', import.meta.url), 'utf8')));
  return report;
}

/** Validation errors as readable lines (empty when valid). */
export function schemaErrors(validate: ValidateFunction, data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
