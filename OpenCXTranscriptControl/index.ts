import * as React from 'react';
import type { IInputs, IOutputs } from './generated/ManifestTypes';
import { TranscriptView } from './components/TranscriptView';

export class OpenCXTranscriptControl implements ComponentFramework.ReactControl<IInputs, IOutputs> {
  public init(): void {
    // Nothing to set up yet: the view is a pure function of the bound value.
  }

  public updateView(context: ComponentFramework.Context<IInputs>): React.ReactElement {
    return React.createElement(TranscriptView, { text: context.parameters.transcript.raw ?? '' });
  }

  public getOutputs(): IOutputs {
    return {};
  }

  public destroy(): void {
    // Nothing to release yet.
  }
}
