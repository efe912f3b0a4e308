import * as React from 'react';

export interface ErrorBoundaryProps {
  /** Shown instead of the children when they throw while rendering. */
  fallback: React.ReactNode;
  children?: React.ReactNode;
}

/** The control must never throw into the form: a rendering bug falls back to the raw text. */
export class ErrorBoundary extends React.Component<ErrorBoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown): void {
    console.error('OpenCX transcript control failed to render', error);
  }

  override render(): React.ReactNode {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
