import { contentHash, examineDocument } from './document-content.js';
import type { DocumentRecord, DocumentVersionRecord } from './documents.store.js';

/**
 * The documents Tend ships, under the names Systems Manager gives its own
 * so existing scripts and tooling keep working. They are served from this
 * module, never stored: a server upgrade changes them everywhere at once,
 * and nobody can edit or delete them (Owner "Amazon", as Systems Manager
 * reports the documents it owns). Bump `version` whenever a body changes.
 */
interface BuiltinSource {
  name: string;
  version: number;
  body: Record<string, unknown>;
}

/** When the built-ins were first published; CreatedDate of each. */
const PUBLISHED_AT = Date.UTC(2025, 0, 1);

const SOURCES: BuiltinSource[] = [
  {
    name: 'AWS-RunShellScript',
    version: 1,
    body: {
      schemaVersion: '2.2',
      description: 'Run a shell script (one or more command lines) on Linux and macOS nodes.',
      parameters: {
        commands: {
          type: 'StringList',
          description: 'Command lines to run. They are joined into one script, run by the shell in the order given.',
          minItems: 1,
          displayType: 'textarea',
        },
        workingDirectory: {
          type: 'String',
          default: '',
          description: '(Optional) Directory the script starts in. Empty: the agent picks its own.',
          displayType: 'textfield',
        },
        executionTimeout: {
          type: 'String',
          default: '3600',
          description: '(Optional) Seconds the script may run before it is stopped, with every process it started: 1 to 172800 (48 hours).',
          allowedPattern: '[1-9][0-9]{0,4}|1[0-6][0-9]{4}|17[01][0-9]{3}|172[0-7][0-9]{2}|172800',
        },
      },
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: 'runShellScript',
          inputs: { runCommand: '{{ commands }}', workingDirectory: '{{ workingDirectory }}', timeoutSeconds: '{{ executionTimeout }}' },
        },
      ],
    },
  },
  {
    name: 'AWS-RunPatchBaseline',
    version: 1,
    body: {
      schemaVersion: '2.2',
      description: "Scan a node for missing patches, or install them, following the patch baseline of the node's patch group.",
      parameters: {
        Operation: {
          type: 'String',
          description: 'Scan: report what is missing, change nothing. Install: install what the baseline approves and report the result.',
          allowedValues: ['Scan', 'Install'],
        },
        SnapshotId: {
          type: 'String',
          default: '',
          description: '(Optional) A GUID naming a baseline snapshot, so every node of one run patches against the same approvals.',
          allowedPattern: '|\\{?[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\\}?',
        },
        InstallOverrideList: {
          type: 'String',
          default: '',
          description:
            '(Optional) Patches to install instead of those the baseline approves (Install only): an https:// URL of a YAML list (s3:// is refused: Tend has no S3), an absolute path of such a file on the node, or the names inline, separated by commas.',
          // The value is data for the plugin, never shell text; the pattern still keeps it to what the plugin can read.
          allowedPattern: '|https://[^\\s"\'`$;|&<>]+|s3://[^\\s"\'`$;|&<>]+|/[^\\s"\'`$;|&<>]+|[A-Za-z0-9_.+:~*=-]+( *, *[A-Za-z0-9_.+:~*=-]+)*',
        },
        RebootOption: {
          type: 'String',
          default: 'RebootIfNeeded',
          description: '(Optional) RebootIfNeeded: restart the node after an Install that changed anything. NoReboot: never restart; the node reports a reboot pending.',
          allowedValues: ['RebootIfNeeded', 'NoReboot'],
        },
        BaselineOverride: {
          type: 'String',
          default: '',
          description:
            "(Optional) A patch baseline to use instead of the node's: inline JSON (Tend has no S3), an https:// URL, or an absolute path of a JSON file on the node.",
          // Inline JSON reaches the plugin as data (never a shell), which parses and validates it.
          allowedPattern: '|https://[^\\s"\'`$;|&<>]+|s3://[^\\s"\'`$;|&<>]+|/[^\\s"\'`$;|&<>]+|\\{[\\s\\S]*\\}',
        },
      },
      mainSteps: [
        {
          action: 'aws:runPatchBaseline',
          name: 'PatchBaseline',
          inputs: {
            Operation: '{{ Operation }}',
            SnapshotId: '{{ SnapshotId }}',
            InstallOverrideList: '{{ InstallOverrideList }}',
            RebootOption: '{{ RebootOption }}',
            BaselineOverride: '{{ BaselineOverride }}',
          },
        },
      ],
    },
  },
  {
    name: 'AWS-UpdateSSMAgent',
    version: 1,
    body: {
      schemaVersion: '2.2',
      description:
        "Update the node's agent to a version the server holds. If the new agent does not reconnect within a minute, the previous one is put back.",
      parameters: {
        version: {
          type: 'String',
          default: '',
          description: '(Optional) Agent version to install, such as 1.4.0. Empty: the newest version the server holds.',
          allowedPattern: '|[0-9]+(\\.[0-9]+){1,3}(-[0-9A-Za-z.]+)?',
        },
        allowDowngrade: {
          type: 'String',
          default: 'false',
          description: '(Optional) true lets the version asked for be older than the running one; false refuses that.',
          allowedValues: ['true', 'false'],
        },
      },
      mainSteps: [
        {
          action: 'aws:updateSsmAgent',
          name: 'updateAgent',
          inputs: { targetVersion: '{{ version }}', allowDowngrade: '{{ allowDowngrade }}' },
        },
      ],
    },
  },
];

export interface BuiltinDocument {
  document: DocumentRecord;
  version: DocumentVersionRecord;
}

/**
 * Each built-in as a document with its single version. They go through the
 * same checks as a user's document (a broken one fails at start-up and in
 * tests, not when someone runs it), and their facts come from that check.
 */
function build(source: BuiltinSource): BuiltinDocument {
  const content = JSON.stringify(source.body, null, 2);
  const facts = examineDocument('Command', content, 'JSON');
  return {
    document: {
      name: source.name,
      documentType: 'Command',
      owner: 'Amazon',
      defaultVersion: source.version,
      latestVersion: source.version,
      createdAt: PUBLISHED_AT,
    },
    version: {
      name: source.name,
      version: source.version,
      versionName: null,
      displayName: null,
      format: 'JSON',
      content,
      hash: contentHash(content),
      ...facts,
      targetType: null,
      createdAt: PUBLISHED_AT,
    },
  };
}

const BUILTINS: ReadonlyMap<string, BuiltinDocument> = new Map(SOURCES.map((s) => [s.name, build(s)]));

/** The built-in document of that name, if there is one. */
export function builtinDocument(name: string): BuiltinDocument | undefined {
  return BUILTINS.get(name);
}

/** All built-ins, in name order (byte order, as names page). */
export function builtinDocuments(): BuiltinDocument[] {
  return [...BUILTINS.values()].sort((a, b) => (a.document.name < b.document.name ? -1 : 1));
}
