// src/report/schema.ts — validates a value against schemas/report.schema.json (the published report.json contract).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export type ReportValidation = { valid: true } | { valid: false; errors: string[] };

/** The package root: the nearest folder above this module holding package.json (works from src/ and dist/src/). */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json found above ${fileURLToPath(from)}`);
    dir = parent;
  }
}

/** Absolute path of the report JSON Schema shipped with vouch. */
export function reportSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'report.schema.json');
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
  addFormatsModule.default(ajv, ['date-time']);
  compiled = ajv.compile(schema);
  return compiled;
}

/** Word one ajv error: `/findings/0/severity: must be equal to one of the allowed values (critical, high, ...)`. */
function wordError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${where}: missing required property "${String(params['missingProperty'])}"`;
    case 'additionalProperties':
      return `${where}: unknown property "${String(params['additionalProperty'])}"`;
    case 'enum':
      return `${where}: must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where}: must be ${JSON.stringify(params['allowedValue'])}`;
    default:
      return `${where}: ${e.message ?? e.keyword}`;
  }
}

/** Check a value against the report schema; errors name the instance path and say what is wrong. */
export function validateReport(value: unknown): ReportValidation {
  const validate = validator();
  if (validate(value)) return { valid: true };
  const errors = [...new Set((validate.errors ?? []).map(wordError))];
  return { valid: false, errors };
}
