import * as React from 'react';

let next = 0;

/** A per-instance id for aria wiring (React 16 has no useId; several controls may share a page). */
export function useStableId(prefix: string): string {
  const [id] = React.useState(() => `${prefix}-${++next}`);
  return id;
}
