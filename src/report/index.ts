// src/report/index.ts — the report stage's public API: pure writers per format, the schema check, and the file writer.
export { renderTerminal } from './terminal.js';
export type { TerminalOptions } from './terminal.js';
export { toJson } from './json.js';
export { toSarif, buildSarif, pseudoPath, specLineKey, SECURITY_SEVERITY, FINGERPRINT_KEY } from './sarif.js';
export { specLines } from './spec-lines.js';
export type { SarifOptions } from './sarif.js';
export { toJunit } from './junit.js';
export type { JunitOptions } from './junit.js';
export { toMarkdown, MARKDOWN_MAX_CHARS } from './markdown.js';
export type { MarkdownOptions } from './markdown.js';
export { toHtml } from './html.js';
export { validateReport, reportSchemaPath } from './schema.js';
export type { ReportValidation } from './schema.js';
export { writeReports, parseFormats, renderFormat, specSource, repositoryRoot, REPORT_FORMATS, REPORT_FILES } from './write.js';
export type { ReportFormat, WriteOptions } from './write.js';
export { auditTable, auditLines, permissionDiffLines, beyondScope } from './audit.js';
