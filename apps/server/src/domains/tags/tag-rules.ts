import { z } from 'zod';

/** A tag as both Systems Manager and IAM spell it on the wire. */
export interface Tag {
  Key: string;
  Value: string;
}

/** Most resources carry at most this many tags (Systems Manager and IAM agree). */
export const MAX_TAGS_PER_RESOURCE = 50;

// Letters, separators and digits of any script plus a few symbols: the
// character set both Systems Manager and IAM document for keys and values.
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const PATTERN_TEXT = 'Member must satisfy regular expression pattern: ^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$';

export const tagKeySchema = z
  .string()
  .min(1)
  .max(128)
  .regex(TAG_CHARACTERS, PATTERN_TEXT)
  // The aws: prefix is reserved for tags AWS itself applies; accepting it
  // here would let a user forge tags that tooling treats as system-owned.
  .refine((key) => !/^aws:/i.test(key), 'Tag keys must not start with the reserved prefix aws:');

export const tagValueSchema = z.string().max(256).regex(TAG_CHARACTERS, PATTERN_TEXT);

export const tagSchema = z.object({ Key: tagKeySchema, Value: tagValueSchema });

/**
 * A list of tags whose keys are unique. A request naming the same key twice
 * is refused rather than resolved silently, since either reading is a guess.
 */
export function tagListSchema(maxItems: number) {
  return z
    .array(tagSchema)
    .min(1)
    .max(maxItems)
    .superRefine((tags, ctx) => {
      const seen = new Set<string>();
      for (const [i, tag] of tags.entries()) {
        if (seen.has(tag.Key)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'Key'], message: `Duplicate tag key '${tag.Key}' in one request` });
        }
        seen.add(tag.Key);
      }
    });
}
