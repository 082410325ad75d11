/**
 * Base of every error the project raises on purpose. The CLI prints its message as one line and
 * exits non-zero; anything else is a bug and gets a bug-report hint (and the stack with --debug).
 * Messages say what was wrong and what to do, e.g. "--events must be a positive integer, got 'x'".
 */
export class EngagementLakeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngagementLakeError';
  }
}

/** Bad input from the user: a flag, a parameter, a file, SQL or configuration. */
export class UserInputError extends EngagementLakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserInputError';
  }
}
