/**
 * What the control shows, derived once per description (and full text, rep and language): the view, the
 * text copy and download give, and the first screen's facts. Not per search keystroke, match step or jump.
 */
import * as React from 'react';
import { parse } from '@opencx-d365/transcript-format';
import { revealBidiControls } from '../model/bidi';
import { firstScreenOf } from '../model/first-screen';
import { fullTranscriptNotice } from '../model/full-transcript';
import { headerFacts } from '../model/header-facts';
import type { RepClock } from '../model/locale';
import type { CaseData } from '../model/ports';
import { repCountryOf } from '../model/rep-country';
import type { Strings } from '../model/strings';
import { callerTrust, trustNotices } from '../model/verification';
import { buildView } from '../model/view-model';
import { useFullTranscript } from './useFullTranscript';

export interface TranscriptInputs {
  description: string;
  incidentId?: string;
  offline: boolean;
  data: CaseData;
  clock: RepClock;
  strings: Strings;
  defaultCountry?: string;
  opencxOrigin?: string;
}

export function useTranscript(inputs: TranscriptInputs) {
  const { description, strings, clock, defaultCountry, opencxOrigin } = inputs;
  const described = React.useMemo(() => parse(description), [description]);
  const full = useFullTranscript(described, inputs.incidentId, inputs.offline, inputs.data);
  const parsed = React.useMemo(() => {
    if (full.status !== 'loaded') return described;
    const whole = parse(full.text);
    return whole.kind === 'transcript' || whole.kind === 'best-effort' ? whole : described;
  }, [described, full]);
  const view = React.useMemo(() => buildView(parsed, clock), [parsed, clock]);
  // Copy and download give the stored text with bidi controls made visible, as the screen shows them.
  const sourceText = React.useMemo(
    () => revealBidiControls(full.status === 'loaded' ? full.text : description),
    [full, description],
  );
  const header = view.kind === 'transcript' ? view.header : undefined;
  const rows = view.kind === 'transcript' ? view.rows : undefined;
  // Parses the caller's phone and names the language: once per transcript, not per keystroke.
  // One rule for the header and the link flow (model/rep-country.ts).
  const repCountry = React.useMemo(() => repCountryOf(defaultCountry, clock.locale), [defaultCountry, clock]);
  const firstScreen = React.useMemo(() => {
    if (!header || !rows) return undefined;
    const trust = callerTrust(header);
    return {
      ...firstScreenOf(header, rows),
      facts: headerFacts(header, strings, clock, { repCountry, opencxOrigin }),
      trust,
      notices: trustNotices(trust, strings),
    };
  }, [header, rows, strings, clock, repCountry, opencxOrigin]);
  const notice =
    view.kind === 'transcript' ? fullTranscriptNotice(full, view.omittedTurns, strings) : undefined;
  return { view, sourceText, firstScreen, notice, repCountry };
}
