import { describe, expect, it } from 'vitest';
import { builtinDocument, builtinDocuments } from './builtin-documents.js';
import { commandDocumentOf } from './document-content.js';
import { isReservedDocumentName } from './document-rules.js';
import { renderCommand } from './render-command.js';

const noStore = async () => undefined;
const render = (name: string, parameters: Record<string, string[]>) =>
  renderCommand({ document: commandDocumentOf(builtinDocument(name)!.version), parameters, readParameter: noStore });

describe('built-in documents', () => {
  it('are Amazon-owned Command documents under reserved names', () => {
    expect(builtinDocuments().map((b) => b.document.name)).toEqual(['AWS-RunPatchBaseline', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent']);
    for (const b of builtinDocuments()) {
      expect(b.document).toMatchObject({ owner: 'Amazon', documentType: 'Command', defaultVersion: 1, latestVersion: 1 });
      expect(isReservedDocumentName(b.document.name)).toBe(true);
      expect(b.version.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('AWS-RunShellScript runs command lines with a working directory and a timeout', async () => {
    const doc = builtinDocument('AWS-RunShellScript')!;
    expect(doc.version.parameters.map((p) => [p.Name, p.Type, p.DefaultValue])).toEqual([
      ['commands', 'StringList', undefined],
      ['workingDirectory', 'String', ''],
      ['executionTimeout', 'String', '3600'],
    ]);
    expect(doc.version.platformTypes).toEqual(['Linux', 'MacOS']);
    const rendered = await render('AWS-RunShellScript', { commands: ['uptime', 'id'] });
    expect(rendered.steps).toEqual([
      {
        name: 'runShellScript',
        action: 'aws:runShellScript',
        platformType: undefined,
        inputs: { runCommand: ['uptime', 'id'], workingDirectory: '', timeoutSeconds: '3600' },
        environment: {},
        secret: false,
      },
    ]);
    await expect(render('AWS-RunShellScript', {})).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-RunShellScript', { commands: [] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    for (const timeout of ['1', '3600', '172800']) await expect(render('AWS-RunShellScript', { commands: ['x'], executionTimeout: [timeout] })).resolves.toBeDefined();
    for (const timeout of ['0', '172801', '99999999', '60; reboot']) {
      await expect(render('AWS-RunShellScript', { commands: ['x'], executionTimeout: [timeout] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    }
  });

  it('AWS-RunPatchBaseline takes an operation and optional overrides', async () => {
    const doc = builtinDocument('AWS-RunPatchBaseline')!;
    expect(doc.version.parameters.map((p) => p.Name)).toEqual(['Operation', 'SnapshotId', 'InstallOverrideList', 'RebootOption', 'BaselineOverride']);
    const rendered = await render('AWS-RunPatchBaseline', { Operation: ['Install'], SnapshotId: ['0123abcd-0123-4567-89ab-0123456789ab'] });
    expect(rendered.steps[0]).toMatchObject({
      action: 'aws:runPatchBaseline',
      inputs: { Operation: 'Install', SnapshotId: '0123abcd-0123-4567-89ab-0123456789ab', InstallOverrideList: '', RebootOption: 'RebootIfNeeded', BaselineOverride: '' },
    });
    await expect(render('AWS-RunPatchBaseline', {})).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-RunPatchBaseline', { Operation: ['Remove'] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-RunPatchBaseline', { Operation: ['Scan'], RebootOption: ['Always'] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-RunPatchBaseline', { Operation: ['Scan'], SnapshotId: ['not-a-guid'] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-RunPatchBaseline', { Operation: ['Install'], InstallOverrideList: ['https://x/list.yaml;reboot'] })).rejects.toMatchObject({
      type: 'InvalidParameters',
    });
  });

  it('AWS-UpdateSSMAgent takes a version and whether to allow a downgrade', async () => {
    const rendered = await render('AWS-UpdateSSMAgent', {});
    expect(rendered.steps[0]).toMatchObject({ action: 'aws:updateSsmAgent', inputs: { targetVersion: '', allowDowngrade: 'false' } });
    const pinned = await render('AWS-UpdateSSMAgent', { version: ['1.4.0'], allowDowngrade: ['true'] });
    expect(pinned.steps[0]!.inputs).toEqual({ targetVersion: '1.4.0', allowDowngrade: 'true' });
    await expect(render('AWS-UpdateSSMAgent', { version: ['latest && curl x'] })).rejects.toMatchObject({ type: 'InvalidParameters' });
    await expect(render('AWS-UpdateSSMAgent', { allowDowngrade: ['yes'] })).rejects.toMatchObject({ type: 'InvalidParameters' });
  });
});
