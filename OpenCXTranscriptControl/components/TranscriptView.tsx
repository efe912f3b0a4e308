import * as React from 'react';

export interface TranscriptViewProps {
  text: string;
}

// Placeholder view: the transcript control issue replaces it with the full rendering.
export const TranscriptView: React.FC<TranscriptViewProps> = ({ text }) => (
  <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{text}</pre>
);
