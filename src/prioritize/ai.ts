// src/prioritize/ai.ts — is this change AI-influenced? From a flag, an environment variable, or commit trailers.
import type { PolicyRule } from '../config/index.js';

const ASSISTANTS = /(copilot|claude|chatgpt|openai|gpt-?\d|gemini|cursor|codex|devin|aider|windsurf|codeium|tabnine|amazon q|codewhisperer|sweep|ai assistant|\[bot\].*ai)/i;

/** Finds an AI trailer in commit messages: `Co-authored-by:` naming an assistant, `AI-Assisted: true`, `Generated-by:`. */
export function aiTrailer(messages: string): string | undefined {
  for (const line of messages.split(/\r?\n/)) {
    const t = line.trim();
    if (/^co-authored-by:/i.test(t) && ASSISTANTS.test(t)) return t;
    if (/^ai-assisted:\s*(true|yes|1)\b/i.test(t)) return t;
    if (/^(generated|assisted)-by:\s*\S/i.test(t) && ASSISTANTS.test(t)) return t;
  }
  return undefined;
}

/** Added to the policy for AI-influenced changes when vouch.yaml says nothing else. */
export const AI_DEFAULT_RULES: PolicyRule[] = [
  { id: 'ai-tentative-high', level: 'fail', when: { status: ['new'], confidence: ['tentative'], severity: ['critical', 'high'] } },
  { id: 'ai-new-confirmed-medium', level: 'fail', when: { status: ['new'], confidence: ['confirmed'], severity: ['medium'], family: ['security', 'authorization'] } },
];
