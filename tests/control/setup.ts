import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// Testing Library cleans up after each test only when the runner has globals; ours does not.
afterEach(() => cleanup());

// CI runs this project beside the browser and relay suites on 2 cores; Fluent's dialogs mount through a
// portal and a motion frame, which took over the default 1 s there once. Waiting is still event-driven.
configure({ asyncUtilTimeout: 5_000 });

// Fluent's focus management (tabster) walks the DOM with a TreeWalker and expects jsdom's NodeFilter
// as a global, which Vitest's jsdom environment does not copy over.
const g = globalThis as { NodeFilter?: unknown };
g.NodeFilter ??= (window as unknown as { NodeFilter: unknown }).NodeFilter;

// jsdom has no layout, hence no ResizeObserver; Fluent's MessageBar waits for one to settle its layout.
class NoLayoutResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver ??= NoLayoutResizeObserver;
