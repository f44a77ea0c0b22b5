import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { OutputSink } from './output-sink.js';
import { NOT_RUN_RESPONSE_CODE, PluginRegistry, type PluginContext } from './plugin.js';
import { runShellScriptPlugin } from './run-shell-script/run-shell-script.js';

function context(): PluginContext {
  return { signal: new AbortController().signal, deadline: Date.now() + 10_000, logger: silentLogger, output: new OutputSink(), env: {} };
}

describe('PluginRegistry', () => {
  it('answers an unknown action with a Failed result and a reason in stderr', async () => {
    const registry = new PluginRegistry().register(runShellScriptPlugin);
    const ctx = context();
    const result = await registry.run('aws:runPowerShellScript', {}, ctx);
    expect(result.status).toBe('Failed');
    expect(result.responseCode).toBe(NOT_RUN_RESPONSE_CODE);
    expect(result.message).toContain('aws:runPowerShellScript');
    expect(result.message).toContain('aws:runShellScript');
    expect(ctx.output.standardErrorContent()).toContain('Unknown plugin action');
  });

  it('turns a throwing plugin into a Failed result', async () => {
    const registry = new PluginRegistry().register({
      name: 'test:broken',
      run: async () => {
        throw new Error('bug');
      },
    });
    const result = await registry.run('test:broken', {}, context());
    expect(result).toMatchObject({ status: 'Failed', responseCode: NOT_RUN_RESPONSE_CODE });
    expect(result.message).toContain('bug');
  });

  it('refuses two plugins for one action', () => {
    const registry = new PluginRegistry().register(runShellScriptPlugin);
    expect(() => registry.register(runShellScriptPlugin)).toThrow(/already registered/);
    expect(registry.get('aws:runShellScript')).toBe(runShellScriptPlugin);
  });
});
