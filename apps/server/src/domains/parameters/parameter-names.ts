/**
 * Identity of a parameter name. Systems Manager treats a top-level name with
 * and without its leading slash as the same parameter ("/a" is "a"), so the
 * stored key drops that slash; hierarchical names keep theirs.
 */
export function parameterNameKey(name: string): string {
  return name.startsWith('/') && name.indexOf('/', 1) === -1 ? name.slice(1) : name;
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, '')}`;
}

/** The hierarchy a parameter sits directly in: "/app/dev" for "/app/dev/db", "/" for top-level names. */
export function parameterParentPath(nameKey: string): string {
  const last = nameKey.lastIndexOf('/');
  return last <= 0 ? '/' : nameKey.slice(0, last);
}
