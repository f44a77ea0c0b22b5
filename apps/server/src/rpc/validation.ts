import type { z } from 'zod';
import { ServiceError } from './errors.js';

/**
 * Turns zod issues into Systems Manager's wording:
 * "2 validation errors detected: Value at 'name' failed to satisfy constraint: …".
 * Values themselves are never echoed, since they may be secrets.
 */
export function validationErrorFrom(error: z.ZodError): ServiceError {
  const issues = error.issues.slice(0, 10);
  const parts = issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'input';
    const field = where.charAt(0).toLowerCase() + where.slice(1);
    return `Value at '${field}' failed to satisfy constraint: ${constraintText(issue)}`;
  });
  const count = error.issues.length;
  return new ServiceError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${parts.join('; ')}`,
  );
}

function constraintText(issue: z.ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined' ? 'Member must not be null' : `Member must be of type ${issue.expected}`;
    case 'too_small':
      return issue.type === 'string'
        ? `Member must have length greater than or equal to ${issue.minimum}`
        : issue.type === 'array'
          ? `Member must have length greater than or equal to ${issue.minimum}`
          : `Member must have value greater than or equal to ${issue.minimum}`;
    case 'too_big':
      return issue.type === 'string' || issue.type === 'array'
        ? `Member must have length less than or equal to ${issue.maximum}`
        : `Member must have value less than or equal to ${issue.maximum}`;
    case 'invalid_enum_value':
      return `Member must satisfy enum value set: [${issue.options.join(', ')}]`;
    case 'invalid_string':
      return issue.message && issue.message !== 'Invalid' ? issue.message : 'Member must satisfy regular expression pattern';
    default:
      return issue.message;
  }
}
