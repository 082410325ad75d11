import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'engagement-lake.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('bin/engagement-lake.js', () => {
  it('runs a lazily loaded command as installed (queries lists the catalog)', () => {
    // Act
    const result = run('queries');
    // Assert
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('email_funnel');
  });

  it('turns a bad flag into one line on stderr and a non-zero exit, with no stack trace', () => {
    // Act
    const result = run('generate', '--events', 'abc');
    // Assert
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "error: --events must be a positive integer (at most 1000000000), got 'abc'",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('prints the stack only with --debug', () => {
    const result = run('generate', '--events', 'abc', '--debug');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
