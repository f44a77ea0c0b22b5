import { z } from 'zod';

/**
 * The version and envelope every agent frame shares. Kept apart from
 * agent-frames.ts so the command frames can build on it without an import
 * cycle (agent-frames.ts folds the command frames into its unions).
 */
export const AGENT_PROTOCOL_VERSION = 1;

export const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ v: z.literal(AGENT_PROTOCOL_VERSION), type: z.literal(type), ...shape });
