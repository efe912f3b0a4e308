/**
 * The insights columns our solution adds to Case (incident), as the relay writes them: one place for their
 * logical names and the option values of their choices. The solution's customizations.xml defines the same
 * columns (display names and descriptions in English, French and Arabic); solution/test compares the two.
 * Option values carry the publisher's option-value prefix, 67263 (solution.xml
 * CustomizationOptionValuePrefix): a choice's values are the prefix followed by four digits.
 */

/** A choice column: OpenCX's code (as the handoff document carries it) → the option's value. */
export interface InsightsChoice {
  logicalName: string;
  options: Readonly<Record<string, number>>;
  /** The option for a code we do not know (a new OpenCX reason, a sentiment we have no option for). */
  other: number;
}

export const HANDOFF_REASON: InsightsChoice = {
  logicalName: 'opencx_handoffreason',
  options: {
    ai_decided_to_handoff_the_conversation: 672630000,
    ai_decided_to_handoff_because_the_user_left: 672630001,
    ai_is_forbidden_from_handling_this_topic: 672630002,
    human_agent_decided_to_take_over: 672630003,
  },
  other: 672630004,
};

export const SENTIMENT_AT_HANDOFF: InsightsChoice = {
  logicalName: 'opencx_sentimentathandoff',
  options: {
    angry: 672630000,
    frustrated: 672630001,
    negative: 672630002,
    neutral: 672630003,
    positive: 672630004,
    happy: 672630005,
    satisfied: 672630006,
  },
  other: 672630007,
};

/** The sentiments the "negative sentiment" view and its chart count. */
export const NEGATIVE_SENTIMENTS = ['angry', 'frustrated', 'negative'] as const;

export const CHANNEL: InsightsChoice = {
  logicalName: 'opencx_channel',
  options: { phone_voice: 672630000, web_voice: 672630001, email: 672630002 },
  other: 672630003,
};

/** Whether the caller proved who they are: verified by OpenCX, stated by the caller, or neither. */
export const CALLER_VERIFICATION: InsightsChoice = {
  logicalName: 'opencx_callerverification',
  options: { verified: 672630000, stated: 672630001, none: 672630002 },
  other: 672630002,
};

export const INSIGHTS_COLUMNS = {
  /** Single line of text, MaxLength 100: OpenCX's session id. */
  sessionId: 'opencx_sessionid',
  /** Date and time: when OpenCX handed the call off (the handoff document's `handoff_at`, in UTC). */
  handoffOn: 'opencx_handoffon',
  handoffReason: HANDOFF_REASON.logicalName,
  sentimentAtHandoff: SENTIMENT_AT_HANDOFF.logicalName,
  channel: CHANNEL.logicalName,
  callerVerification: CALLER_VERIFICATION.logicalName,
  /** Whole number: the turns of the conversation before the handoff. */
  turnsBeforeHandoff: 'opencx_turnsbeforehandoff',
  /** Whole number: seconds from the call's first turn to the handoff (how long the AI held the call). */
  aiHandlingSeconds: 'opencx_aihandlingseconds',
} as const;

export const INSIGHTS_CHOICES: readonly InsightsChoice[] = [
  HANDOFF_REASON,
  SENTIMENT_AT_HANDOFF,
  CHANNEL,
  CALLER_VERIFICATION,
];

/** The option value for an OpenCX code: its own option, else the column's "other". */
export function optionFor(choice: InsightsChoice, code: string | undefined): number | undefined {
  if (code === undefined || code === '') return undefined;
  return choice.options[code.toLowerCase()] ?? choice.other;
}
