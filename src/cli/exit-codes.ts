// Exit codes (documented in the README):
//   0 clean; 1 findings at or above --fail-on; 2 usage, configuration or input error;
//   3 incomplete: a data source could not be read fully (partial results still printed).
// When several apply: 2 wins over everything; 1 wins over 3, because an incomplete run can
// prove a failure but never a pass.
export const EXIT = { OK: 0, FINDINGS: 1, USAGE: 2, INCOMPLETE: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function combineExit(parts: { inputError: boolean; failed: boolean; incomplete: boolean }): ExitCode {
  if (parts.inputError) return EXIT.USAGE;
  if (parts.failed) return EXIT.FINDINGS;
  if (parts.incomplete) return EXIT.INCOMPLETE;
  return EXIT.OK;
}

/** An error the user can fix: printed as one line, exits with `code`. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
