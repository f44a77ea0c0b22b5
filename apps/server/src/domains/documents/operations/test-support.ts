import { CreateDocumentCommand, type CreateDocumentCommandInput, type SSMClient } from '@aws-sdk/client-ssm';

export { useTestServer, userWithPolicy } from '../../parameters/operations/test-support.js';

/** A small valid schemaVersion 2.2 Command document; `script` makes its content (and hash) distinct. */
export function commandContent(script = 'echo hello', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    schemaVersion: '2.2',
    description: `Runs ${script}`,
    parameters: { greeting: { type: 'String', default: 'hi', description: 'What to say' } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: [`${script} {{ greeting }}`] } }],
    ...extra,
  });
}

/** CreateDocument of a Command document with `commandContent` unless told otherwise. */
export function createDocument(ssm: SSMClient, name: string, extra: Partial<CreateDocumentCommandInput> = {}) {
  return ssm.send(new CreateDocumentCommand({ Name: name, Content: commandContent(`echo ${name}`), DocumentType: 'Command', ...extra }));
}
