/**
 * The report formats `--format` accepts. A module of their own, without the renderers:
 * the `report` command lists them in its flags, which are defined on every start of the
 * CLI (`--help` shows them), while the renderers (chalk, cli-table3, the HTML page) load
 * only when something is rendered.
 */

/** The formats `--format` accepts. */
export const REPORT_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Narrows a `--format` value; the CLI turns a false answer into an InputError listing REPORT_FORMATS. */
export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}
