// lab/manifest.ts — the shape of lab/manifest.json (every route, planted problem and safe twin) and a loader for it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exposure, Family } from '../src/core/types.js';
import type { LabVariant } from './variants.js';

export type ManifestSource = 'spec' | 'html' | 'spa' | 'shadow' | 'graphql';

export interface ManifestOperation {
  method: string;
  /** OpenAPI-style template, e.g. `/api/orders/{id}`. */
  path: string;
  /** The candidate's requirement. */
  auth: 'none' | 'required';
  /** The baseline's requirement, when it differs. */
  authBaseline?: 'none' | 'required';
  /** How a scanner can find it: the spec, a page link or form, the SPA's script, or only by probing. */
  sources: ManifestSource[];
  variants: LabVariant[];
  /** A GraphQL endpoint: its root fields (`query.product`), each an operation `POST /api/graphql query.product`. */
  graphql?: string[];
}

export interface ManifestProblem {
  /** Stable id, e.g. `cand-sqli-search`. */
  id: string;
  variant: LabVariant | 'both';
  family: Family;
  /** The id of the vouch check that should report it. */
  checkId: string;
  method: string;
  path: string;
  /** On a GraphQL endpoint: the root field (`query.productsByName`). */
  graphql?: string;
  parameter?: string;
  exposure: Exposure;
  proofHint: string;
}

export interface ManifestSafeTwin {
  family: Family;
  checkId: string;
  method: string;
  path: string;
  /** On a GraphQL endpoint: the root field. */
  graphql?: string;
  parameter?: string;
}

export interface LabManifest {
  operations: ManifestOperation[];
  problems: ManifestProblem[];
  safeTwins: ManifestSafeTwin[];
}

/** The folder holding package.json, found by walking up from this module (works from lab/ and dist/lab/). */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** Absolute path of a file in the source `lab/` folder, e.g. `labFile('vouch.yaml')`. */
export function labFile(name: string): string {
  return join(packageRoot(), 'lab', name);
}

export function loadManifest(): LabManifest {
  return JSON.parse(readFileSync(labFile('manifest.json'), 'utf8')) as LabManifest;
}

/** The surface operation ids of a manifest route: one per GraphQL root field, else `METHOD /path`. */
export function operationIds(op: Pick<ManifestOperation, 'method' | 'path' | 'graphql'>): string[] {
  return op.graphql ? op.graphql.map((f) => `${op.method} ${op.path} ${f}`) : [`${op.method} ${op.path}`];
}

/** Whether a problem is planted in a variant. */
export function plantedIn(problem: ManifestProblem, variant: LabVariant): boolean {
  return problem.variant === 'both' || problem.variant === variant;
}
