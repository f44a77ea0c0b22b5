/** One `--tags` argument: a key and the values handed out to nodes in turn. */
export interface TagSpec {
  key: string;
  values: string[];
}

/**
 * Parses `--tags` arguments: `Key=Value` gives every node the same tag;
 * `Role=web|db|worker` hands the values out in turn (node 1 web, node 2 db,
 * …), so a demo fleet has groups to target. `Key=` is an empty value.
 */
export function parseTagSpecs(args: readonly string[]): TagSpec[] {
  const specs: TagSpec[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`--tags ${arg}: expected Key=Value (or Key=a|b|c to alternate values)`);
    const key = arg.slice(0, eq);
    if (key.length > 128) throw new Error(`--tags ${arg}: a tag key has at most 128 characters`);
    if (/^aws:/i.test(key)) throw new Error(`--tags ${arg}: keys starting with aws: are reserved`);
    if (specs.some((s) => s.key === key)) throw new Error(`--tags: key ${key} is given twice`);
    const values = arg.slice(eq + 1).split('|');
    if (values.some((v) => v.length > 256)) throw new Error(`--tags ${arg}: a tag value has at most 256 characters`);
    specs.push({ key, values });
  }
  if (specs.length > 50) throw new Error('--tags: a node has at most 50 tags');
  return specs;
}

/** The tags of node `index` (1-based). */
export function tagsFor(index: number, specs: readonly TagSpec[]): Array<{ Key: string; Value: string }> {
  return specs.map((spec) => ({ Key: spec.key, Value: spec.values[(index - 1) % spec.values.length] }));
}
