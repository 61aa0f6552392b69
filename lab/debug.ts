// lab/debug.ts — routes the candidate left in that should not be live: an undocumented stats API and exposed config.
import { JWT_SECRET } from './auth.js';
import type { Ctx, Route } from './http.js';
import { sendJson, sendText } from './http.js';
import type { VariantTraits } from './variants.js';

/** The configuration the debug routes leak. Every secret here is fake (AWS's documented example key pair). */
const CONFIG: Record<string, string> = {
  NODE_ENV: 'development',
  DATABASE_URL: 'sqlite::memory:',
  JWT_SECRET,
  SESSION_COOKIE_NAME: 'sid',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  PAYMENT_API_KEY: 'sk_test_LABONLY0000000000000000000000',
  ADMIN_EMAIL: 'admin@shop.example',
};

/** `GET /api/internal/stats`: shop figures for a dashboard; in no spec and no link (shadow-endpoint). */
function internalStats(ctx: Ctx): void {
  sendJson(ctx.res, 200, {
    ...ctx.lab.db.counts(),
    uptimeSeconds: Math.round((Date.now() - ctx.lab.startedAt) / 1000),
    node: process.version,
  });
}

/** `GET /debug/env`: the process configuration, anonymously (sensitive-files). */
function debugEnv(ctx: Ctx): void {
  sendJson(ctx.res, 200, { env: CONFIG });
}

/** `GET /.env`: the dotenv file, served by a catch-all static handler (sensitive-files). */
function dotEnv(ctx: Ctx): void {
  const text = Object.entries(CONFIG)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  sendText(ctx.res, 200, `# .env — local settings, do not commit\n${text}\n`);
}

export function debugRoutes(traits: Readonly<VariantTraits>): Route[] {
  const routes: Route[] = [];
  if (traits.internalStats) routes.push({ method: 'GET', path: '/api/internal/stats', handler: internalStats });
  if (traits.debugRoutes) {
    routes.push({ method: 'GET', path: '/debug/env', handler: debugEnv });
    routes.push({ method: 'GET', path: '/.env', handler: dotEnv });
  }
  return routes;
}
