/**
 * Errors that carry what a caller should see: an HTTP status, a stable code and a message written
 * for people. Services throw these; the HTTP layer maps them; anything else is a 500 whose details
 * stay in the log.
 */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: FieldIssue[];

  constructor(status: number, code: string, message: string, issues: FieldIssue[] = []) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, issues: FieldIssue[] = []) {
    super(400, 'validation_failed', message, issues);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} '${id}' not found`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key or admin token is required') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'This needs the admin token') {
    super(403, 'forbidden', message);
  }
}

export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many submissions; please try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
