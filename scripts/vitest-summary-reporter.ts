import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary,
 * so CI logs carry the counts in a form any tool can read; before it, one line per platform combination the
 * control's browser suite ran on (`platform: browser: React 17.0.2 + Fluent 9.68.0 (…): N passed, N failed`).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const platforms = new Map<string, { passed: number; failed: number }>();
    for (const testModule of testModules) {
      const name = testModule.project.name;
      const platform = name.startsWith('browser: ')
        ? (platforms.get(name) ?? { passed: 0, failed: 0 })
        : undefined;
      if (platform) platforms.set(name, platform);
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
        if (platform && state === 'passed') platform.passed += 1;
        if (platform && state === 'failed') platform.failed += 1;
      }
    }
    for (const [name, counts] of platforms)
      process.stdout.write(`\nplatform: ${name}: ${counts.passed} passed, ${counts.failed} failed`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
