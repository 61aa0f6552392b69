// src/cli/program.ts — the vouch command line: scan, gate, demo, lab, history, serve, token, checks, inspect, mcp, guard; exit 0 pass, 1 fail, 2 usage/config/tool error.
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { exitCodeFor, formatError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { refuseUrlCredentials } from '../config/credentials.js';
import { checkOutDir } from './out.js';

// Each command's action imports its own module when it runs: `vouch --version`, `--help`, `checks` and `history` load
// neither the engine nor the checks (docs/benchmarks.md#start-up). Keep it so: no command module is imported up here.

const environments = ['production', 'staging', 'preview', 'local'] as const;
const strengths = ['low', 'default', 'high'] as const;
/**
 * What every command checks before its module is even loaded, so nothing is written for bad input: target URLs
 * without credentials in them (they belong in identities), and an --out folder that can be written.
 */
function preflight(urls: ReadonlyArray<readonly [string | undefined, string]>, out?: string): void {
  for (const [url, where] of urls) if (url !== undefined) refuseUrlCredentials(url, where);
  if (out !== undefined) checkOutDir(out);
}

/** Collects a repeatable option's values. */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function buildProgram(): Command {
  const program = new Command()
    .name('vouch')
    .description('Validates a change by what the running software does: proven findings, a candidate-vs-baseline verdict CI can gate on.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride();

  program
    .command('scan')
    .description('discover, test and report one deployment (or continue an interrupted scan with --resume)')
    .argument('[url]', 'base URL of the target, e.g. http://127.0.0.1:8080')
    .option('--resume <scan-id>', 'continue an interrupted scan from the history store: same inputs and plan, finished tasks kept')
    .option('--spec <file|url>', 'OpenAPI document (file, URL, or path on the target); default: look at common locations')
    .option('--har <file>', 'a HAR recording whose requests are extra operations (repeatable)', collect, [] as string[])
    .option('--postman <file>', 'a Postman v2.1 collection whose requests are extra operations (repeatable)', collect, [] as string[])
    .option('-c, --config <file>', 'vouch.yaml (default ./vouch.yaml when present)')
    .option('-o, --out <dir>', 'where reports go (default .vouch/scans/<scan-id>)')
    .option('-f, --format <list>', 'report formats: json,sarif,junit,markdown,html', 'json,sarif,junit,markdown,html')
    .option('--baseline <ref>', 'compare with a saved report.json, a scan id from history, or last-passing')
    .option('--check <ids>', 'only these checks (comma-separated ids)')
    .option('--seed <n>', 'seed for generated test data (reproduces a run; see report.json "seed")')
    .addOption(new Option('--environment <env>', 'overrides target.environment; production means safe mode').choices(environments))
    .addOption(new Option('--strength <level>', 'attack strength: payloads per injection point (overrides checks.strength)').choices(strengths))
    .option('--ai-influenced', 'apply the stricter policy for AI-influenced changes')
    .option('--commits <range>', 'detect AI-influenced changes from commit trailers in this git range')
    .option('--expect-version <v>', 'fail unless the deployment declares this version (where target.version in vouch.yaml says)')
    .option('--queue', 'team mode: queue the scan for a worker and print its id at once')
    .option('--json', 'NDJSON events on stdout instead of progress lines')
    .option('-q, --quiet', 'no progress lines')
    .action(async (url, opts) => {
      preflight([[url, 'the target URL'], [opts.baseline, '--baseline']], opts.out);
      if (opts.queue && url !== undefined && opts.resume === undefined) {
        // Team mode: only record and send the job; the engine is the worker's (`scan --queue` prints its id at once).
        const { queueScan } = await import('./commands/queue.js');
        process.exitCode = await queueScan(url, opts);
        return;
      }
      const { scanCommand } = await import('./commands/scan.js');
      process.exitCode = await scanCommand(url, opts);
    });

  program
    .command('gate')
    .description('scan a candidate (and its baseline), compare, and give the verdict')
    .requiredOption('--candidate <url>', 'base URL of the candidate deployment')
    .option('--baseline <ref>', 'baseline: a deployment URL, a saved report.json, a scan id from history, or last-passing')
    .option('--spec <file|url>', 'OpenAPI document for both')
    .option('--har <file>', 'a HAR recording whose requests are extra operations (repeatable)', collect, [] as string[])
    .option('--postman <file>', 'a Postman v2.1 collection whose requests are extra operations (repeatable)', collect, [] as string[])
    .option('-c, --config <file>', 'vouch.yaml (default ./vouch.yaml when present)')
    .option('-o, --out <dir>', 'where reports go (default .vouch/gates/<id>)')
    .option('-f, --format <list>', 'report formats: json,sarif,junit,markdown,html', 'json,sarif,junit,markdown,html')
    .option('--check <ids>', 'only these checks (comma-separated ids)')
    .option('--seed <n>', 'seed for generated test data (reproduces a run; see report.json "seed")')
    .addOption(new Option('--environment <env>', 'overrides target.environment').choices(environments))
    .addOption(new Option('--strength <level>', 'attack strength: payloads per injection point (overrides checks.strength)').choices(strengths))
    .option('--ai-influenced', 'apply the stricter policy for AI-influenced changes')
    .option('--commits <range>', 'detect AI-influenced changes from commit trailers in this git range')
    .option('--expect-version <v>', 'fail unless the candidate declares this version (where target.version in vouch.yaml says)')
    .option('--queue', 'team mode: queue the gate for a worker and print the candidate scan id at once')
    .option('--json', 'NDJSON events on stdout instead of progress lines')
    .option('-q, --quiet', 'no progress lines')
    .action(async (opts) => {
      preflight([[opts.candidate, '--candidate'], [opts.baseline, '--baseline']], opts.out);
      if (opts.queue) {
        const { queueGate } = await import('./commands/queue.js');
        process.exitCode = await queueGate(opts);
        return;
      }
      const { gateCommand } = await import('./commands/scan.js');
      process.exitCode = await gateCommand(opts);
    });

  program
    .command('audit')
    .description("what one credential can actually do, against its declared intended scope (exit 1: it can do more)")
    .argument('<url>', 'base URL of the target')
    .requiredOption('--identity <name>', 'the identity in vouch.yaml to audit')
    .option('-c, --config <file>', 'vouch.yaml (default ./vouch.yaml when present)')
    .option('--spec <file|url>', 'OpenAPI document (file, URL, or path on the target)')
    .option('-o, --out <dir>', 'also write reports there (default: only the audit log, in .vouch/audits/<id>)')
    .option('-f, --format <list>', 'report formats with --out', 'json')
    .addOption(new Option('--environment <env>', 'overrides target.environment; production means safe mode (write probes only)').choices(environments))
    .option('--json', 'the audit as JSON on stdout')
    .option('-q, --quiet', 'no progress lines')
    .action(async (url, opts) => {
      preflight([[url, 'the target URL']], opts.out);
      const { auditCommand } = await import('./commands/audit.js');
      process.exitCode = await auditCommand(url, opts);
    });

  program
    .command('demo')
    .description('start the bundled lab (baseline and candidate), gate the candidate, write every report to .vouch/demo/')
    .option('-o, --out <dir>', 'where reports go', '.vouch/demo')
    .option('--json', 'NDJSON events on stdout')
    .option('-q, --quiet', 'no progress lines')
    .action(async (opts) => {
      preflight([], opts.out);
      const { demoCommand } = await import('./commands/demo.js');
      process.exitCode = await demoCommand(opts);
    });

  program
    .command('lab')
    .description('run the bundled lab alone until stopped')
    .addOption(new Option('--variant <variant>', 'which variant').choices(['baseline', 'candidate'] as const).default('candidate' as const))
    .option('--port <n>', 'port (0 = a free one)', '0')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .action(async (opts) => {
      const { labCommand } = await import('./commands/lab.js');
      await labCommand(opts);
    });

  program
    .command('history')
    .description('list the scans in the history store, newest first')
    .option('--target <name>', 'only this target')
    .option('--limit <n>', 'how many', '50')
    .option('-c, --config <file>', 'vouch.yaml (for store.url; default ./vouch.yaml when present)')
    .option('--json', 'as one JSON array')
    .action(async (opts) => {
      const { historyCommand } = await import('./commands/history.js');
      process.exitCode = await historyCommand(opts);
    });

  program
    .command('worker')
    .description('team mode: take scan and gate jobs from the team store (VOUCH_DATABASE_URL) until stopped')
    .option('--concurrency <n>', 'jobs at once', '1')
    .option('-c, --config <file>', 'vouch.yaml (for store.url)')
    .action(async (opts) => {
      const { workerCommand } = await import('./commands/team.js');
      process.exitCode = await workerCommand(opts);
    });

  program
    .command('cancel')
    .description('team mode: cancel a queued or running scan')
    .argument('<id>', 'the scan id (from --queue or vouch history)')
    .option('-c, --config <file>', 'vouch.yaml (for store.url)')
    .action(async (id, opts) => {
      const { cancelCommand } = await import('./commands/team.js');
      process.exitCode = await cancelCommand(id, opts);
    });

  program
    .command('watch')
    .description('continuous verification: rescan on an interval, compare with the accepted state, send drift to webhooks')
    .argument('[url]', 'base URL of the target (without it: schedules: in vouch.yaml)')
    .option('--every <interval>', 'how often: 30s, 10m, 1h, 1d (team mode: a pg-boss cron, 1m or more)')
    .option('--webhook <url...>', 'POST drift as JSON here (retried; failures kept as dead letters in the store)')
    .option('--slack-webhook <url...>', 'POST drift as a Slack-compatible message here')
    .option('--count <n>', 'stop after n rounds (default: until Ctrl-C)')
    .option('--stop', 'team mode: remove the pg-boss schedule of the URL (or of every schedules: entry)')
    .option('--check <ids>', 'only these checks (comma-separated ids)')
    .option('-c, --config <file>', 'vouch.yaml (default ./vouch.yaml when present)')
    .action(async (url, opts) => {
      preflight([[url, 'the target URL']]);
      const { watchCommand } = await import('./commands/watch.js');
      process.exitCode = await watchCommand(url, opts);
    });

  program
    .command('accept')
    .description('make a scan the accepted state its target is watched against')
    .argument('<scan-id>', 'a scan id from vouch history')
    .option('-c, --config <file>', 'vouch.yaml (for store.url)')
    .action(async (id, opts) => {
      const { acceptCommand } = await import('./commands/watch.js');
      process.exitCode = await acceptCommand(id, opts);
    });

  program
    .command('serve')
    .description('the dashboard over the history store (loopback only unless --host says otherwise; then sign-in is required)')
    .option('--port <n>', 'port (0 = a free one)', '7420')
    .option('--host <host>', 'address to bind; anything but loopback turns on team mode (tokens, sessions, roles)', '127.0.0.1')
    .action(async (opts) => {
      const { serveCommand } = await import('./commands/serve.js');
      process.exitCode = await serveCommand(opts);
    });

  const guard = program
    .command('guard')
    .description("a supervising reverse proxy between agents and the API: each request allowed, denied or held for a person, all recorded (docs/guard.md)")
    .option('-c, --config <file>', 'vouch.yaml with a guard: section (default ./vouch.yaml when present)')
    .option('--spec <file|url>', 'OpenAPI document of the upstream (file, path on the upstream, or URL); default target.spec')
    .option('--from-scan <id>', "match requests to the surface a stored scan found instead of a spec")
    .option('--learn', 'allow everything, record it, and let `vouch guard report` propose the intended lists')
    .option('--listen <host:port>', 'overrides guard.listen (default 127.0.0.1:8787; port 0: a free one)')
    .option('--audit-log <file>', 'the audit log (default .vouch/guard/<session>/audit.jsonl)')
    .option('-q, --quiet', 'no shutdown line')
    .action(async (opts) => {
      const { guardCommand } = await import('./commands/guard.js');
      process.exitCode = await guardCommand(opts);
    });
  guard
    .command('report')
    .description("what each agent did against its intended list, and the least-privilege intended list it proposes")
    .option('-c, --config <file>', 'vouch.yaml with the agents (default ./vouch.yaml when present)')
    .option('--session <id>', 'one guard session (default the latest)')
    .option('--all', 'every recorded session')
    .option('--json', 'as JSON')
    .action(async (opts) => {
      const { guardReportCommand } = await import('./commands/guard.js');
      process.exitCode = await guardReportCommand(opts);
    });

  program
    .command('token')
    .description('dashboard sign-in tokens (team mode)')
    .command('create')
    .description('create a token; it is printed once and stored hashed')
    .addOption(new Option('--role <role>', 'what the token may do').choices(['viewer', 'maintainer'] as const).makeOptionMandatory())
    .option('--name <name>', 'a label for the token')
    .option('--days <n>', 'valid for this many days', '90')
    .action(async (opts) => {
      const { tokenCreateCommand } = await import('./commands/serve.js');
      process.exitCode = await tokenCreateCommand(opts);
    });

  program
    .command('inspect')
    .description('what vouch makes of an OpenAPI document: operations, warnings, what it cannot use, example requests; sends nothing to a target')
    .argument('<spec>', 'the OpenAPI 2.0/3.0/3.1 document: a file, or a URL (fetched through the engine, audited)')
    .option('--json', 'one JSON document on stdout (docs/specs.md describes it)')
    .option('--examples <n>', 'generated requests per operation, shown as curl lines (valid ones, then as many invalid ones)')
    .option('--seed <n>', 'seed for the generated requests (the same seed gives the same requests)')
    .option('--op-budget <ms>', 'generation time per operation: checked between phases; one still running at 2×ms + 1 s is stopped', '2000')
    .option('-c, --config <file>', 'vouch.yaml: secrets to keep out of examples, scope.origins for URL $refs (default ./vouch.yaml when present)')
    .action(async (spec, opts) => {
      const { inspectCommand } = await import('./commands/inspect.js');
      process.exitCode = await inspectCommand(spec, opts);
    });

  program
    .command('mcp')
    .description('a Model Context Protocol server on stdio for coding agents: scan, gate, audit, inspect, history, explain; reports as resources (docs/mcp.md)')
    .option('-c, --config <file>', 'vouch.yaml for tool calls that name none, and for the store (default ./vouch.yaml when present)')
    .option('-q, --quiet', 'no progress lines on stderr')
    .action(async (opts) => {
      const { mcpCommand } = await import('./commands/mcp.js');
      process.exitCode = await mcpCommand(opts);
    });

  program
    .command('checks')
    .description('list the checks, or explain one')
    .argument('[id]', 'a check id')
    .option('--json', 'as JSON')
    .action(async (id, opts) => {
      const { checksCommand } = await import('./commands/checks.js');
      process.exitCode = await checksCommand(id, opts);
    });

  return program;
}

/** Commands that never start a browser: nothing to close after them (and the browser module stays unloaded). */
const BROWSER_FREE = new Set(['checks', 'history', 'cancel', 'accept', 'create', 'lab', 'queue']);

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  let ran: string | undefined;
  program.hook('preAction', (_program, command) => {
    // `--queue` only records a job: no browser either.
    ran = (command.opts() as { queue?: true }).queue ? 'queue' : command.name();
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    process.stderr.write(formatError(e) + '\n');
    return exitCodeFor(e);
  } finally {
    // A browser used for execution proofs would keep the process alive. Closing it is bounded: a Chromium that does
    // not answer is killed with the process (playwright's exit handler), and main.ts exits a finished command anyway.
    if (ran !== undefined && !BROWSER_FREE.has(ran)) {
      const { closeBrowser } = await import('../browser/chromium.js');
      const bounded = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
      await Promise.race([closeBrowser().catch(() => undefined), bounded]);
    }
  }
}
