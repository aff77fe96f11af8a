import { buildProgram } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';
import { captureContext, runCaptured } from '../helpers/cli.js';

describe('runCli and buildProgram', () => {
  test('--version and --help print and exit 0', async () => {
    const v = await runCaptured(['--version']);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(VERSION);
    const h = await runCaptured(['--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('Usage: forgetscope');
  });

  test('an unknown command or option exits 2 with the error and the help on stderr', async () => {
    const c = await runCaptured(['no-such-command']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/unknown command 'no-such-command'/);
    const o = await runCaptured(['info', '--no-such-flag']);
    expect(o.code).toBe(2);
    expect(o.err).toMatch(/unknown option '--no-such-flag'/);
  });

  test('an input error is exit 2 with its file named on one stderr line', async () => {
    const c = await runCaptured(['info', 'does/not/exist.csv']);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/^does\/not\/exist\.csv: .*\n$/);
  });

  test('every command module registers one command, each with a description', () => {
    const program = buildProgram(captureContext().ctx);
    const names = program.commands.map((c) => c.name());
    expect(new Set(names).size).toBe(names.length);
    for (const name of ['analyze', 'info', 'evaluate', 'predict', 'replay', 'report']) expect(names).toContain(name);
    for (const c of program.commands) expect(c.description().length).toBeGreaterThan(0);
  });
});
