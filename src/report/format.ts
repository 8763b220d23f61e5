// Output selection: one formatter module per format, loaded only when used.
import type { Report } from './report-model.js';
import type { CliIo } from '../cli/io.js';
import { UserError } from '../cli/exit-codes.js';

export interface FormatContext {
  io: CliIo;
  /** False with --no-color; NO_COLOR/FORCE_COLOR decide otherwise. */
  color: boolean;
}

export type Formatter = (report: Report, ctx: FormatContext) => string | Promise<string>;

const FORMATTERS: Record<string, () => Promise<Formatter>> = {
  text: async () => (await import('./text.js')).formatText,
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => (await import('./sarif.js')).formatSarif,
  junit: async () => (await import('./junit.js')).formatJunit,
  github: async () => (await import('./github.js')).formatGithub,
  markdown: async () => (await import('./markdown.js')).formatMarkdown,
  yaml: async () => (await import('./yaml.js')).formatYaml,
  html: async () => (await import('./html.js')).formatHtml,
};

export const FORMAT_NAMES = Object.keys(FORMATTERS);

export async function formatReport(report: Report, format: string, ctx: FormatContext): Promise<string> {
  const load = FORMATTERS[format];
  if (!load) throw new UserError(`unknown output format "${format}" (use one of: ${FORMAT_NAMES.join(', ')})`);
  return load().then((f) => f(report, ctx));
}
